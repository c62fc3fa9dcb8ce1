from django.contrib import admin, messages
from django.utils.html import format_html

from sales import services
from sales.models import Payment, Sale, SaleItem
from shared.errors import DomainError


class SaleItemInline(admin.TabularInline):
    model = SaleItem
    fields = ("line_number", "product", "quantity", "unit_price", "discount", "tax", "total", "unit_cost")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class PaymentInline(admin.TabularInline):
    model = Payment
    fields = ("method", "amount", "reference", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Sale)
class SaleAdmin(admin.ModelAdmin):
    """Sales are read-only here: they are made at the till and voided through the void action."""

    list_display = ("transaction_id", "created_at", "customer", "cashier", "total", "status", "receipt_link")
    list_filter = ("status", "sale_type", "location", "created_at")
    search_fields = ("transaction_id", "customer__name")
    date_hierarchy = "created_at"
    list_select_related = ("customer", "cashier")
    inlines = [SaleItemInline, PaymentInline]
    actions = ["void_selected"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Sale._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Receipt")
    def receipt_link(self, sale):
        return format_html('<a href="/receipts/{}/" target="_blank">print</a>', sale.transaction_id)

    @admin.action(description="Void the selected sales (stock back, accounts reversed)")
    def void_selected(self, request, queryset):
        for sale in queryset:
            try:
                services.void_sale(
                    user=request.user, sale_id=sale.pk, reason=f"Voided in admin by {request.user}"
                )
            except DomainError as exc:
                self.message_user(request, f"{sale.transaction_id}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{sale.transaction_id} voided.", messages.SUCCESS)
