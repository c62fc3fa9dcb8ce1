"""Owner's reports. Every figure is aggregated in the database and quantized before it leaves here.

Definitions (also in the GraphQL descriptions):
- A sale counts when it is not voided and its `created_at` falls in [dateFrom, dateTo], both days
  inclusive in the shop's TIME_ZONE.
- Refunds count on the day the return was approved (`decided_at`), not the day of the sale.
- Revenue is sale totals (tax included). Net sales = revenue − refunds.
- Cost of goods sold uses the unit cost recorded on each sale line at sale time.
- Gross profit = (revenue − tax) − cost of goods sold − (refunds − their tax − cost of restocked goods).

Where a report's filters are expressible on the daily summary rows (day, location, sale type,
product, tender) it reads them (`source=SUMMARIES`, the default; reports/summary_reads.py): they are
kept in the same transaction as every sale, void and return, so any span is answered from them.
`source=DETAIL` reads the sales themselves (the oracle the tests compare the summaries with).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from customers.models import Customer, CustomerLedgerEntry
from products import selectors as product_selectors
from products.models import Product, StockLevel
from purchasing import selectors as purchasing_selectors
from reports import summary_reads
from returns.models import Return, ReturnItem
from sales.choices import PaymentMethod, SaleStatus
from sales.models import Payment, Sale, SaleItem
from shared.dates import end_of_day_exclusive, start_of_day
from shared.money import ZERO, q

MONEY = DecimalField(max_digits=18, decimal_places=4)
SUMMARIES, DETAIL = "summaries", "detail"
NOT_VOIDED = ~Q(status="voided")


def _zero():
    return Value(ZERO, output_field=MONEY)


def _sum(expression) -> Coalesce:
    return Coalesce(Sum(expression, output_field=MONEY), _zero(), output_field=MONEY)


def _in_range(prefix: str, date_from: date | None, date_to: date | None, field_name: str = "created_at") -> Q:
    condition = Q()
    if date_from:
        condition &= Q(**{f"{prefix}{field_name}__gte": start_of_day(date_from)})
    if date_to:
        condition &= Q(**{f"{prefix}{field_name}__lt": end_of_day_exclusive(date_to)})
    return condition


def counted_sales(
    date_from: date | None, date_to: date | None, location_id: int | None = None
) -> QuerySet[Sale]:
    sales = Sale.objects.filter(NOT_VOIDED).filter(_in_range("", date_from, date_to))
    return sales.filter(location_id=location_id) if location_id else sales


def _counted(prefix: str, date_from: date | None, date_to: date | None, location_id: int | None) -> Q:
    """The counted-sales condition seen from a table with a `sale` FK (`prefix` = "sale__").

    Filtering lines and payments by a join on their sale, not by `sale__in=<subquery>`, lets
    PostgreSQL hash-join (in parallel) once instead of probing a subquery per row.
    """
    condition = ~Q(**{f"{prefix}status": SaleStatus.VOIDED}) & _in_range(prefix, date_from, date_to)
    if location_id:
        condition &= Q(**{f"{prefix}location_id": location_id})
    return condition


def approved_returns(
    date_from: date | None, date_to: date | None, location_id: int | None = None
) -> QuerySet[Return]:
    returns = Return.objects.filter(status=Return.Status.APPROVED).filter(
        _in_range("", date_from, date_to, "decided_at")
    )
    return returns.filter(sale__location_id=location_id) if location_id else returns


LINE_COST = ExpressionWrapper(F("unit_cost") * F("quantity"), output_field=MONEY)


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
TOTALS, COST, REFUNDS, TENDERS = "totals", "cost", "refunds", "tenders"
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


def _wanted(needs: dict[str, frozenset[str]], figures: Collection[str] | None) -> tuple[set[str], set[str]]:
    """The figures to fill in (None: all) and the statements they read; unknown names are ignored."""
    names = set(needs) if figures is None else set(figures) & set(needs)
    return names, set().union(*(needs[name] for name in names))


@dataclass
class _SaleTotals:
    total: Decimal
    count: int
    on_account: Decimal
    on_account_count: int
    discounts: Decimal
    tax: Decimal
    change: Decimal
    by_sale_type: list[tuple]


def _sale_totals(sales: QuerySet[Sale]) -> _SaleTotals:
    """Every per-sale figure of the reports in one pass over the sales, grouped by sale type.

    The few groups (retail, wholesale) are quantized and then added up here: a sum of cents is exact.
    """
    rows = list(
        sales.values("sale_type")
        .annotate(
            total=_sum("total"),
            count=Count("pk"),
            on_account=_sum("amount_on_account"),
            on_account_count=Count("pk", filter=Q(amount_on_account__gt=0)),
            discounts=_sum("discount_total"),
            tax=_sum("tax_total"),
            change=_sum("change"),
        )
        .order_by("sale_type")
    )

    def total_of(key: str) -> Decimal:
        return sum((q(row[key]) for row in rows), ZERO)

    return _SaleTotals(
        total=total_of("total"),
        count=sum(row["count"] for row in rows),
        on_account=total_of("on_account"),
        on_account_count=sum(row["on_account_count"] for row in rows),
        discounts=total_of("discounts"),
        tax=total_of("tax"),
        change=total_of("change"),
        by_sale_type=[(row["sale_type"], q(row["total"]), row["count"]) for row in rows],
    )


def _sale_totals_of(groups: list[dict]) -> _SaleTotals:
    """_SaleTotals from the per-sale-type sums of the summary rows (change: see summary_reads)."""

    def total_of(key: str) -> Decimal:
        return sum((q(g[key]) for g in groups), ZERO)

    return _SaleTotals(
        total=total_of("total"),
        count=sum(g["count"] for g in groups),
        on_account=total_of("on_account"),
        on_account_count=sum(g["on_account_count"] for g in groups),
        discounts=total_of("discounts"),
        tax=total_of("tax"),
        change=ZERO,
        by_sale_type=[(g["sale_type"], q(g["total"]), g["count"]) for g in groups],
    )


def _period_figures(
    reads: set[str], date_from: date, date_to: date, location_id: int | None, source: str
) -> tuple[_SaleTotals | None, Decimal | None, dict[str, Decimal] | None]:
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


def _cost_of_goods(date_from: date, date_to: date, location_id: int | None) -> Decimal:
    """Unit cost at sale time x quantity over the lines of counted sales."""
    lines = SaleItem.objects.filter(_counted("sale__", date_from, date_to, location_id))
    return q(lines.aggregate(c=_sum(LINE_COST))["c"])


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
        refunds=_sum("refund_amount"),
        tax=_sum(tax_share),
        restocked_cost=Coalesce(
            Sum(restocked_cost, filter=Q(restock=True), output_field=MONEY), _zero(), output_field=MONEY
        ),
    )
    return {k: q(v) for k, v in figures.items()}


def _gross_profit(totals: _SaleTotals, cost: Decimal, refunds: dict[str, Decimal]) -> Decimal:
    return (totals.total - totals.tax - cost) - (
        refunds["refunds"] - refunds["tax"] - refunds["restocked_cost"]
    )


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
    names, reads = _wanted(SUMMARY_SALES_STATS_NEEDS if source == SUMMARIES else SALES_STATS_NEEDS, figures)
    totals, cost, refunds = _period_figures(reads, date_from, date_to, location_id, source)
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
        every["gross_profit"] = _gross_profit(totals, cost, refunds)
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
    change = q(counted_sales(date_from, date_to, location_id).aggregate(c=_sum("change"))["c"])
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
        Payment.objects.filter(_counted("sale__", date_from, date_to, location_id))
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
        v=_sum("cash_refund_amount"), c=Count("pk", filter=Q(cash_refund_amount__gt=0))
    )
    if paid_back["c"]:
        result.append(MethodTotal("refunds_paid", -q(paid_back["v"]), paid_back["c"]))
    return result


@dataclass
class Bucket:
    start: date
    revenue: Decimal
    refunds: Decimal
    net: Decimal
    transactions: int


TRUNC = {"DAY": TruncDay, "WEEK": TruncWeek, "MONTH": TruncMonth}


def _bucket_starts(granularity: str, date_from: date, date_to: date) -> list[date]:
    starts: list[date] = []
    if granularity == "DAY":
        day = date_from
        while day <= date_to:
            starts.append(day)
            day += timedelta(days=1)
    elif granularity == "WEEK":
        day = date_from - timedelta(days=date_from.weekday())
        while day <= date_to:
            starts.append(day)
            day += timedelta(days=7)
    else:
        day = date_from.replace(day=1)
        while day <= date_to:
            starts.append(day)
            day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return starts


def revenue_by_period(
    *,
    granularity: str,
    date_from: date,
    date_to: date,
    location_id: int | None = None,
    figures: Collection[str] | None = None,
    source: str = SUMMARIES,
) -> list[Bucket]:
    """Revenue per day/week/month in the shop's time zone, zero-filled, net of refunds approved then.

    `figures` names the Bucket fields wanted (None: all): the sales are grouped only for revenue,
    net or transactions, the refunds only for refunds or net; the others read as zero. From the
    summaries: one statement over the days' rows, bucketed here.
    """
    wanted = set(Bucket.__dataclass_fields__) if figures is None else set(figures)
    if source == SUMMARIES:
        days = {} if not wanted & {"revenue", "refunds", "net", "transactions"} else None
        return _buckets_from_days(granularity, date_from, date_to, location_id, days)
    trunc = TRUNC[granularity]
    tz = timezone.get_current_timezone()

    def as_date(value) -> date:
        return value.date() if isinstance(value, datetime) else value

    revenue = (
        {}
        if not wanted & {"revenue", "net", "transactions"}
        else {
            as_date(r["bucket"]): (r["value"], r["count"])
            for r in counted_sales(date_from, date_to, location_id)
            .annotate(bucket=trunc("created_at", tzinfo=tz))
            .values("bucket")
            .annotate(value=_sum("total"), count=Count("pk"))
        }
    )
    refunds = (
        {}
        if not wanted & {"refunds", "net"}
        else {
            as_date(r["bucket"]): r["value"]
            for r in approved_returns(date_from, date_to, location_id)
            .annotate(bucket=trunc("decided_at", tzinfo=tz))
            .values("bucket")
            .annotate(value=_sum("refund_total"))
        }
    )
    buckets = []
    for start in _bucket_starts(granularity, date_from, date_to):
        value, count = revenue.get(start, (ZERO, 0))
        refunded = q(refunds.get(start, ZERO))
        buckets.append(
            Bucket(
                start=start, revenue=q(value), refunds=refunded, net=q(value) - refunded, transactions=count
            )
        )
    return buckets


def _bucket_of(granularity: str, day: date) -> date:
    if granularity == "DAY":
        return day
    if granularity == "WEEK":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _buckets_from_days(
    granularity: str, date_from: date, date_to: date, location_id: int | None, days: dict | None
) -> list[Bucket]:
    """Zero-filled buckets from the per-day sums (`days`: already known, e.g. none are wanted)."""
    if days is None:
        days = summary_reads.revenue_by_day(date_from, date_to, location_id)
    sums: dict[date, list] = {}
    for day, (revenue, count, refunds) in days.items():
        bucket = sums.setdefault(_bucket_of(granularity, day), [ZERO, 0, ZERO])
        bucket[0] += revenue
        bucket[1] += count
        bucket[2] += refunds
    buckets = []
    for start in _bucket_starts(granularity, date_from, date_to):
        value, count, refunded = sums.get(start, (ZERO, 0, ZERO))
        buckets.append(
            Bucket(
                start=start,
                revenue=q(value),
                refunds=q(refunded),
                net=q(value) - q(refunded),
                transactions=count,
            )
        )
    return buckets


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
    names, reads = _wanted(PROFIT_AND_LOSS_NEEDS, figures)
    totals, cost, refunds = _period_figures(reads, date_from, date_to, location_id, source)
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
        gross_profit = _gross_profit(totals, cost, refunds)
        every["gross_profit"] = gross_profit
        net_revenue = every["net_revenue"]
        every["margin_percent"] = q(gross_profit * 100 / net_revenue) if net_revenue else ZERO
    return ProfitAndLoss(**{name: every[name] for name in names})


@dataclass
class ProductPerformance:
    product: Product
    quantity: Decimal
    revenue: Decimal
    profit: Decimal
    frequency: int


LINE_PROFIT = ExpressionWrapper(F("total") - F("tax") - F("unit_cost") * F("quantity"), output_field=MONEY)
NO_QUANTITY = Decimal("0.000")


def _top_metric(by: str):
    """The aggregate a ranking sorts on; unsold products count as zero."""
    return {
        "QUANTITY": lambda: Sum("quantity", output_field=MONEY),
        "REVENUE": lambda: Sum("total", output_field=MONEY),
        "PROFIT": lambda: Sum(LINE_PROFIT, output_field=MONEY),
        "FREQUENCY": lambda: Count("sale_id", distinct=True),
    }[by]()


TOP_BY = {"QUANTITY": "quantity", "REVENUE": "revenue", "PROFIT": "profit", "FREQUENCY": "frequency"}


def _ranked_product_ids(*, grouped: QuerySet, order: str, limit: int) -> list[int]:
    """Ids of the `limit` best or worst products, ties by name then id.

    The lines are grouped by product first and products are joined to the (at most one row per
    product) result, so the name tie-break and, for WORST, the unsold active products cost a join of
    the catalogue, not of every line. Django cannot join a grouped subquery, so the outer statement
    is written here; the inner one is the ORM's and the SQL is plain enough for SQLite too.
    """
    inner, params = grouped.query.sql_with_params()
    qn = connection.ops.quote_name
    product = qn(Product._meta.db_table)
    if order == "BEST":
        sql = (
            f"SELECT p.{qn('id')} FROM ({inner}) a INNER JOIN {product} p ON p.{qn('id')} = a.{qn('product_id')}"
            f" ORDER BY a.{qn('metric')} DESC, p.{qn('name')}, p.{qn('id')} LIMIT %s"
        )
        params = (*params, limit)
    else:
        sql = (
            f"SELECT p.{qn('id')} FROM {product} p LEFT JOIN ({inner}) a ON a.{qn('product_id')} = p.{qn('id')}"
            f" WHERE p.{qn('is_active')} = %s"
            f" ORDER BY COALESCE(a.{qn('metric')}, 0), p.{qn('name')}, p.{qn('id')} LIMIT %s"
        )
        params = (*params, True, limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def top_products(
    *,
    by: str,
    order: str,
    limit: int,
    date_from: date,
    date_to: date,
    location_id: int | None = None,
    source: str = SUMMARIES,
) -> list[ProductPerformance]:
    """Best or worst products by quantity, revenue, profit or frequency; the worst include unsold ones.

    Three statements: rank the products on the one figure asked for (a GROUP BY product over the
    period's lines, or over its daily product rows), then every figure for those few products only,
    then the products themselves.
    """
    limit = max(1, min(limit, 100))
    if source == SUMMARIES:
        product_rows = summary_reads.sold_product_rows(date_from, date_to, location_id)
        grouped = (
            product_rows.values("product_id").annotate(metric=summary_reads.PRODUCT_METRIC[by]()).order_by()
        )
        ids = _ranked_product_ids(grouped=grouped, order=order, limit=limit)
        figures = summary_reads.product_figures(product_rows, ids) if ids else {}
    else:
        lines = SaleItem.objects.filter(_counted("sale__", date_from, date_to, location_id))
        grouped = lines.values("product_id").annotate(metric=_top_metric(by)).order_by()
        ids = _ranked_product_ids(grouped=grouped, order=order, limit=limit)
        figures = _line_figures(lines, ids) if ids else {}
    if not ids:
        return []
    products = product_selectors.for_display(Product.objects.filter(pk__in=ids)).in_bulk()
    unsold = {"sold_quantity": NO_QUANTITY, "sold_revenue": ZERO, "sold_profit": ZERO, "sold_frequency": 0}
    return [
        ProductPerformance(
            product=products[pk],
            quantity=figures.get(pk, unsold)["sold_quantity"],
            revenue=q(figures.get(pk, unsold)["sold_revenue"]),
            profit=q(figures.get(pk, unsold)["sold_profit"]),
            frequency=figures.get(pk, unsold)["sold_frequency"],
        )
        for pk in ids
    ]


def _line_figures(lines: QuerySet[SaleItem], ids: list[int]) -> dict[int, dict]:
    # Annotation names must not shadow the columns LINE_PROFIT reads (quantity).
    return {
        row["product_id"]: row
        for row in lines.filter(product_id__in=ids)
        .values("product_id")
        .annotate(
            sold_quantity=Coalesce(Sum("quantity"), Value(NO_QUANTITY), output_field=MONEY),
            sold_revenue=_sum("total"),
            sold_profit=_sum(LINE_PROFIT),
            sold_frequency=Count("sale_id", distinct=True),
        )
        .order_by()
    }


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
            on_hand=Coalesce(Subquery(on_hand, output_field=MONEY), _zero(), output_field=MONEY)
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
    metrics = {"qty": _sum("quantity"), "cost": _sum(at_cost), "retail": _sum(at_retail)}

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


@dataclass
class Debtor:
    customer: Customer
    balance: Decimal


@dataclass
class DebtSummary:
    """outstandingDebt; a figure that was not asked for (see `outstanding_debt_summary`) is None."""

    total_owed: Decimal | None = None
    customers_owing: int | None = None
    total_credit_held: Decimal | None = None
    aging: list[tuple[str, Decimal]] | None = None
    largest_debtors: list[Debtor] | None = None


AGING = [("0-30", 0, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("over 90", 91, None)]


def outstanding_debt_summary(*, limit: int = 10, figures: Collection[str] | None = None) -> DebtSummary:
    """Who owes what; debt aged by the charges that remain unpaid (payments settle the oldest first).

    `figures` names the DebtSummary fields wanted (None: all): the balances (one statement), the
    aging (two) and the largest debtors (one) are read only when asked for.
    """
    wanted = set(DebtSummary.__dataclass_fields__) if figures is None else set(figures)
    summary = DebtSummary()
    if wanted & {"total_owed", "customers_owing", "total_credit_held"}:
        balances = Customer.objects.aggregate(
            owed=Coalesce(Sum("balance", filter=Q(balance__gt=0)), _zero(), output_field=MONEY),
            owing=Count("pk", filter=Q(balance__gt=0)),
            credit=Coalesce(Sum("balance", filter=Q(balance__lt=0)), _zero(), output_field=MONEY),
        )
        summary.total_owed = q(balances["owed"])
        summary.customers_owing = balances["owing"]
        summary.total_credit_held = q(-balances["credit"])
    if "aging" in wanted:
        summary.aging = _debt_aging()
    if "largest_debtors" in wanted:
        largest = Customer.objects.filter(balance__gt=0).order_by("-balance", "name")[:limit]
        summary.largest_debtors = [Debtor(c, c.balance) for c in largest]
    return summary


def _debt_aging() -> list[tuple[str, Decimal]]:
    """Unpaid charges by age: each debtor's balance is covered by their newest charges."""
    aging = {label: ZERO for label, *_ in AGING}
    today = timezone.localdate()
    # Only debtors' charges are read, newest first, until each balance is covered: a short walk.
    debtors = dict(Customer.objects.filter(balance__gt=0).values_list("pk", "balance"))
    charges = (
        CustomerLedgerEntry.objects.filter(customer_id__in=debtors, amount__gt=0)
        .order_by("customer_id", "-pk")
        .values_list("customer_id", "amount", "created_at")
    )
    remaining = dict(debtors)
    for customer_id, amount, created_at in charges.iterator(chunk_size=2000):
        left = remaining[customer_id]
        if left <= 0:
            continue
        unpaid = min(amount, left)
        remaining[customer_id] = left - unpaid
        age = (today - timezone.localtime(created_at).date()).days
        for label, low, high in AGING:
            if age >= low and (high is None or age <= high):
                aging[label] += unpaid
                break
    return [(label, q(aging[label])) for label, *_ in AGING]


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
        .annotate(value=_sum("total"), count=Count("pk"))
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
            .annotate(value=_sum("total"), quantity=Sum("quantity"))
            .order_by("-value")
        )
        return [
            GroupTotal(r["product__category__name"] or "Uncategorised", q(r["value"]), 0, r["quantity"])
            for r in rows
        ]
    rows = (
        SaleItem.objects.filter(sale__in=counted_sales(date_from, date_to, location_id))
        .values("product__category__name")
        .annotate(value=_sum("total"), count=Count("sale", distinct=True), quantity=Sum("quantity"))
        .order_by("-value")
    )
    return [
        GroupTotal(r["product__category__name"] or "Uncategorised", q(r["value"]), r["count"], r["quantity"])
        for r in rows
    ]
