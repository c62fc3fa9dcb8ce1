from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from customers.models import Customer, CustomerLedgerEntry, CustomerPayment
from customers.resources import CustomerResource


class LedgerInline(admin.TabularInline):
    model = CustomerLedgerEntry
    fields = ("created_at", "entry_type", "amount", "balance_after", "reference", "user", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-pk",)
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(ImportExportModelAdmin):
    """Profiles are edited here; balances only move through payments, sales and adjustments."""

    resource_classes = [CustomerResource]
    list_display = ("name", "phone", "customer_type", "status", "credit_limit", "balance")
    list_filter = ("customer_type", "status")
    search_fields = ("name", "phone", "email")
    readonly_fields = ("balance", "created_by", "created_at", "updated_at")
    inlines = [LedgerInline]

    def has_delete_permission(self, request, obj=None):
        # Financial history must survive: archive instead (customers.services.delete_customer
        # allows deleting only customers without any history).
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(CustomerLedgerEntry)
class CustomerLedgerEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "customer", "entry_type", "amount", "balance_after", "reference", "user")
    list_filter = ("entry_type",)
    search_fields = ("customer__name", "reference")
    list_select_related = ("customer", "user")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CustomerPayment)
class CustomerPaymentAdmin(CustomerLedgerEntryAdmin):
    list_display = ("created_at", "customer", "amount", "method", "reference", "user")
    list_filter = ("method",)
    search_fields = ("customer__name", "reference")
