from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from import_export.admin import ImportExportModelAdmin

from customers import services
from customers.adapters import profile_errors
from customers.models import Customer, CustomerLedgerEntry, CustomerPayment
from customers.resources import CustomerResource
from shared.errors import DomainError


class CustomerAdminForm(forms.ModelForm):
    """The profile fields; validation runs the service itself, so its refusals land on the field.

    `clean` calls `services.save_customer_profile` in a savepoint that is always rolled back (the
    admin's own transaction stays open), then `CustomerAdmin.save_model` makes the real call.
    The admin sets `user` on the form class (see `CustomerAdmin.get_form`).
    """

    user = None

    class Meta:
        model = Customer
        fields = services.PROFILE_FIELDS

    def profile(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in services.PROFILE_FIELDS if name in self.fields}

    def clean(self):
        cleaned_data = super().clean()
        if self.errors:  # the service needs every field; report the form's own errors first
            return cleaned_data
        try:
            with transaction.atomic():
                services.save_customer_profile(user=self.user, customer_id=self.instance.pk, **self.profile())
                transaction.set_rollback(True)
        except (DomainError, ValidationError) as exc:
            for name, messages_ in profile_errors(exc).items():
                for message in messages_:
                    self.add_error(name if name in self.fields else None, message)
        return cleaned_data


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
    form = CustomerAdminForm
    actions = ["archive_selected"]

    def has_delete_permission(self, request, obj=None):
        # Financial history must survive: archive instead (customers.services.delete_customer
        # allows deleting only customers without any history).
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request, obj, form, change):
        # Through the service (row lock, manager-only fields, phone rules), never obj.save(). The
        # form already ran the same call; a refusal here means someone changed the customer in
        # between, and the exception rolls back the admin's transaction.
        customer = services.save_customer_profile(
            user=request.user, customer_id=obj.pk if change else None, **form.profile()
        )
        obj.pk = customer.pk
        obj.refresh_from_db()
        obj._state.adding = False

    @admin.action(description="Archive the selected customers (history is kept)")
    def archive_selected(self, request, queryset):
        for customer in queryset.order_by("pk"):
            try:
                services.archive_customer(user=request.user, customer_id=customer.pk)
            except DomainError as exc:
                self.message_user(request, f"{customer.name}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{customer.name} archived.", messages.SUCCESS)


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
