"""salesStats and salesByPaymentMethod: totals, refunds, profit and money per tender for a period."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum

from reports import summary_reads
from reports.selectors.counting import (
    SUMMARIES,
    approved_returns,
    counted_sale_condition,
    counted_sales,
    money_sum,
)
from reports.selectors.period_figures import (
    COST,
    REFUNDS,
    TENDERS,
    TOTALS,
    gross_profit_of,
    read_period_figures,
    wanted_figures,
)
from sales.choices import PaymentMethod
from sales.models import Payment
from shared.money import ZERO, q


@dataclass
class MethodTotal:
    method: str
    value: Decimal
    count: int


@dataclass
class Amount:
    value: Decimal
    count: int


@dataclass
class SalesStats:
    """salesStats; a figure that was not asked for (see `sales_stats_summary`) is None."""

    total_sales: Decimal | None = None
    total_transactions: int | None = None
    average_sale_value: Decimal | None = None
    customer_debt_incurred: Amount | None = None
    total_refunds: Decimal | None = None
    net_sales: Decimal | None = None
    gross_profit: Decimal | None = None
    total_discounts: Decimal | None = None
    total_tax: Decimal | None = None
    by_payment_method: list[MethodTotal] | None = None
    by_sale_type: list[tuple] | None = None


# The statements each figure reads: a query that selects only some figures runs only theirs.
SALES_STATS_NEEDS: dict[str, frozenset[str]] = {
    "total_sales": frozenset({TOTALS}),
    "total_transactions": frozenset({TOTALS}),
    "average_sale_value": frozenset({TOTALS}),
    "customer_debt_incurred": frozenset({TOTALS}),
    "total_refunds": frozenset({REFUNDS}),
    "net_sales": frozenset({TOTALS, REFUNDS}),
    "gross_profit": frozenset({TOTALS, COST, REFUNDS}),
    "total_discounts": frozenset({TOTALS}),
    "total_tax": frozenset({TOTALS}),
    "by_payment_method": frozenset({TOTALS, TENDERS}),  # cash is net of the change on the sales
    "by_sale_type": frozenset({TOTALS}),
}
# From the summaries cash is netted of change on the tender rows themselves.
SUMMARY_SALES_STATS_NEEDS = {**SALES_STATS_NEEDS, "by_payment_method": frozenset({TENDERS})}


def sales_stats_summary(
    *,
    date_from: date,
    date_to: date,
    location_id: int | None = None,
    figures: Collection[str] | None = None,
    source: str = SUMMARIES,
) -> SalesStats:
    """salesStats: totals of counted sales, refunds approved in the period, profit and break-downs.

    `figures` names the SalesStats fields wanted (None: all); only the statements they read run, at
    most five whatever the number of sales: sale totals (one pass, by sale type), cost of goods,
    money per tender and refunds paid back, refund figures. `totalSales` alone is one statement.
    From the summaries: at most two (the daily sales rows, the daily tender rows).
    """
    names, reads = wanted_figures(
        SUMMARY_SALES_STATS_NEEDS if source == SUMMARIES else SALES_STATS_NEEDS, figures
    )
    totals, cost, refunds = read_period_figures(reads, date_from, date_to, location_id, source)
    every = {}
    if totals is not None:
        total, count = totals.total, totals.count
        every |= {
            "total_sales": total,
            "total_transactions": count,
            "average_sale_value": q(total / count) if count else ZERO,
            "customer_debt_incurred": Amount(totals.on_account, totals.on_account_count),
            "total_discounts": totals.discounts,
            "total_tax": totals.tax,
            "by_sale_type": totals.by_sale_type,
        }
    if refunds is not None:
        every["total_refunds"] = refunds["refunds"]
    if totals is not None and refunds is not None:
        every["net_sales"] = totals.total - refunds["refunds"]
    if totals is not None and cost is not None and refunds is not None:
        every["gross_profit"] = gross_profit_of(totals, cost, refunds)
    if TENDERS in reads and source == SUMMARIES:
        every["by_payment_method"] = [
            MethodTotal(*row) for row in summary_reads.tender_totals(date_from, date_to, location_id)
        ]
    elif TENDERS in reads:
        every["by_payment_method"] = _payment_totals(
            date_from=date_from, date_to=date_to, location_id=location_id, change=totals.change
        )
    return SalesStats(**{name: every[name] for name in names})


def sales_by_payment_method(
    *, date_from: date, date_to: date, location_id: int | None = None, source: str = SUMMARIES
) -> list[MethodTotal]:
    """Money per tender. Cash is net of change given; refunds paid back are a separate line."""
    if source == SUMMARIES:
        return [MethodTotal(*row) for row in summary_reads.tender_totals(date_from, date_to, location_id)]
    change = q(counted_sales(date_from, date_to, location_id).aggregate(c=money_sum("change"))["c"])
    return _payment_totals(date_from=date_from, date_to=date_to, location_id=location_id, change=change)


def _payment_totals(
    *, date_from: date, date_to: date, location_id: int | None, change: Decimal
) -> list[MethodTotal]:
    """Money per tender and the number of sales using each (`change`: given on the counted sales).

    A sale can tender one method twice, so the count is of distinct sales. Instead of a
    COUNT(DISTINCT) (a sort of every payment), payments are first summed per (sale, method), then
    each method's rows are counted; the methods are the closed set the `payment_method_valid`
    constraint allows.
    """
    per_sale = (
        Payment.objects.filter(counted_sale_condition("sale__", date_from, date_to, location_id))
        .values("sale_id", "method")
        .annotate(amount_per_sale=Sum("amount"))
        .order_by()
    )
    figures = per_sale.aggregate(
        **{
            f"{method}__value": Sum("amount_per_sale", filter=Q(method=method))
            for method in PaymentMethod.values
        },
        **{f"{method}__count": Count("sale_id", filter=Q(method=method)) for method in PaymentMethod.values},
    )
    rows = {
        method: (q(figures[f"{method}__value"]), figures[f"{method}__count"])
        for method in PaymentMethod.values
        if figures[f"{method}__count"]
    }
    if "cash" in rows:
        rows["cash"] = (rows["cash"][0] - change, rows["cash"][1])
    result = [MethodTotal(method, value, count) for method, (value, count) in sorted(rows.items())]
    paid_back = approved_returns(date_from, date_to, location_id).aggregate(
        v=money_sum("cash_refund_amount"), c=Count("pk", filter=Q(cash_refund_amount__gt=0))
    )
    if paid_back["c"]:
        result.append(MethodTotal("refunds_paid", -q(paid_back["v"]), paid_back["c"]))
    return result
