"""Owner's reports. Every figure is aggregated in the database and quantized before it leaves here.

Definitions (also in the GraphQL descriptions):
- A sale counts when it is not voided and its `created_at` falls in [dateFrom, dateTo], both days
  inclusive in the shop's TIME_ZONE.
- Refunds count on the day the return was approved (`decided_at`), not the day of the sale.
- Revenue is sale totals (tax included). Net sales = revenue − refunds.
- Cost of goods sold uses the unit cost recorded on each sale line at sale time.
- Gross profit = (revenue − tax) − cost of goods sold − (refunds − their tax − cost of restocked goods).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

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
from products.models import Product, StockLevel
from returns.models import Return, ReturnItem
from sales.models import Payment, Sale, SaleItem
from shared.dates import end_of_day_exclusive, start_of_day
from shared.money import ZERO, q

MONEY = DecimalField(max_digits=18, decimal_places=4)
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


def approved_returns(
    date_from: date | None, date_to: date | None, location_id: int | None = None
) -> QuerySet[Return]:
    returns = Return.objects.filter(status=Return.Status.APPROVED).filter(
        _in_range("", date_from, date_to, "decided_at")
    )
    return returns.filter(sale__location_id=location_id) if location_id else returns


LINE_COST = ExpressionWrapper(F("unit_cost") * F("quantity"), output_field=MONEY)


@dataclass
class Amount:
    value: Decimal
    count: int


@dataclass
class SalesStats:
    total_sales: Decimal
    total_transactions: int
    average_sale_value: Decimal
    customer_debt_incurred: Amount
    total_refunds: Decimal
    net_sales: Decimal
    gross_profit: Decimal
    total_discounts: Decimal
    total_tax: Decimal
    by_payment_method: list[Amount | tuple] = field(default_factory=list)
    by_sale_type: list[tuple] = field(default_factory=list)


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


def sales_stats_summary(*, date_from: date, date_to: date, location_id: int | None = None) -> SalesStats:
    """salesStats: totals of counted sales, refunds approved in the period, profit and break-downs."""
    sales = counted_sales(date_from, date_to, location_id)
    totals = sales.aggregate(
        total=_sum("total"),
        count=Count("pk"),
        on_account=_sum("amount_on_account"),
        on_account_count=Count("pk", filter=Q(amount_on_account__gt=0)),
        discounts=_sum("discount_total"),
        tax=_sum("tax_total"),
    )
    cost = q(SaleItem.objects.filter(sale__in=sales).aggregate(c=_sum(LINE_COST))["c"])
    refunds = _refund_figures(approved_returns(date_from, date_to, location_id))
    total, count = q(totals["total"]), totals["count"]
    gross_profit = (total - q(totals["tax"]) - cost) - (
        refunds["refunds"] - refunds["tax"] - refunds["restocked_cost"]
    )
    return SalesStats(
        total_sales=total,
        total_transactions=count,
        average_sale_value=q(total / count) if count else ZERO,
        customer_debt_incurred=Amount(q(totals["on_account"]), totals["on_account_count"]),
        total_refunds=refunds["refunds"],
        net_sales=total - refunds["refunds"],
        gross_profit=gross_profit,
        total_discounts=q(totals["discounts"]),
        total_tax=q(totals["tax"]),
        by_payment_method=sales_by_payment_method(
            date_from=date_from, date_to=date_to, location_id=location_id
        ),
        by_sale_type=[
            (row["sale_type"], q(row["value"]), row["count"])
            for row in sales.values("sale_type")
            .annotate(value=_sum("total"), count=Count("pk"))
            .order_by("sale_type")
        ],
    )


@dataclass
class MethodTotal:
    method: str
    value: Decimal
    count: int


def sales_by_payment_method(
    *, date_from: date, date_to: date, location_id: int | None = None
) -> list[MethodTotal]:
    """Money per tender. Cash is net of change given; refunds paid back are a separate line."""
    sales = counted_sales(date_from, date_to, location_id)
    rows = {
        r["method"]: (q(r["value"]), r["count"])
        for r in Payment.objects.filter(sale__in=sales)
        .values("method")
        .annotate(value=_sum("amount"), count=Count("sale", distinct=True))
    }
    if "cash" in rows:
        change = q(sales.aggregate(c=_sum("change"))["c"])
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
    *, granularity: str, date_from: date, date_to: date, location_id: int | None = None
) -> list[Bucket]:
    """Revenue per day/week/month in the shop's time zone, zero-filled, net of refunds approved then."""
    trunc = TRUNC[granularity]
    tz = timezone.get_current_timezone()

    def as_date(value) -> date:
        return value.date() if isinstance(value, datetime) else value

    revenue = {
        as_date(r["bucket"]): (r["value"], r["count"])
        for r in counted_sales(date_from, date_to, location_id)
        .annotate(bucket=trunc("created_at", tzinfo=tz))
        .values("bucket")
        .annotate(value=_sum("total"), count=Count("pk"))
    }
    refunds = {
        as_date(r["bucket"]): r["value"]
        for r in approved_returns(date_from, date_to, location_id)
        .annotate(bucket=trunc("decided_at", tzinfo=tz))
        .values("bucket")
        .annotate(value=_sum("refund_total"))
    }
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


