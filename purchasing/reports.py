"""Purchasing reports: purchases by supplier and period, stock on order, supplier price history, shrinkage.

Read-only, aggregated in the database, quantized before anything leaves here (SQLite sums decimals
through floating point). A money figure of a line is rounded to the cent per line before it is
summed, as the documents themselves are (`PurchaseOrder.total`, `price_variance_amount`), so a report
and the documents it sums never disagree by a cent.

Days are calendar days in the shop's TIME_ZONE; dates are checked by the schema (shared.dates).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Min, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, Round, TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from products import selectors as product_selectors
from products.models import Location, Product, StockMovement, Supplier
from purchasing.models import PurchaseOrder, PurchaseOrderLine, PurchaseReceiptLine
from shared.dates import end_of_day_exclusive, start_of_day
from shared.money import ZERO, q

MONEY = DecimalField(max_digits=20, decimal_places=4)
QUANTITY = DecimalField(max_digits=16, decimal_places=3)
TRUNC = {"DAY": TruncDay, "WEEK": TruncWeek, "MONTH": TruncMonth}
MAX_ROWS = 500  # the most rows `limit` may ask of a purchasing report list
MAX_PERIOD_ROWS = 5000  # purchasesBySupplier: periods (at most REPORT_MAX_BUCKETS) x active suppliers
OPEN = (PurchaseOrder.Status.ORDERED, PurchaseOrder.Status.PARTIALLY_RECEIVED)


def _money_sum(expression, **extra) -> Coalesce:
    return Coalesce(Sum(expression, output_field=MONEY, **extra), Value(ZERO), output_field=MONEY)


def _cents(left, right) -> Round:
    """left x right rounded to the cent in SQL (half away from zero: ROUND_HALF_UP for these values)."""
    return Round(F(left) * F(right), 2, output_field=MONEY)


def _between(field: str, date_from: date | None, date_to: date | None) -> Q:
    condition = Q()
    if date_from:
        condition &= Q(**{f"{field}__gte": start_of_day(date_from)})
    if date_to:
        condition &= Q(**{f"{field}__lt": end_of_day_exclusive(date_to)})
    return condition


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def _qty(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.001"))


# --- purchases by supplier and period ------------------------------------------------------------


@dataclass
class SupplierPeriod:
    start: date
    supplier: Supplier | None  # filled once every row is known (one query)
    ordered_value: Decimal = ZERO
    ordered_lines: int = 0
    orders: int = 0
    received_value: Decimal = ZERO
    received_at_order_cost: Decimal = ZERO
    received_lines: int = 0
    landed_cost: Decimal = ZERO
    price_variance: Decimal = ZERO


ORDERED_FIGURES = frozenset({"ordered_value", "ordered_lines", "orders"})
RECEIVED_FIGURES = frozenset(
    {"received_value", "received_at_order_cost", "received_lines", "landed_cost", "price_variance"}
)


def purchases_by_supplier(
    *,
    granularity: str,
    date_from: date,
    date_to: date,
    supplier_id: int | None = None,
    location_id: int | None = None,
    figures: Collection[str] | None = None,
) -> list[SupplierPeriod]:
    """What was ordered from and received from each supplier per day/week/month, oldest period first.

    Ordered: lines of purchase orders placed (ordered_at) in the period, cancelled orders left out.
    Received: receipt lines of deliveries received in the period, at the invoice cost; landed cost
    and price variance (invoice - PO cost) as stored on the receipt lines. A row exists for a period
    and supplier with an order placed or a delivery received; `figures` (SupplierPeriod field names,
    None: all) runs only the statement of the kinds of figure selected (both when neither is), then
    the rows' suppliers are read in one query.
    """
    wanted = set(figures) if figures is not None else ORDERED_FIGURES | RECEIVED_FIGURES
    read_ordered = bool(wanted & ORDERED_FIGURES) or not wanted & RECEIVED_FIGURES
    read_received = bool(wanted & RECEIVED_FIGURES) or not wanted & ORDERED_FIGURES
    trunc = TRUNC[granularity]
    tz = timezone.get_current_timezone()
    rows: dict[tuple[date, int], SupplierPeriod] = {}

    def row(bucket, supplier_pk: int) -> SupplierPeriod:
        key = (_as_date(bucket), supplier_pk)
        if key not in rows:
            rows[key] = SupplierPeriod(start=key[0], supplier=None)
        return rows[key]

    if read_ordered:
        lines = PurchaseOrderLine.objects.filter(
            _between("purchase_order__ordered_at", date_from, date_to),
            purchase_order__ordered_at__isnull=False,
        ).exclude(purchase_order__status=PurchaseOrder.Status.CANCELLED)
        if supplier_id:
            lines = lines.filter(purchase_order__supplier_id=supplier_id)
        if location_id:
            lines = lines.filter(purchase_order__location_id=location_id)
        grouped = (
            lines.annotate(bucket=trunc("purchase_order__ordered_at", tzinfo=tz))
            .values("bucket", "purchase_order__supplier_id")
            .annotate(
                value=_money_sum(_cents("quantity", "unit_cost")),
                lines=Count("pk"),
                orders=Count("purchase_order_id", distinct=True),
            )
            .order_by("bucket", "purchase_order__supplier_id")[:MAX_PERIOD_ROWS]
        )
        for r in grouped:
            found = row(r["bucket"], r["purchase_order__supplier_id"])
            found.ordered_value, found.ordered_lines, found.orders = q(r["value"]), r["lines"], r["orders"]
    if read_received:
        lines = PurchaseReceiptLine.objects.filter(_between("receipt__created_at", date_from, date_to))
        if supplier_id:
            lines = lines.filter(receipt__purchase_order__supplier_id=supplier_id)
        if location_id:
            lines = lines.filter(receipt__purchase_order__location_id=location_id)
        supplier = "receipt__purchase_order__supplier"
        grouped = (
            lines.annotate(bucket=trunc("receipt__created_at", tzinfo=tz))
            .values("bucket", f"{supplier}_id")
            .annotate(
                value=_money_sum(_cents("quantity", "invoice_unit_cost")),
                at_order_cost=_money_sum(_cents("quantity", "order_line__unit_cost")),
                landed=_money_sum("landed_cost_amount"),
                variance=_money_sum("price_variance_amount"),
                lines=Count("pk"),
            )
            .order_by("bucket", f"{supplier}_id")[:MAX_PERIOD_ROWS]
        )
        for r in grouped:
            found = row(r["bucket"], r[f"{supplier}_id"])
            found.received_value = q(r["value"])
            found.received_at_order_cost = q(r["at_order_cost"])
            found.landed_cost = q(r["landed"])
            found.price_variance = q(r["variance"])
            found.received_lines = r["lines"]
    suppliers = Supplier.objects.in_bulk({pk for _, pk in rows}) if rows else {}
    for (_, pk), found in rows.items():
        found.supplier = suppliers[pk]
    ordered_rows = sorted(rows.values(), key=lambda r: (r.start, r.supplier.name, r.supplier.pk))
    return ordered_rows[:MAX_PERIOD_ROWS]


# --- stock on order ------------------------------------------------------------------------------


@dataclass
class StockOnOrder:
    product: Product | None
    location: Location | None
    quantity: Decimal
    value: Decimal
    expected_on: date | None
    purchase_orders: int


def stock_on_order(
    *,
    location_id: int | None = None,
    supplier_id: int | None = None,
    product_id: int | None = None,
    limit: int = 100,
    figures: Collection[str] | None = None,
) -> list[StockOnOrder]:
    """Still outstanding on ORDERED / PARTIALLY_RECEIVED purchase orders, per product and location.

    quantity = ordered - received (lines received in full or over are done); value = that times the
    PO unit cost, per line to the cent; expected_on = the earliest expected day among the orders.
    Soonest expected first (orders without a day last). One grouped statement, then the products
    and locations of the rows in one query each, only when `figures` (None: all) names them.
    """
    wanted = {f.name for f in fields(StockOnOrder)} if figures is None else set(figures)
    lines = PurchaseOrderLine.objects.filter(
        purchase_order__status__in=OPEN, received_quantity__lt=F("quantity")
    )
    if location_id:
        lines = lines.filter(purchase_order__location_id=location_id)
    if supplier_id:
        lines = lines.filter(purchase_order__supplier_id=supplier_id)
    if product_id:
        lines = lines.filter(product_id=product_id)
    outstanding = F("quantity") - F("received_quantity")
    grouped = list(
        lines.values("product_id", "purchase_order__location_id")
        .annotate(
            outstanding=Sum(outstanding, output_field=QUANTITY),
            value=_money_sum(Round(outstanding * F("unit_cost"), 2, output_field=MONEY)),
            expected_on=Min("purchase_order__expected_on"),
            orders=Count("purchase_order_id", distinct=True),
        )
        .order_by(F("expected_on").asc(nulls_last=True), "product_id", "purchase_order__location_id")[:limit]
    )
    products = (
        product_selectors.for_display(
            Product.objects.filter(pk__in={r["product_id"] for r in grouped})
        ).in_bulk()
        if "product" in wanted and grouped
        else {}
    )
    locations = (
        Location.objects.in_bulk({r["purchase_order__location_id"] for r in grouped})
        if "location" in wanted and grouped
        else {}
    )
    return [
        StockOnOrder(
            product=products.get(r["product_id"]),
            location=locations.get(r["purchase_order__location_id"]),
            quantity=_qty(r["outstanding"]),
            value=q(r["value"]),
            expected_on=r["expected_on"],
            purchase_orders=r["orders"],
        )
        for r in grouped
    ]


# --- supplier price history ------------------------------------------------------------------------


def supplier_price_history(
    *,
    date_from: date,
    date_to: date,
    product_id: int | None = None,
    supplier_id: int | None = None,
    location_id: int | None = None,
    limit: int = 100,
) -> QuerySet[PurchaseReceiptLine]:
    """Each receipt line received in the period: its invoice and landed unit cost against the PO cost.

    By product, then supplier, then oldest first; product (with category and supplier), order
    line, delivery, purchase order and supplier joined in the one statement.
    """
    lines = PurchaseReceiptLine.objects.filter(_between("receipt__created_at", date_from, date_to))
    if product_id:
        lines = lines.filter(order_line__product_id=product_id)
    if supplier_id:
        lines = lines.filter(receipt__purchase_order__supplier_id=supplier_id)
    if location_id:
        lines = lines.filter(receipt__purchase_order__location_id=location_id)
    return lines.select_related(
        "order_line__product__category",
        "order_line__product__supplier",
        "receipt__purchase_order__supplier",
    ).order_by(
        "order_line__product__name",
        "order_line__product_id",
        "receipt__purchase_order__supplier__name",
        "receipt__created_at",
        "pk",
    )[:limit]


# --- shrinkage and stocktake variances -------------------------------------------------------------

SHRINKAGE_TYPES = (StockMovement.Type.ADJUSTMENT, StockMovement.Type.WRITE_OFF)
# A reason per kind of document, where each document's movements carry their own label in `reason`.
REASON_LABEL = Case(
    When(reference_type="stocktake", then=Value("Stocktake")),
    When(
        reference_type="transfer",
        movement_type=StockMovement.Type.WRITE_OFF,
        then=Value("Missing in transit"),
    ),
    default=F("reason"),
)
GROUPS = {
    "PRODUCT": ("product_id",),
    "CATEGORY": ("product__category_id", "product__category__name"),
    "REASON": ("reason_label",),
}


@dataclass
class ShrinkageRow:
    label: str
    product: Product | None
    quantity_lost: Decimal
    quantity_found: Decimal
    net_quantity: Decimal
    value_lost: Decimal
    value_found: Decimal
    net_value: Decimal
    movements: int


def shrinkage(
    *,
    group_by: str,
    date_from: date,
    date_to: date,
    location_id: int | None = None,
    stocktakes_only: bool = False,
    limit: int = 100,
    figures: Collection[str] | None = None,
) -> list[ShrinkageRow]:
    """Stock lost or found other than by trade, valued at cost, by product, category or reason.

    The ledger's `adjustment` and `write_off` movements in the period (stocktake differences, manual
    adjustments with their reason, goods missing from a transfer, returned goods written off);
    goods sent back to a supplier are not lost (a credit is expected) and are left out.
    `stocktakes_only` keeps the stocktake differences (the stocktake variance report). Value = the
    movement's quantity x its unit cost, per movement to the cent. Largest loss first. One grouped
    statement, plus the products in one query for PRODUCT rows when `figures` (None: all) names them.
    """
    movements = StockMovement.objects.filter(
        _between("created_at", date_from, date_to), movement_type__in=SHRINKAGE_TYPES
    ).exclude(reference_type="supplier_return")
    if stocktakes_only:
        movements = movements.filter(reference_type="stocktake")
    if location_id:
        movements = movements.filter(location_id=location_id)
    if group_by == "REASON":
        movements = movements.annotate(reason_label=REASON_LABEL)
    keys = GROUPS[group_by]
    value = Round(F("quantity") * F("unit_cost"), 2, output_field=MONEY)
    grouped = list(
        movements.values(*keys)
        .annotate(
            lost=Coalesce(Sum("quantity", filter=Q(quantity__lt=0)), Value(ZERO), output_field=QUANTITY),
            found=Coalesce(Sum("quantity", filter=Q(quantity__gt=0)), Value(ZERO), output_field=QUANTITY),
            value_lost=_money_sum(value, filter=Q(quantity__lt=0)),
            value_found=_money_sum(value, filter=Q(quantity__gt=0)),
            count=Count("pk"),
        )
        .order_by(F("value_lost") + F("value_found"), *keys)[:limit]
    )
    wanted = {f.name for f in fields(ShrinkageRow)} if figures is None else set(figures)
    products = {}
    if group_by == "PRODUCT" and grouped and wanted & {"product", "label"}:
        ids = {r["product_id"] for r in grouped}
        products = product_selectors.for_display(Product.objects.filter(pk__in=ids)).in_bulk()

    def label(r) -> str:
        if group_by == "PRODUCT":
            product = products.get(r["product_id"])
            return product.name if product else str(r["product_id"])
        if group_by == "CATEGORY":
            return r["product__category__name"] or "Uncategorised"
        return r["reason_label"] or "No reason given"

    rows = []
    for r in grouped:
        lost, found = _qty(-r["lost"]), _qty(r["found"])
        value_lost, value_found = q(-r["value_lost"]), q(r["value_found"])
        rows.append(
            ShrinkageRow(
                label=label(r),
                product=products.get(r["product_id"]) if group_by == "PRODUCT" else None,
                quantity_lost=lost,
                quantity_found=found,
                net_quantity=found - lost,
                value_lost=value_lost,
                value_found=value_found,
                net_value=value_found - value_lost,
                movements=r["count"],
            )
        )
    return rows
