"""The figures salesStats and profitAndLoss share: sale totals, cost of goods, refunds, gross profit.

Each group is one statement, from the summary rows or from the detail; a query that selects only
some figures runs only the statements they read (see the *_NEEDS tables of each report)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Case, Count, ExpressionWrapper, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from reports import summary_reads
from reports.selectors.counting import (
    MONEY,
    SUMMARIES,
    approved_returns,
    counted_sale_condition,
    counted_sales,
    money_sum,
    money_zero,
)
from returns.models import Return, ReturnItem
from sales.models import Sale, SaleItem
from shared.money import ZERO, q

# The statements a report's figures can read (the *_NEEDS tables map each figure to them).
TOTALS, COST, REFUNDS, TENDERS = "totals", "cost", "refunds", "tenders"


def wanted_figures(
    needs: dict[str, frozenset[str]], figures: Collection[str] | None
) -> tuple[set[str], set[str]]:
    """The figures to fill in (None: all) and the statements they read; unknown names are ignored."""
    names = set(needs) if figures is None else set(figures) & set(needs)
    return names, set().union(*(needs[name] for name in names))


@dataclass
class SaleTotals:
    total: Decimal
    count: int
    on_account: Decimal
    on_account_count: int
    discounts: Decimal
    tax: Decimal
    change: Decimal
    by_sale_type: list[tuple]


def _sale_totals(sales: QuerySet[Sale]) -> SaleTotals:
    """Every per-sale figure of the reports in one pass over the sales, grouped by sale type.

    The few groups (retail, wholesale) are quantized and then added up here: a sum of cents is exact.
    """
    rows = list(
        sales.values("sale_type")
        .annotate(
            total=money_sum("total"),
            count=Count("pk"),
            on_account=money_sum("amount_on_account"),
            on_account_count=Count("pk", filter=Q(amount_on_account__gt=0)),
            discounts=money_sum("discount_total"),
            tax=money_sum("tax_total"),
            change=money_sum("change"),
        )
        .order_by("sale_type")
    )

    def total_of(key: str) -> Decimal:
        return sum((q(row[key]) for row in rows), ZERO)

    return SaleTotals(
        total=total_of("total"),
        count=sum(row["count"] for row in rows),
        on_account=total_of("on_account"),
        on_account_count=sum(row["on_account_count"] for row in rows),
        discounts=total_of("discounts"),
        tax=total_of("tax"),
        change=total_of("change"),
        by_sale_type=[(row["sale_type"], q(row["total"]), row["count"]) for row in rows],
    )


def _sale_totals_of(groups: list[dict]) -> SaleTotals:
    """SaleTotals from the per-sale-type sums of the summary rows (change: see summary_reads)."""

    def total_of(key: str) -> Decimal:
        return sum((q(g[key]) for g in groups), ZERO)

    return SaleTotals(
        total=total_of("total"),
        count=sum(g["count"] for g in groups),
        on_account=total_of("on_account"),
        on_account_count=sum(g["on_account_count"] for g in groups),
        discounts=total_of("discounts"),
        tax=total_of("tax"),
        change=ZERO,
        by_sale_type=[(g["sale_type"], q(g["total"]), g["count"]) for g in groups],
    )


def read_period_figures(
    reads: set[str], date_from: date, date_to: date, location_id: int | None, source: str
) -> tuple[SaleTotals | None, Decimal | None, dict[str, Decimal] | None]:
    """Sale totals, cost of goods and refund figures, those that `reads` names: from the summary
    rows in one statement, or from the detail in one statement each."""
    if source == SUMMARIES:
        found = summary_reads.sale_figures(date_from, date_to, location_id, reads=reads)
        totals = _sale_totals_of(found["groups"]) if TOTALS in reads else None
        return totals, found.get("cost"), found.get("refunds")
    totals = _sale_totals(counted_sales(date_from, date_to, location_id)) if TOTALS in reads else None
    cost = _cost_of_goods(date_from, date_to, location_id) if COST in reads else None
    refunds = _refund_figures(approved_returns(date_from, date_to, location_id)) if REFUNDS in reads else None
    return totals, cost, refunds


LINE_COST = ExpressionWrapper(F("unit_cost") * F("quantity"), output_field=MONEY)


def _cost_of_goods(date_from: date, date_to: date, location_id: int | None) -> Decimal:
    """Unit cost at sale time x quantity over the lines of counted sales."""
    lines = SaleItem.objects.filter(counted_sale_condition("sale__", date_from, date_to, location_id))
    return q(lines.aggregate(c=money_sum(LINE_COST))["c"])


def _refund_figures(returns: QuerySet[Return]) -> dict[str, Decimal]:
    """Refunds, their tax share and the cost of goods that went back on the shelf."""
    items = ReturnItem.objects.filter(return_request__in=returns)
    tax_share = ExpressionWrapper(
        F("refund_amount")
        * F("sale_item__tax")
        / Case(
            When(sale_item__total=0, then=Value(Decimal(1))),
            default=F("sale_item__total"),
            output_field=MONEY,
        ),
        output_field=MONEY,
    )
    restocked_cost = ExpressionWrapper(F("sale_item__unit_cost") * F("quantity"), output_field=MONEY)
    figures = items.aggregate(
        refunds=money_sum("refund_amount"),
        tax=money_sum(tax_share),
        restocked_cost=Coalesce(
            Sum(restocked_cost, filter=Q(restock=True), output_field=MONEY), money_zero(), output_field=MONEY
        ),
    )
    return {k: q(v) for k, v in figures.items()}


def gross_profit_of(totals: SaleTotals, cost: Decimal, refunds: dict[str, Decimal]) -> Decimal:
    return (totals.total - totals.tax - cost) - (
        refunds["refunds"] - refunds["tax"] - refunds["restocked_cost"]
    )
