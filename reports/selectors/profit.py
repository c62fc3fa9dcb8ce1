"""profitAndLoss: revenue, tax, cost of goods, refunds and gross profit with its margin."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reports.selectors.counting import SUMMARIES
from reports.selectors.period_figures import (
    COST,
    REFUNDS,
    TOTALS,
    gross_profit_of,
    read_period_figures,
    wanted_figures,
)
from shared.money import ZERO, q


@dataclass
class ProfitAndLoss:
    """profitAndLoss; a figure that was not asked for (see `profit_and_loss_summary`) is None."""

    revenue: Decimal | None = None
    tax: Decimal | None = None
    net_revenue: Decimal | None = None
    discounts: Decimal | None = None
    cost_of_goods_sold: Decimal | None = None
    refunds: Decimal | None = None
    refunds_tax: Decimal | None = None
    restocked_cost: Decimal | None = None
    gross_profit: Decimal | None = None
    margin_percent: Decimal | None = None


# The statements each figure reads: a query that selects only some figures runs only theirs.
PROFIT_AND_LOSS_NEEDS: dict[str, frozenset[str]] = {
    "revenue": frozenset({TOTALS}),
    "tax": frozenset({TOTALS}),
    "discounts": frozenset({TOTALS}),
    "net_revenue": frozenset({TOTALS, REFUNDS}),
    "cost_of_goods_sold": frozenset({COST}),
    "refunds": frozenset({REFUNDS}),
    "refunds_tax": frozenset({REFUNDS}),
    "restocked_cost": frozenset({REFUNDS}),
    "gross_profit": frozenset({TOTALS, COST, REFUNDS}),
    "margin_percent": frozenset({TOTALS, COST, REFUNDS}),
}


def profit_and_loss_summary(
    *,
    date_from: date,
    date_to: date,
    location_id: int | None = None,
    figures: Collection[str] | None = None,
    source: str = SUMMARIES,
) -> ProfitAndLoss:
    """Revenue, tax, COGS (unit cost at sale time), refunds and gross profit with its margin.

    `figures` names the ProfitAndLoss fields wanted (None: all); at most three statements, only
    those the figures read: sale totals, cost of goods, refund figures (no tender break-down).
    From the summaries: one statement.
    """
    names, reads = wanted_figures(PROFIT_AND_LOSS_NEEDS, figures)
    totals, cost, refunds = read_period_figures(reads, date_from, date_to, location_id, source)
    every = {}
    if totals is not None:
        every |= {"revenue": totals.total, "tax": totals.tax, "discounts": totals.discounts}
    if cost is not None:
        every["cost_of_goods_sold"] = cost
    if refunds is not None:
        every |= {
            "refunds": refunds["refunds"],
            "refunds_tax": refunds["tax"],
            "restocked_cost": refunds["restocked_cost"],
        }
    if totals is not None and refunds is not None:
        every["net_revenue"] = totals.total - totals.tax - (refunds["refunds"] - refunds["tax"])
    if totals is not None and cost is not None and refunds is not None:
        gross_profit = gross_profit_of(totals, cost, refunds)
        every["gross_profit"] = gross_profit
        net_revenue = every["net_revenue"]
        every["margin_percent"] = q(gross_profit * 100 / net_revenue) if net_revenue else ZERO
    return ProfitAndLoss(**{name: every[name] for name in names})
