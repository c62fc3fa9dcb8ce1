"""Reads of purchase orders and stocktakes, shaped for the GraphQL types (fixed query counts)."""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch, QuerySet

from purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    PurchaseReceiptLine,
    Stocktake,
    StocktakeCount,
    StocktakeLine,
)
from shared.dates import end_of_day_exclusive, start_of_day
from shared.graphql import decode_id


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
