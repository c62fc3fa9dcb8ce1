"""Read-mostly admin: documents are written through the services (the actions call them)."""

from django.contrib import admin, messages

from purchasing import services
from purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    PurchaseReceiptLine,
    Stocktake,
    StocktakeCount,
    StocktakeLine,
    StockTransfer,
    StockTransferLine,
    SupplierReturn,
    SupplierReturnLine,
)
from shared.errors import DomainError


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class PurchaseOrderLineInline(ReadOnlyInline):
    model = PurchaseOrderLine
    fields = ("product", "quantity", "unit_cost", "received_quantity")


class PurchaseReceiptInline(ReadOnlyInline):
    model = PurchaseReceipt
    fields = ("created_at", "supplier_invoice", "landed_cost", "received_by")
    show_change_link = True


class ReadOnlyAdmin(admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _run(model_admin, request, queryset, action, verb):
    for document in queryset:
        try:
            action(document)
        except DomainError as exc:
            model_admin.message_user(request, f"{document}: {exc.message}", messages.ERROR)
        else:
            model_admin.message_user(request, f"{document} {verb}.", messages.SUCCESS)


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(ReadOnlyAdmin):
    """Drafted and received through the API; ordered or cancelled here with the actions."""

    list_display = ("__str__", "status", "supplier", "location", "expected_on", "created_at")
    list_filter = ("status", "supplier", "location")
    search_fields = ("number", "supplier__name")
    list_select_related = ("supplier", "location")
    inlines = [PurchaseOrderLineInline, PurchaseReceiptInline]
    actions = ["order_selected", "cancel_selected"]

    @admin.action(description="Order the selected drafts (gives them their PO numbers)")
    def order_selected(self, request, queryset):
        _run(
            self,
            request,
            queryset.order_by("pk"),
            lambda po: services.order_purchase_order(user=request.user, purchase_order_id=po.pk),
            "ordered",
        )

    @admin.action(description="Cancel the selected orders (only before anything was received)")
    def cancel_selected(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda po: services.cancel_purchase_order(user=request.user, purchase_order_id=po.pk),
            "cancelled",
        )


class PurchaseReceiptLineInline(ReadOnlyInline):
    model = PurchaseReceiptLine
    fields = (
        "order_line",
        "quantity",
        "invoice_unit_cost",
        "landed_cost_amount",
        "unit_cost",
        "price_variance_amount",
        "batch_number",
        "expiry_date",
    )


@admin.register(PurchaseReceipt)
class PurchaseReceiptAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "purchase_order", "supplier_invoice", "landed_cost", "created_at")
    list_select_related = ("purchase_order",)
    inlines = [PurchaseReceiptLineInline]


class StocktakeCountInline(ReadOnlyInline):
    model = StocktakeCount
    fields = (
        "product",
        "batch",
        "counted",
        "quantity_at_count",
        "last_movement_id",
        "counted_by",
        "created_at",
    )


class StocktakeLineInline(ReadOnlyInline):
    model = StocktakeLine
    fields = (
        "product",
        "batch",
        "counted",
        "quantity_at_count",
        "difference",
        "unit_cost",
        "variance_amount",
    )


@admin.register(Stocktake)
class StocktakeAdmin(ReadOnlyAdmin):
    """Counted at the tills; finalized here with the actions (an explicit choice for uncounted stock)."""

    list_display = ("label", "status", "location", "scope", "count_mode", "created_at", "finalized_at")
    list_filter = ("status", "location", "count_mode")
    inlines = [StocktakeCountInline, StocktakeLineInline]
    actions = ["finalize_leaving_uncounted", "finalize_zeroing_uncounted"]

    def _finalize(self, request, queryset, uncounted):
        _run(
            self,
            request,
            queryset,
            lambda st: services.finalize_stocktake(
                user=request.user, stocktake_id=st.pk, uncounted=uncounted
            ),
            "finalized",
        )

    @admin.action(description="Finalize, leaving uncounted stock as it is")
    def finalize_leaving_uncounted(self, request, queryset):
        self._finalize(request, queryset, Stocktake.Uncounted.LEAVE)

    @admin.action(description="Finalize, setting uncounted stock to zero")
    def finalize_zeroing_uncounted(self, request, queryset):
        self._finalize(request, queryset, Stocktake.Uncounted.ZERO)


class SupplierReturnLineInline(ReadOnlyInline):
    model = SupplierReturnLine
    fields = ("product", "batch", "quantity", "reason", "unit_cost", "credit_amount")


@admin.register(SupplierReturn)
class SupplierReturnAdmin(ReadOnlyAdmin):
    list_display = ("label", "supplier", "location", "credit_expected_amount", "created_at")
    list_filter = ("supplier",)
    list_select_related = ("supplier", "location")
    inlines = [SupplierReturnLineInline]


class StockTransferLineInline(ReadOnlyInline):
    model = StockTransferLine
    fields = ("product", "batch", "quantity_sent", "quantity_received", "unit_cost")


@admin.register(StockTransfer)
class StockTransferAdmin(ReadOnlyAdmin):
    """Sent through the API; booked in here in full with the action (short arrivals: the API)."""

    list_display = ("label", "status", "from_location", "to_location", "created_at", "received_at")
    list_filter = ("status",)
    list_select_related = ("from_location", "to_location")
    inlines = [StockTransferLineInline]
    actions = ["receive_in_full"]

    @admin.action(description="Receive the selected transfers in full")
    def receive_in_full(self, request, queryset):
        _run(
            self,
            request,
            queryset.order_by("pk"),
            lambda transfer: services.receive_transfer(user=request.user, transfer_id=transfer.pk),
            "received",
        )
