import graphene

from reports.purchasing_schema import PurchasingReportsQuery
from reports.schema_common import Granularity
from reports.schema_common import checked as _checked
from reports.schema_common import figures_asked as _figures_asked
from reports.schema_common import range_args as _range_args
from reports.selectors import (
    customer_debt,
    product_performance,
    profit,
    revenue_periods,
    sales_breakdowns,
    sales_figures,
    stock,
)
from shared.graphql import Money, Quantity, decode_id, enum_value
from shared.permissions import role_required
from shared.roles import Role

TopBy = graphene.Enum(
    "TopProductsBy",
    [("QUANTITY", "QUANTITY"), ("REVENUE", "REVENUE"), ("PROFIT", "PROFIT"), ("FREQUENCY", "FREQUENCY")],
)
TopOrder = graphene.Enum("TopProductsOrder", [("BEST", "BEST"), ("WORST", "WORST")])

SALES_DEFINITION = (
    "Counted sales are those not voided whose time falls between dateFrom and dateTo, both days inclusive "
    "in the shop's time zone."
)


class AmountCount(graphene.ObjectType):
    value = Money(required=True)
    count = graphene.Int(required=True)


class MethodTotalType(graphene.ObjectType):
    method = graphene.String(
        required=True, description="Tender, e.g. cash (net of change), card; refunds_paid is negative."
    )
    value = Money(required=True)
    count = graphene.Int(required=True, description="Number of sales (or refunds) using it.")


class SaleTypeTotal(graphene.ObjectType):
    sale_type = graphene.String(required=True, description="retail or wholesale")
    value = Money(required=True)
    count = graphene.Int(required=True)


class SalesStatsType(graphene.ObjectType):
    class Meta:
        description = f"Sales figures for a period. {SALES_DEFINITION}"

    total_sales = Money(
        required=True, description=f"Sum of the totals (tax included) of counted sales. {SALES_DEFINITION}"
    )
    total_transactions = graphene.Int(required=True, description="Number of counted sales.")
    average_sale_value = Money(
        required=True, description="totalSales / totalTransactions, half up to the cent; 0.00 when none."
    )
    customer_debt_incurred = graphene.Field(
        AmountCount,
        required=True,
        description="Money counted sales put on customer accounts, and how many sales did.",
    )
    total_refunds = Money(
        required=True, description="Refunds of returns approved in the period (by approval day)."
    )
    net_sales = Money(required=True, description="totalSales - totalRefunds.")
    gross_profit = Money(
        required=True,
        description="(totalSales - tax) - cost of goods sold (unit cost at sale time) - (refunds - their tax - cost of restocked goods).",
    )
    total_discounts = Money(required=True)
    total_tax = Money(required=True)
    by_payment_method = graphene.List(graphene.NonNull(MethodTotalType), required=True)
    by_sale_type = graphene.List(graphene.NonNull(SaleTypeTotal), required=True)

    @staticmethod
    def resolve_by_sale_type(stats, info):
        return [
            SaleTypeTotal(sale_type=kind, value=value, count=count)
            for kind, value, count in stats.by_sale_type
        ]


class BucketType(graphene.ObjectType):
    start = graphene.Date(required=True, description="First day of the bucket (weeks start on Monday).")
    revenue = Money(required=True)
    refunds = Money(required=True)
    net = Money(required=True)
    transactions = graphene.Int(required=True)


class ProfitAndLossType(graphene.ObjectType):
    revenue = Money(required=True, description="Totals of counted sales, tax included.")
    tax = Money(required=True)
    net_revenue = Money(required=True, description="Revenue - tax - (refunds - their tax).")
    discounts = Money(required=True)
    cost_of_goods_sold = Money(required=True, description="Unit costs recorded at sale time x quantities.")
    refunds = Money(required=True)
    refunds_tax = Money(required=True)
    restocked_cost = Money(required=True, description="Cost of returned goods put back on the shelf.")
    gross_profit = Money(required=True)
    margin_percent = graphene.String(required=True, description="grossProfit / netRevenue x 100, two places.")

    @staticmethod
    def resolve_margin_percent(pnl, info):
        return f"{pnl.margin_percent:.2f}"


class ProductPerformanceType(graphene.ObjectType):
    product = graphene.Field("products.schema.types.ProductType", required=True)
    quantity = Quantity(required=True)
    revenue = Money(required=True)
    profit = Money(required=True)
    frequency = graphene.Int(required=True, description="Number of sales containing the product.")


class DeadStockType(graphene.ObjectType):
    product = graphene.Field("products.schema.types.ProductType", required=True)
    quantity = Quantity(required=True)
    value_at_cost = Money(required=True)
    last_sold_at = graphene.DateTime()


class ValuationType(graphene.ObjectType):
    label = graphene.String(required=True)
    quantity = Quantity(required=True)
    at_cost = Money(required=True)
    at_retail = Money(required=True)


class InventoryValuationType(graphene.ObjectType):
    total = graphene.Field(
        ValuationType, required=True, description="Stock on hand (in transit not included)."
    )
    by_category = graphene.List(graphene.NonNull(ValuationType), required=True)
    by_location = graphene.List(graphene.NonNull(ValuationType), required=True)
    in_transit_quantity = Quantity(
        required=True,
        description="Units sent by a transfer and not yet received (to locationId when given): "
        "in no location's stock, still owned.",
    )
    in_transit_value = Money(
        required=True,
        description="Cost of the goods in transit, at the cost they left with. "
        "Stock owned = total.atCost + inTransitValue.",
    )


class AgingBucket(graphene.ObjectType):
    bucket = graphene.String(required=True, description="0-30, 31-60, 61-90 or over 90 days.")
    value = Money(required=True)


