"""Stock reports: dead stock (in stock, unsold for a while) and inventory valuation."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import ExpressionWrapper, F, Max, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from products import selectors as product_selectors
from products.models import Product, StockLevel
from purchasing import selectors as purchasing_selectors
from reports.selectors.counting import MONEY, money_sum, money_zero
from sales.models import SaleItem
from shared.money import q


@dataclass
class DeadStock:
    product: Product
    quantity: Decimal
    value_at_cost: Decimal
    last_sold_at: datetime | None


SOLD_STATUSES = ("completed", "partially_returned", "returned")


def dead_stock(*, days: int, location_id: int | None = None, limit: int = 100) -> list[DeadStock]:
    """Products in stock with no sale for `days` days, with the money tied up in them (at cost).

    Two statements: the products in stock that are not among those sold in the window (one pass
    over the window's lines, not a search for each product's last sale), then when the listed few
    last sold. A per-product MAX over all their lines took 7.6 s for 5,000 products and a year of
    1M lines.
    """
    since = timezone.now() - timedelta(days=days)
    levels = StockLevel.objects.filter(product=OuterRef("pk"))
    if location_id:
        levels = levels.filter(location_id=location_id)
    on_hand = levels.values("product").annotate(s=Sum("quantity")).values("s")
    sold_lines = SaleItem.objects.filter(sale__status__in=SOLD_STATUSES)
    sold_recently = sold_lines.filter(sale__created_at__gte=since).values("product_id")
    products = (
        Product.objects.annotate(
            on_hand=Coalesce(Subquery(on_hand, output_field=MONEY), money_zero(), output_field=MONEY)
        )
        .filter(on_hand__gt=0)
        .exclude(pk__in=sold_recently)
        .annotate(tied=ExpressionWrapper(F("on_hand") * F("cost_price"), output_field=MONEY))
        .order_by("-tied", "name", "pk")
    )
    rows = list(product_selectors.for_display(products)[:limit])
    last_sold = dict(
        sold_lines.filter(product_id__in=[p.pk for p in rows])
        .values("product_id")
        .annotate(last=Max("sale__created_at"))
        .values_list("product_id", "last")
        .order_by()
    )
    return [DeadStock(p, p.on_hand, q(p.tied), last_sold.get(p.pk)) for p in rows]


@dataclass
class Valuation:
    label: str
    quantity: Decimal
    at_cost: Decimal
    at_retail: Decimal


def inventory_valuation(
    *, location_id: int | None = None, figures: Collection[str] | None = None
) -> dict[str, list[Valuation] | Valuation]:
    """Stock at cost (moving average) and at retail price: in total, per category, per location.

    Plus the goods on the road (`in_transit_quantity`, `in_transit_value`: sent by a transfer, not
    yet received, valued at the cost they left with; by destination when a location is given):
    they are in no StockLevel but still owned. One statement per part; `figures` names the parts
    wanted (None: all), the others are left out (the two in-transit figures share one statement).
    """
    everything = {"total", "by_category", "by_location", "in_transit_quantity", "in_transit_value"}
    wanted = everything if figures is None else set(figures)
    levels = StockLevel.objects.filter(quantity__gt=0)
    if location_id:
        levels = levels.filter(location_id=location_id)
    at_cost = ExpressionWrapper(F("quantity") * F("product__cost_price"), output_field=MONEY)
    at_retail = ExpressionWrapper(F("quantity") * F("product__retail_price"), output_field=MONEY)
    metrics = {"qty": money_sum("quantity"), "cost": money_sum(at_cost), "retail": money_sum(at_retail)}

    def rows(group: str, label_of) -> list[Valuation]:
        return [
            Valuation(label_of(r), r["qty"], q(r["cost"]), q(r["retail"]))
            for r in levels.values(group).annotate(**metrics).order_by(group)
        ]

    parts = {}
    if "total" in wanted:
        total = levels.aggregate(**metrics)
        parts["total"] = Valuation("All stock", total["qty"], q(total["cost"]), q(total["retail"]))
    if "by_category" in wanted:
        parts["by_category"] = rows(
            "product__category__name", lambda r: r["product__category__name"] or "Uncategorised"
        )
    if "by_location" in wanted:
        parts["by_location"] = rows("location__name", lambda r: r["location__name"])
    if wanted & {"in_transit_quantity", "in_transit_value"}:
        quantity, value = purchasing_selectors.in_transit_totals(location_id=location_id)
        parts["in_transit_quantity"], parts["in_transit_value"] = quantity, value
    return parts