@dataclass
class ProfitAndLoss:
    revenue: Decimal
    tax: Decimal
    net_revenue: Decimal
    discounts: Decimal
    cost_of_goods_sold: Decimal
    refunds: Decimal
    refunds_tax: Decimal
    restocked_cost: Decimal
    gross_profit: Decimal
    margin_percent: Decimal


def profit_and_loss_summary(
    *, date_from: date, date_to: date, location_id: int | None = None
) -> ProfitAndLoss:
    """Revenue, tax, COGS (unit cost at sale time), refunds and gross profit with its margin."""
    stats = sales_stats_summary(date_from=date_from, date_to=date_to, location_id=location_id)
    sales = counted_sales(date_from, date_to, location_id)
    cost = q(SaleItem.objects.filter(sale__in=sales).aggregate(c=_sum(LINE_COST))["c"])
    refunds = _refund_figures(approved_returns(date_from, date_to, location_id))
    net_revenue = stats.total_sales - stats.total_tax - (refunds["refunds"] - refunds["tax"])
    margin = q(stats.gross_profit * 100 / net_revenue) if net_revenue else ZERO
    return ProfitAndLoss(
        revenue=stats.total_sales,
        tax=stats.total_tax,
        net_revenue=net_revenue,
        discounts=stats.total_discounts,
        cost_of_goods_sold=cost,
        refunds=refunds["refunds"],
        refunds_tax=refunds["tax"],
        restocked_cost=refunds["restocked_cost"],
        gross_profit=stats.gross_profit,
        margin_percent=margin,
    )


@dataclass
class ProductPerformance:
    product: Product
    quantity: Decimal
    revenue: Decimal
    profit: Decimal
    frequency: int


TOP_BY = {
    "QUANTITY": "sold_quantity",
    "REVENUE": "sold_revenue",
    "PROFIT": "sold_profit",
    "FREQUENCY": "sold_frequency",
}


def top_products(
    *, by: str, order: str, limit: int, date_from: date, date_to: date, location_id: int | None = None
) -> list[ProductPerformance]:
    """Best or worst products by quantity, revenue, profit or frequency; the worst include unsold ones."""
    lines = Q(sale_items__sale__in=counted_sales(date_from, date_to, location_id))
    products = Product.objects.annotate(
        sold_quantity=Coalesce(
            Sum("sale_items__quantity", filter=lines), Value(Decimal("0.000")), output_field=MONEY
        ),
        sold_revenue=Coalesce(Sum("sale_items__total", filter=lines), _zero(), output_field=MONEY),
        sold_profit=Coalesce(
            Sum(
                F("sale_items__total")
                - F("sale_items__tax")
                - F("sale_items__unit_cost") * F("sale_items__quantity"),
                filter=lines,
                output_field=MONEY,
            ),
            _zero(),
            output_field=MONEY,
        ),
        sold_frequency=Count("sale_items__sale", filter=lines, distinct=True),
    )
    if order == "BEST":
        products = products.filter(sold_frequency__gt=0).order_by(f"-{TOP_BY[by]}", "name")
    else:
        products = products.filter(is_active=True).order_by(TOP_BY[by], "name")
    return [
        ProductPerformance(
            product=p,
            quantity=p.sold_quantity,
            revenue=q(p.sold_revenue),
            profit=q(p.sold_profit),
            frequency=p.sold_frequency,
        )
        for p in products.select_related("category")[: max(1, min(limit, 100))]
    ]


