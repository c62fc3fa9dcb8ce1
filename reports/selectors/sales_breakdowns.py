"""Sales grouped by cashier and by product category."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum

from reports import summary_reads
from reports.selectors.counting import SUMMARIES, counted_sales, money_sum
from sales.models import SaleItem
from shared.money import ZERO, q


@dataclass
class GroupTotal:
    label: str
    value: Decimal
    count: int
    quantity: Decimal = ZERO


def sales_by_cashier(*, date_from: date, date_to: date, location_id: int | None = None) -> list[GroupTotal]:
    rows = (
        counted_sales(date_from, date_to, location_id)
        .values("cashier__username")
        .annotate(value=money_sum("total"), count=Count("pk"))
        .order_by("-value", "cashier__username")
    )
    return [GroupTotal(r["cashier__username"], q(r["value"]), r["count"]) for r in rows]


def sales_by_category(
    *,
    date_from: date,
    date_to: date,
    location_id: int | None = None,
    figures: Collection[str] | None = None,
    source: str = SUMMARIES,
) -> list[GroupTotal]:
    """Sales per product category. `count` is of distinct sales, which the daily product rows cannot
    give (a sale with two products of a category counts once): only when it is not asked for
    (`figures` without "count") are the summaries read, and `count` is then 0."""
    if source == SUMMARIES and figures is not None and "count" not in figures:
        rows = (
            summary_reads.sold_product_rows(date_from, date_to, location_id)
            .values("product__category__name")
            .annotate(value=money_sum("total"), quantity=Sum("quantity"))
            .order_by("-value")
        )
        return [
            GroupTotal(r["product__category__name"] or "Uncategorised", q(r["value"]), 0, r["quantity"])
            for r in rows
        ]
    rows = (
        SaleItem.objects.filter(sale__in=counted_sales(date_from, date_to, location_id))
        .values("product__category__name")
        .annotate(value=money_sum("total"), count=Count("sale", distinct=True), quantity=Sum("quantity"))
        .order_by("-value")
    )
    return [
        GroupTotal(r["product__category__name"] or "Uncategorised", q(r["value"]), r["count"], r["quantity"])
        for r in rows
    ]
