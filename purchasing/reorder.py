"""Reorder suggestions: what to order now, per product, from stock, stock on order and sales velocity.

For each active product with a supplier: target = reorder level + daily sales over the last `days`
x `cover_days`; suggested = target - (on hand at the location + still outstanding on ordered
purchase orders to that location), rounded up to whole units, when positive. Everything is
computed in one SQL query (correlated subqueries on indexed columns), so the answer costs the same
whatever the size of the ledger's history outside the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_CEILING, Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from products.models import Product, StockLevel, StockMovement
from purchasing.models import PurchaseOrder, PurchaseOrderLine
from shared import clock

QTY = DecimalField(max_digits=20, decimal_places=3)
OPEN_STATUSES = (PurchaseOrder.Status.ORDERED, PurchaseOrder.Status.PARTIALLY_RECEIVED)
MAX_SUGGESTIONS = 500


@dataclass(frozen=True)
class ReorderSuggestion:
    product: Product
    on_hand: Decimal
    on_order: Decimal
    sold: Decimal  # over the window
    daily_sales: Decimal
    suggested_quantity: Decimal
    unit_cost: Decimal  # the product's moving average: what a draft PO starts from


def _sum(queryset, expression) -> Subquery:
    total = queryset.values("product_id").annotate(total=Sum(expression)).values("total")
    return Coalesce(Subquery(total, output_field=QTY), Value(Decimal("0"), output_field=QTY))


def reorder_suggestions(
    *, location_id: int, supplier_id: int | None = None, days: int = 30, cover_days: int = 14
) -> list[ReorderSuggestion]:
    """What to reorder at a location (optionally one supplier's products), most urgent first."""
    since = clock.now() - timedelta(days=days)
    products = Product.objects.filter(is_active=True, supplier__isnull=False)
    if supplier_id:
        products = products.filter(supplier_id=supplier_id)
    on_hand = StockLevel.objects.filter(product_id=OuterRef("pk"), location_id=location_id)
    on_order = PurchaseOrderLine.objects.filter(
        product_id=OuterRef("pk"),
        purchase_order__location_id=location_id,
        purchase_order__status__in=OPEN_STATUSES,
        quantity__gt=F("received_quantity"),
    )
    sales = StockMovement.objects.filter(
        product_id=OuterRef("pk"),
        location_id=location_id,
        movement_type=StockMovement.Type.SALE,
        created_at__gte=since,
    )
    rows = (
        products.select_related("supplier")
        .annotate(
            on_hand=_sum(on_hand, "quantity"),
            on_order=_sum(on_order, F("quantity") - F("received_quantity")),
            sold=-_sum(sales, "quantity"),
        )
        .annotate(
            shortfall=ExpressionWrapper(
                F("reorder_level")
                + F("sold") * Value(Decimal(cover_days)) / Value(Decimal(max(days, 1)))
                - F("on_hand")
                - F("on_order"),
                output_field=QTY,
            )
        )
        .filter(shortfall__gt=0)
        .order_by("-shortfall", "pk")[:MAX_SUGGESTIONS]
    )
    suggestions = []
    for product in rows:
        sold = Decimal(product.sold)
        daily = (sold / max(days, 1)).quantize(Decimal("0.001"))
        target = product.reorder_level + sold * cover_days / max(days, 1)
        missing = target - Decimal(product.on_hand) - Decimal(product.on_order)
        if missing <= 0:  # SQLite computes the filter in floating point: decide here, exactly
            continue
        suggestions.append(
            ReorderSuggestion(
                product=product,
                on_hand=Decimal(product.on_hand),
                on_order=Decimal(product.on_order),
                sold=sold,
                daily_sales=daily,
                suggested_quantity=missing.quantize(Decimal("1"), rounding=ROUND_CEILING),
                unit_cost=product.cost_price,
            )
        )
    return suggestions