@dataclass
class DeadStock:
    product: Product
    quantity: Decimal
    value_at_cost: Decimal
    last_sold_at: datetime | None


def dead_stock(*, days: int, location_id: int | None = None, limit: int = 100) -> list[DeadStock]:
    """Products in stock with no sale for `days` days, with the money tied up in them (at cost)."""
    since = timezone.now() - timedelta(days=days)
    levels = StockLevel.objects.filter(product=OuterRef("pk"))
    if location_id:
        levels = levels.filter(location_id=location_id)
    on_hand = levels.values("product").annotate(s=Sum("quantity")).values("s")
    last_sale = SaleItem.objects.filter(
        product=OuterRef("pk"), sale__status__in=["completed", "partially_returned", "returned"]
    )
    products = (
        Product.objects.annotate(
            on_hand=Coalesce(Subquery(on_hand, output_field=MONEY), _zero(), output_field=MONEY),
            last_sold_at=Subquery(
                last_sale.values("product").annotate(m=Max("sale__created_at")).values("m")
            ),
        )
        .filter(on_hand__gt=0)
        .filter(Q(last_sold_at__isnull=True) | Q(last_sold_at__lt=since))
        .annotate(tied=ExpressionWrapper(F("on_hand") * F("cost_price"), output_field=MONEY))
        .order_by("-tied", "name")
    )
    return [DeadStock(p, p.on_hand, q(p.tied), p.last_sold_at) for p in products[:limit]]


@dataclass
class Valuation:
    label: str
    quantity: Decimal
    at_cost: Decimal
    at_retail: Decimal


def inventory_valuation(*, location_id: int | None = None) -> dict[str, list[Valuation] | Valuation]:
    """Stock at cost (moving average) and at retail price: in total, per category, per location."""
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

    total = levels.aggregate(**metrics)
    return {
        "total": Valuation("All stock", total["qty"], q(total["cost"]), q(total["retail"])),
        "by_category": rows(
            "product__category__name", lambda r: r["product__category__name"] or "Uncategorised"
        ),
        "by_location": rows("location__name", lambda r: r["location__name"]),
    }


@dataclass
class Debtor:
    customer: Customer
    balance: Decimal


@dataclass
class DebtSummary:
    total_owed: Decimal
    customers_owing: int
    total_credit_held: Decimal
    aging: list[tuple[str, Decimal]]
    largest_debtors: list[Debtor]


AGING = [("0-30", 0, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("over 90", 91, None)]


def outstanding_debt_summary(*, limit: int = 10) -> DebtSummary:
    """Who owes what; debt aged by the charges that remain unpaid (payments settle the oldest first)."""
    balances = Customer.objects.aggregate(
        owed=Coalesce(Sum("balance", filter=Q(balance__gt=0)), _zero(), output_field=MONEY),
        owing=Count("pk", filter=Q(balance__gt=0)),
        credit=Coalesce(Sum("balance", filter=Q(balance__lt=0)), _zero(), output_field=MONEY),
    )
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
    largest = Customer.objects.filter(balance__gt=0).order_by("-balance", "name")[:limit]
    return DebtSummary(
        total_owed=q(balances["owed"]),
        customers_owing=balances["owing"],
        total_credit_held=q(-balances["credit"]),
        aging=[(label, q(aging[label])) for label, *_ in AGING],
        largest_debtors=[Debtor(c, c.balance) for c in largest],
    )


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


def sales_by_category(*, date_from: date, date_to: date, location_id: int | None = None) -> list[GroupTotal]:
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