class DebtorType(graphene.ObjectType):
    customer = graphene.Field("customers.schema.CustomerType", required=True)
    balance = Money(required=True)


class OutstandingDebtType(graphene.ObjectType):
    total_owed = Money(required=True)
    customers_owing = graphene.Int(required=True)
    total_credit_held = Money(required=True, description="Store credit the shop holds for customers.")
    aging = graphene.List(
        graphene.NonNull(AgingBucket), required=True, description="Unpaid charges by age (oldest paid first)."
    )
    largest_debtors = graphene.List(graphene.NonNull(DebtorType), required=True)

    @staticmethod
    def resolve_aging(debt, info):
        return [AgingBucket(bucket=label, value=value) for label, value in debt.aging]


class GroupTotalType(graphene.ObjectType):
    label = graphene.String(required=True)
    value = Money(required=True)
    count = graphene.Int(required=True)
    quantity = Quantity()


def _location(location_id):
    return decode_id(location_id, "Location") if location_id else None


class Query(PurchasingReportsQuery, graphene.ObjectType):
    sales_stats = graphene.Field(
        SalesStatsType, description="Sales totals for a period (managers).", **_range_args()
    )
    revenue_by_period = graphene.List(
        graphene.NonNull(BucketType),
        description="Zero-filled revenue buckets, net of refunds.",
        **_range_args(granularity=Granularity(required=True)),
    )
    profit_and_loss = graphene.Field(ProfitAndLossType, **_range_args())
    top_products = graphene.List(
        graphene.NonNull(ProductPerformanceType),
        **_range_args(
            by=TopBy(default_value="REVENUE"),
            order=TopOrder(default_value="BEST"),
            limit=graphene.Int(default_value=10),
        ),
    )
    dead_stock = graphene.List(
        graphene.NonNull(DeadStockType), days=graphene.Int(default_value=90), location_id=graphene.ID()
    )
    inventory_valuation = graphene.Field(InventoryValuationType, location_id=graphene.ID())
    outstanding_debt = graphene.Field(OutstandingDebtType, limit=graphene.Int(default_value=10))
    sales_by_payment_method = graphene.List(graphene.NonNull(MethodTotalType), **_range_args())
    sales_by_cashier = graphene.List(graphene.NonNull(GroupTotalType), **_range_args())
    sales_by_category = graphene.List(graphene.NonNull(GroupTotalType), **_range_args())

    @role_required(Role.MANAGER)
    @_checked
    def resolve_sales_stats(root, info, date_from, date_to, location_id=None):
        return sales_figures.sales_stats_summary(
            date_from=date_from,
            date_to=date_to,
            location_id=_location(location_id),
            figures=_figures_asked(info),
        )

    @role_required(Role.MANAGER)
    @_checked
    def resolve_revenue_by_period(root, info, date_from, date_to, granularity, location_id=None):
        return revenue_periods.revenue_by_period(
            granularity=enum_value(granularity),
            date_from=date_from,
            date_to=date_to,
            location_id=_location(location_id),
            figures=_figures_asked(info),
        )

    @role_required(Role.MANAGER)
    @_checked
    def resolve_profit_and_loss(root, info, date_from, date_to, location_id=None):
        return profit.profit_and_loss_summary(
            date_from=date_from,
            date_to=date_to,
            location_id=_location(location_id),
            figures=_figures_asked(info),
        )

    @role_required(Role.MANAGER)
    @_checked
    def resolve_top_products(
        root, info, date_from, date_to, by="REVENUE", order="BEST", limit=10, location_id=None
    ):
        rows = product_performance.top_products(
            by=enum_value(by),
            order=enum_value(order),
            limit=limit,
            date_from=date_from,
            date_to=date_to,
            location_id=_location(location_id),
        )
        return [ProductPerformanceType(**r.__dict__) for r in rows]

    @role_required(Role.MANAGER)
    @_checked
    def resolve_dead_stock(root, info, days=90, location_id=None):
        return [
            DeadStockType(**r.__dict__)
            for r in stock.dead_stock(days=days, location_id=_location(location_id))
        ]

    @role_required(Role.MANAGER)
    @_checked
    def resolve_inventory_valuation(root, info, location_id=None):
        parts = stock.inventory_valuation(location_id=_location(location_id), figures=_figures_asked(info))
        return InventoryValuationType(**parts)

    @role_required(Role.MANAGER)
    @_checked
    def resolve_outstanding_debt(root, info, limit=10):
        return customer_debt.outstanding_debt_summary(limit=limit, figures=_figures_asked(info))

    @role_required(Role.MANAGER)
    @_checked
    def resolve_sales_by_payment_method(root, info, date_from, date_to, location_id=None):
        rows = sales_figures.sales_by_payment_method(
            date_from=date_from, date_to=date_to, location_id=_location(location_id)
        )
        return [MethodTotalType(method=m.method, value=m.value, count=m.count) for m in rows]

    @role_required(Role.MANAGER)
    @_checked
    def resolve_sales_by_cashier(root, info, date_from, date_to, location_id=None):
        rows = sales_breakdowns.sales_by_cashier(
            date_from=date_from, date_to=date_to, location_id=_location(location_id)
        )
        return [GroupTotalType(**g.__dict__) for g in rows]

    @role_required(Role.MANAGER)
    @_checked
    def resolve_sales_by_category(root, info, date_from, date_to, location_id=None):
        rows = sales_breakdowns.sales_by_category(
            date_from=date_from,
            date_to=date_to,
            location_id=_location(location_id),
            figures=_figures_asked(info),
        )
        return [GroupTotalType(**g.__dict__) for g in rows]
