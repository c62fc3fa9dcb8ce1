"""Reads of purchase orders and stocktakes, shaped for the GraphQL types (fixed query counts)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, F, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from products import selectors as product_selectors
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
from shared.dates import end_of_day_exclusive, start_of_day
from shared.graphql import decode_id
from shared.money import q


def _order_details(orders: QuerySet[PurchaseOrder]) -> QuerySet[PurchaseOrder]:
    """Everything the PurchaseOrder type exposes: header joins, lines, deliveries and their lines."""
    receipt_lines = PurchaseReceiptLine.objects.select_related("order_line__product").order_by("pk")
    receipts = (
        PurchaseReceipt.objects.select_related("received_by")
        .prefetch_related(Prefetch("lines", queryset=receipt_lines))
        .order_by("pk")
    )
    return orders.select_related("supplier", "location", "created_by", "ordered_by").prefetch_related(
        Prefetch("lines", queryset=PurchaseOrderLine.objects.select_related("product").order_by("pk")),
        Prefetch("receipts", queryset=receipts),
    )


def list_purchase_orders(
    *,
    status: str | None = None,
    supplier_id: int | None = None,
    location_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    search: str | None = None,
) -> QuerySet[PurchaseOrder]:
    """Purchase orders newest first, by status, supplier, location, creation day or number."""
    orders = PurchaseOrder.objects.all()
    if status:
        orders = orders.filter(status=status)
    if supplier_id:
        orders = orders.filter(supplier_id=supplier_id)
    if location_id:
        orders = orders.filter(location_id=location_id)
    if date_from:
        orders = orders.filter(created_at__gte=start_of_day(date_from))
    if date_to:
        orders = orders.filter(created_at__lt=end_of_day_exclusive(date_to))
    if search:
        orders = orders.filter(number__icontains=search.strip())
    return _order_details(orders).order_by("-created_at", "-pk")


def get_purchase_order(*, purchase_order_id: int) -> PurchaseOrder | None:
    return _order_details(PurchaseOrder.objects.filter(pk=purchase_order_id)).first()


def find_purchase_order(*, identifier: str) -> PurchaseOrder | None:
    """By raw id, Relay global id or PO number."""
    pk = decode_id(identifier, "PurchaseOrder")
    if pk is not None:
        return get_purchase_order(purchase_order_id=pk)
    number = str(identifier).strip()[:20]
    if "\x00" in number:  # PostgreSQL text cannot hold NUL: no number contains one
        return None
    return _order_details(PurchaseOrder.objects.filter(number__iexact=number)).first()


def _stocktake_details(stocktakes: QuerySet[Stocktake]) -> QuerySet[Stocktake]:
    return stocktakes.select_related("location", "category", "started_by", "finalized_by").prefetch_related(
        Prefetch("counts", queryset=StocktakeCount.objects.select_related("product", "batch", "counted_by")),
        Prefetch("lines", queryset=StocktakeLine.objects.select_related("product", "batch", "movement")),
    )


def list_stocktakes(*, status: str | None = None, location_id: int | None = None) -> QuerySet[Stocktake]:
    """Stocktakes newest first."""
    stocktakes = Stocktake.objects.all()
    if status:
        stocktakes = stocktakes.filter(status=status)
    if location_id:
        stocktakes = stocktakes.filter(location_id=location_id)
    return _stocktake_details(stocktakes).order_by("-created_at", "-pk")


def get_stocktake(*, stocktake_id: int) -> Stocktake | None:
    return _stocktake_details(Stocktake.objects.filter(pk=stocktake_id)).first()


def in_transit_totals(*, location_id: int | None = None) -> tuple[Decimal, Decimal]:
    """Quantity and cost (to the cent) of the goods on the road; by destination if given. One statement."""
    lines = StockTransferLine.objects.filter(transfer__status=StockTransfer.Status.IN_TRANSIT)
    if location_id:
        lines = lines.filter(transfer__to_location_id=location_id)
    wide = DecimalField(max_digits=26, decimal_places=7)
    totals = lines.aggregate(
        quantity=Coalesce(Sum("quantity_sent", output_field=wide), Value(Decimal("0")), output_field=wide),
        value=Coalesce(
            Sum(F("quantity_sent") * F("unit_cost"), output_field=wide),
            Value(Decimal("0")),
            output_field=wide,
        ),
    )
    return Decimal(totals["quantity"]).quantize(Decimal("0.001")), q(Decimal(totals["value"]))


def in_transit_value(*, location_id: int | None = None) -> Decimal:
    """Cost of the goods on the road (sent, not yet received), to the cent; by destination if given."""
    return in_transit_totals(location_id=location_id)[1]


def _transfer_details(transfers: QuerySet[StockTransfer]) -> QuerySet[StockTransfer]:
    lines = StockTransferLine.objects.select_related("product", "batch").order_by("pk")
    return transfers.select_related(
        "from_location", "to_location", "sent_by", "received_by"
    ).prefetch_related(Prefetch("lines", queryset=lines))


def list_stock_transfers(
    *, status: str | None = None, location_id: int | None = None
) -> QuerySet[StockTransfer]:
    """Transfers newest first; `status="in_transit"` is what is on the road."""
    transfers = StockTransfer.objects.all()
    if status:
        transfers = transfers.filter(status=status)
    if location_id:
        transfers = transfers.filter(Q(from_location_id=location_id) | Q(to_location_id=location_id))
    return _transfer_details(transfers).order_by("-created_at", "-pk")


def get_stock_transfer(*, transfer_id: int) -> StockTransfer | None:
    return _transfer_details(StockTransfer.objects.filter(pk=transfer_id)).first()


def _return_details(returns: QuerySet[SupplierReturn]) -> QuerySet[SupplierReturn]:
    lines = SupplierReturnLine.objects.select_related("product", "batch").order_by("pk")
    return returns.select_related("supplier", "location", "created_by").prefetch_related(
        Prefetch("lines", queryset=lines)
    )


def list_supplier_returns(*, supplier_id: int | None = None) -> QuerySet[SupplierReturn]:
    """Supplier returns newest first."""
    returns = SupplierReturn.objects.all()
    if supplier_id:
        returns = returns.filter(supplier_id=supplier_id)
    return _return_details(returns).order_by("-created_at", "-pk")


def get_supplier_return(*, supplier_return_id: int) -> SupplierReturn | None:
    return _return_details(SupplierReturn.objects.filter(pk=supplier_return_id)).first()


def default_location_id() -> int:
    """The shop's default location (reads that take a location when none is given)."""
    return product_selectors.get_default_location().pk
