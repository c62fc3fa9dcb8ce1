"""Admin: sales are read-only; a manager voids one through a confirmation page (sales.services.void_sale).

The sales list filters by date, status, cashier, location and payment method and links each sale's
printable receipt (/receipts/<transactionId>/).
"""

from django import forms
from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from sales import services
from sales.choices import PaymentMethod, SaleStatus
from sales.models import Payment, Sale, SaleItem
from shared.backoffice import service_form_page
from shared.money import format_money, format_quantity


class SaleItemInline(admin.TabularInline):
    model = SaleItem
    fields = (
        "line_number",
        "product",
        "item_quantity",
        "unit_price",
        "discount",
        "tax",
        "total",
        "unit_cost",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description="Quantity")
    def item_quantity(self, item):
        # 5, not the stored 5.000, as the products list shows stock.
        return format_quantity(item.quantity)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PaymentInline(admin.TabularInline):
    model = Payment
    fields = ("method", "amount", "reference", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PaymentMethodFilter(admin.SimpleListFilter):
    """Sales with at least one payment of the method (a split tender appears under each of its methods)."""

    title = "payment method"
    parameter_name = "payment_method"

    def lookups(self, request, model_admin):
        return PaymentMethod.choices

    def queryset(self, request, queryset):
        if self.value() not in PaymentMethod.values:
            return queryset
        return queryset.filter(pk__in=Payment.objects.filter(method=self.value()).values("sale_id"))


class VoidSaleForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Why the sale is voided; kept on the sale and shown in its history.",
    )


INTERNAL_FIELDS = ("id", "idempotency_key", "request_fingerprint")


@admin.register(Sale)
class SaleAdmin(admin.ModelAdmin):
    """Sales are made at the till; here they are read, reprinted and voided (with a reason)."""

    list_display = (
        "transaction_id",
        "created_at",
        "customer",
        "cashier",
        "location",
        "total",
        "status",
        "receipt_link",
        "void_link",
    )
    list_filter = ("status", "created_at", PaymentMethodFilter, "cashier", "location", "sale_type")
    search_fields = ("transaction_id", "customer__name")
    date_hierarchy = "created_at"
    list_select_related = ("customer", "cashier", "location")
    inlines = [SaleItemInline, PaymentInline]

    def get_fields(self, request, obj=None):
        # The database id and the retry bookkeeping of createSale mean nothing to a manager.
        return [f.name for f in Sale._meta.fields if f.name not in INTERNAL_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Receipt")
    def receipt_link(self, sale):
        return format_html(
            '<a href="{}" target="_blank">print</a>', reverse("receipt", args=[sale.transaction_id])
        )

    @admin.display(description="Void")
    def void_link(self, sale):
        if sale.status != SaleStatus.COMPLETED:
            return "-"
        return format_html('<a href="{}">void…</a>', reverse("admin:sales_sale_void", args=[sale.pk]))

    def get_urls(self):
        return [
            path("<int:sale_id>/void/", self.admin_site.admin_view(self.void_view), name="sales_sale_void"),
            *super().get_urls(),
        ]

    def void_view(self, request, sale_id: int):
        """Confirmation page: what will be reversed, a typed reason, then sales.services.void_sale."""
        sale = get_object_or_404(Sale.objects.select_related("customer", "cashier", "location"), pk=sale_id)

        def perform(data):
            voided = services.void_sale(user=request.user, sale_id=sale.pk, reason=data["reason"])
            return f"Sale {voided.transaction_id} voided: stock returned and account effects reversed."

        return service_form_page(
            self,
            request,
            form=VoidSaleForm(request.POST or None),
            title=f"Void sale {sale.transaction_id}",
            submit_label="Void sale",
            perform=perform,
            success_url=reverse("admin:sales_sale_change", args=[sale.pk]),
            summary=[
                ("Sale", sale.transaction_id),
                ("Date", sale.created_at),
                ("Cashier", sale.cashier),
                ("Location", sale.location),
                ("Customer", sale.customer or "Walk-in"),
                ("Total", format_money(sale.total)),
                ("On account", format_money(sale.amount_on_account)),
                ("Status", sale.get_status_display()),
            ],
            intro=(
                "Voiding puts every item back in stock and reverses what the sale did to the "
                "customer's account. It cannot be undone."
            ),
            obj=sale,
        )
