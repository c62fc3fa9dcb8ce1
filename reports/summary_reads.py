"""Report figures read from the daily summary rows (sales.models DailySales, DailyProductSales,
DailyTenderSales) instead of the sales, lines, payments and returns.

The rows are written in the same transaction as every sale, void and approved return, so they are
always current and a period of any length is answered from them: a year is a few thousand rows.
`reports.selectors` chooses this path whenever the request's filters are expressible on the rows'
dimensions (day, location, sale type, product, tender); a report grouped by something they do not
carry (cashier, customer, time of day, distinct sales per category) reads the detail.

Each figure is summed in the database with the same output field as the detail path and rounded
the same way, so both answer the same cents on SQLite (floating-point sums) and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from sales.choices import SaleType
from sales.models import DailyProductSales, DailySales, DailyTenderSales
from shared.money import ZERO, q

MONEY = DecimalField(max_digits=18, decimal_places=4)


def _sum(expression) -> Coalesce:
    return Coalesce(Sum(expression, output_field=MONEY), Value(ZERO, output_field=MONEY), output_field=MONEY)


def _count(column: str, **condition) -> Coalesce:
    return Coalesce(Sum(column, filter=Q(**condition) if condition else None), 0)


def rows(model, date_from: date | None, date_to: date | None, location_id: int | None) -> QuerySet:
    """The summary rows of the period (both days inclusive) and location."""
    found = model.objects.all()
    if date_from is not None:
        found = found.filter(day__gte=date_from)
    if date_to is not None:
        found = found.filter(day__lte=date_to)
    return found.filter(location_id=location_id) if location_id else found


def sale_figures(
    date_from: date | None, date_to: date | None, location_id: int | None, *, reads: Collection[str]
) -> dict:
    """Sale totals by sale type, cost of goods and refund figures in one statement over DailySales.

    `reads` names the groups wanted ("totals", "cost", "refunds"); the others are left out of the
    statement. The cost and refund sums span every row at once, as the detail sums every line.
    """
    aggregates: dict = {}
    if "totals" in reads:
        for sale_type in SaleType.values:
            of_type = {"sale_type": sale_type}
            aggregates |= {
                f"{sale_type}__total": _sum_if("total", of_type),
                f"{sale_type}__count": _count("sale_count", **of_type),
                f"{sale_type}__on_account": _sum_if("on_account_amount", of_type),
                f"{sale_type}__on_account_count": _count("on_account_count", **of_type),
                f"{sale_type}__discounts": _sum_if("discount_total", of_type),
                f"{sale_type}__tax": _sum_if("tax_total", of_type),
            }
    if "cost" in reads:
        aggregates["cost"] = _sum("cost_amount")
    if "refunds" in reads:
        aggregates |= {
            "refunds": _sum("refund_amount"),
            "refund_tax": _sum("refund_tax"),
            "restocked_cost": _sum("restocked_cost"),
        }
    if not aggregates:
        return {}
    found = rows(DailySales, date_from, date_to, location_id).aggregate(**aggregates)
    result: dict = {}
    if "totals" in reads:
        groups = [
            {
                name: found[f"{sale_type}__{name}"]
                for name in ("total", "count", "on_account", "on_account_count", "discounts", "tax")
            }
            | {"sale_type": sale_type}
            for sale_type in SaleType.values
        ]
        result["groups"] = [g for g in groups if g["count"]]
    if "cost" in reads:
        result["cost"] = q(found["cost"])
    if "refunds" in reads:
        result["refunds"] = {
            "refunds": q(found["refunds"]),
            "tax": q(found["refund_tax"]),
            "restocked_cost": q(found["restocked_cost"]),
        }
    return result


def _sum_if(column: str, condition: dict) -> Coalesce:
    return Coalesce(
        Sum(column, filter=Q(**condition), output_field=MONEY),
        Value(ZERO, output_field=MONEY),
        output_field=MONEY,
    )


def tender_totals(date_from: date | None, date_to: date | None, location_id: int | None) -> list[tuple]:
    """Per tender: money taken net of change, sales using it; then refunds paid back (one statement).

    Returns [(method, value, count)] as the detail path does, "refunds_paid" last when any.
    """
    found = list(
        rows(DailyTenderSales, date_from, date_to, location_id)
        .values("method")
        .annotate(
            value=_sum("amount"),
            count=_count("sale_count"),
            change=_sum("change_amount"),
            refunds=_sum("refund_amount"),
            refund_count=_count("refund_count"),
        )
        .order_by("method")
    )
    change = sum((q(r["change"]) for r in found), ZERO)
    result = []
    for row in found:
        if not row["count"]:
            continue
        value = q(row["value"]) - (change if row["method"] == "cash" else ZERO)
        result.append((row["method"], value, row["count"]))
    refund_count = sum(r["refund_count"] for r in found)
    if refund_count:
        result.append(("refunds_paid", -q(sum((r["refunds"] for r in found), ZERO)), refund_count))
    return result


def revenue_by_day(
    date_from: date | None, date_to: date | None, location_id: int | None
) -> dict[date, tuple[Decimal, int, Decimal]]:
    """Per day: sale totals, number of sales, refunds approved (one statement)."""
    return {
        r["day"]: (r["revenue"], r["count"], r["refunds"])
        for r in rows(DailySales, date_from, date_to, location_id)
        .values("day")
        .annotate(revenue=_sum("total"), count=_count("sale_count"), refunds=_sum("refund_amount"))
        .order_by()
    }


# What the ranking and the figures of topProducts sum over the product rows.
PRODUCT_METRIC = {
    "QUANTITY": lambda: Sum("quantity", output_field=MONEY),
    "REVENUE": lambda: Sum("total", output_field=MONEY),
    "PROFIT": lambda: Sum(F("total") - F("tax") - F("cost_amount"), output_field=MONEY),
    "FREQUENCY": lambda: Sum("sale_count"),
}


def sold_product_rows(date_from: date | None, date_to: date | None, location_id: int | None) -> QuerySet:
    """Product rows of the period where something was sold (rows of returns or voids only are not)."""
    return rows(DailyProductSales, date_from, date_to, location_id).filter(line_count__gt=0)


def product_figures(product_rows: QuerySet, ids: list[int]) -> dict[int, dict]:
    return {
        row["product_id"]: row
        for row in product_rows.filter(product_id__in=ids)
        .values("product_id")
        .annotate(
            sold_quantity=Coalesce(Sum("quantity"), Value(Decimal("0.000")), output_field=MONEY),
            sold_revenue=_sum("total"),
            sold_profit=_sum(F("total") - F("tax") - F("cost_amount")),
            sold_frequency=_count("sale_count"),
        )
        .order_by()
    }
