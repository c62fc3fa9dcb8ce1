"""Back office for offline sale sync: what each till handed over, the stock discrepancies, the
exceptions to settle and the price history synced sales are checked against. Read-only; settling
goes through offline.services like resolveSyncException."""

from django.contrib import admin, messages

from offline import services
from offline.models import PriceHistory, SaleSync, StockDiscrepancy, SyncException
from shared.errors import DomainError


class _ReadOnly(admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SaleSync)
class SaleSyncAdmin(_ReadOnly):
    list_display = (
        "device",
        "device_sequence",
        "device_receipt_number",
        "sale",
        "status",
        "sold_at",
        "received_at",
    )
    list_filter = ("status", "device")
    list_select_related = ("device", "sale")
    search_fields = ("device_receipt_number", "client_id", "sale__transaction_id")


@admin.register(StockDiscrepancy)
class StockDiscrepancyAdmin(_ReadOnly):
    list_display = ("created_at", "product", "location", "quantity", "unit_cost", "value", "sale_sync")
    list_filter = ("location",)
    list_select_related = ("product", "location", "sale_sync__device")
    search_fields = ("product__name", "product__sku")


@admin.register(SyncException)
class SyncExceptionAdmin(_ReadOnly):
    list_display = ("created_at", "kind", "status", "message", "resolution", "resolved_by")
    list_filter = ("status", "kind")
    list_select_related = ("resolved_by",)
    actions = ["accept_selected", "count_selected", "write_off_selected"]

    def _settle(self, request, queryset, resolution):
        for exception in queryset:
            try:
                services.resolve_sync_exception(
                    user=request.user,
                    exception_id=exception.pk,
                    resolution=resolution,
                    note=f"Settled in admin by {request.user}",
                )
            except DomainError as exc:
                self.message_user(request, f"Exception {exception.pk}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"Exception {exception.pk} settled.", messages.SUCCESS)

    @admin.action(
        description="Accept the selected (credit limit, price, clock, closed shift, archived product, "
        "blocked customer)"
    )
    def accept_selected(self, request, queryset):
        self._settle(request, queryset, SyncException.Resolution.ACCEPTED)

    @admin.action(description="Settle the selected shortages as confirmed by a count (no ledger change)")
    def count_selected(self, request, queryset):
        self._settle(request, queryset, SyncException.Resolution.COUNT)

    @admin.action(description="Write off the selected shortages (loss at cost)")
    def write_off_selected(self, request, queryset):
        self._settle(request, queryset, SyncException.Resolution.WRITE_OFF)


@admin.register(PriceHistory)
class PriceHistoryAdmin(_ReadOnly):
    list_display = (
        "product",
        "retail_price",
        "wholesale_price",
        "tax_rate",
        "logged_at",
        "txid",
        "change_id",
    )
    list_select_related = ("product",)
    search_fields = ("product__name", "product__sku")

    def has_change_permission(self, request, obj=None):
        return False  # written by the database trigger only
