"""GraphQL for the purchasing reports (managers): thin adapters over purchasing.reports.

Here rather than in purchasing/ so they share the other reports' argument checks (dates, spans,
`limit` up to REPORT_MAX_ROWS, coded top-level errors before any query), their `Granularity` enum
and their selection-aware reads.
"""

import graphene

from purchasing import reports
from reports.schema_common import REPORT_MAX_ROWS, Granularity, checked, figures_asked, range_args
from shared.graphql import Money, Quantity, decode_id, enum_value
from shared.permissions import role_required
from shared.roles import Role

ShrinkageGroup = graphene.Enum(
    "ShrinkageGroupBy",
    [("PRODUCT", "PRODUCT"), ("CATEGORY", "CATEGORY"), ("REASON", "REASON")],
    description="How shrinkage rows are grouped.",
)
LIMIT = f"At most this many rows (1 to {REPORT_MAX_ROWS})."
PERIOD = "between dateFrom and dateTo, both days inclusive in the shop's time zone"


class SupplierPeriodType(graphene.ObjectType):
    class Meta:
        name = "SupplierPurchases"
        description = "What was ordered from and received from one supplier in one period."

    start = graphene.Date(required=True, description="First day of the period (weeks start on Monday).")
    supplier = graphene.Field("products.schema.types.SupplierType", required=True)
    orders = graphene.Int(required=True, description="Purchase orders placed in the period (not cancelled).")
    ordered_lines = graphene.Int(required=True, description="Lines of those orders.")
    ordered_value = Money(required=True, description="Sum of their line totals (quantity x PO cost).")
    received_lines = graphene.Int(
        required=True, description="Receipt lines of deliveries received in the period."
    )
    received_value = Money(
        required=True, description="What they cost at the invoice cost (landed cost apart)."
    )
    received_at_order_cost = Money(required=True, description="The same goods at the PO cost.")
    landed_cost = Money(required=True, description="Freight and duty of those deliveries.")
    price_variance = Money(
        required=True, description="receivedValue - receivedAtOrderCost; positive = dearer than ordered."
    )


class StockOnOrderType(graphene.ObjectType):
    class Meta:
        name = "StockOnOrder"
        description = (
            "Outstanding on ORDERED and PARTIALLY_RECEIVED purchase orders for one product and location."
        )

    product = graphene.Field("products.schema.types.ProductType", required=True)
    location = graphene.Field("products.schema.types.LocationType", required=True)
    quantity = Quantity(required=True, description="Ordered - received (lines received in full are done).")
    value = Money(required=True, description="quantity x PO unit cost, per line to the cent.")
    expected_on = graphene.Date(description="Earliest expected day among the orders (null: none given).")
    purchase_orders = graphene.Int(required=True, description="Open purchase orders it is on.")


class PriceHistoryType(graphene.ObjectType):
    class Meta:
        name = "SupplierPriceHistoryEntry"
        description = (
            "One receipt line: what the supplier charged per unit against the purchase order's cost."
        )

    product = graphene.Field("products.schema.types.ProductType", required=True)
    supplier = graphene.Field("products.schema.types.SupplierType", required=True)
    received_at = graphene.DateTime(required=True, description="When the delivery was received.")
    purchase_order_number = graphene.String(required=True)
    quantity = Quantity(required=True)
    order_unit_cost = graphene.String(required=True, description="PO cost per unit (4 decimal places).")
    invoice_unit_cost = graphene.String(required=True, description="Invoice cost per unit (4 places).")
    landed_unit_cost = graphene.String(
        required=True, description="Invoice cost plus the landed-cost share per unit: what entered stock."
    )
    price_variance = Money(required=True, description="(invoice - PO unit cost) x quantity, to the cent.")

    @staticmethod
    def resolve_product(line, info):
        return line.order_line.product

    @staticmethod
    def resolve_supplier(line, info):
        return line.receipt.purchase_order.supplier

    @staticmethod
    def resolve_received_at(line, info):
        return line.receipt.created_at

    @staticmethod
    def resolve_purchase_order_number(line, info):
        return line.receipt.purchase_order.number or ""

    @staticmethod
    def resolve_order_unit_cost(line, info):
        return f"{line.order_line.unit_cost:.4f}"

    @staticmethod
    def resolve_invoice_unit_cost(line, info):
        return f"{line.invoice_unit_cost:.4f}"

    @staticmethod
    def resolve_landed_unit_cost(line, info):
        return f"{line.unit_cost:.4f}"

    @staticmethod
    def resolve_price_variance(line, info):
        return line.price_variance_amount


class ShrinkageType(graphene.ObjectType):
    class Meta:
        name = "ShrinkageRow"
        description = "Stock lost or found other than by trade, at cost, for one product, category or reason."

    label = graphene.String(required=True, description="Product name, category name or reason.")
    product = graphene.Field("products.schema.types.ProductType", description="With groupBy PRODUCT.")
    quantity_lost = Quantity(required=True)
    quantity_found = Quantity(required=True)
    net_quantity = Quantity(required=True, description="found - lost (negative = shrinkage).")
    value_lost = Money(required=True, description="At the movements' cost (batch cost or moving average).")
    value_found = Money(required=True)
    net_value = Money(required=True, description="valueFound - valueLost.")
    movements = graphene.Int(required=True, description="Ledger movements summed.")


def _pk(value, type_name):
    return decode_id(value, type_name) if value else None


class PurchasingReportsQuery(graphene.ObjectType):
    purchases_by_supplier = graphene.List(
        graphene.NonNull(SupplierPeriodType),
        description="Ordered and received value per supplier and period (managers). A row for each period "
        f"and supplier with an order placed or a delivery received {PERIOD}; selecting only ordered "
        "(or only received) figures reads only those, and only their rows.",
        granularity=Granularity(required=True),
        supplier_id=graphene.ID(),
        **range_args(),
    )
    stock_on_order = graphene.List(
        graphene.NonNull(StockOnOrderType),
        description="What is still to come on open purchase orders, per product and location, soonest "
        "expected first (managers).",
        location_id=graphene.ID(),
        supplier_id=graphene.ID(),
        product_id=graphene.ID(),
        limit=graphene.Int(default_value=100, description=LIMIT),
    )
    supplier_price_history = graphene.List(
        graphene.NonNull(PriceHistoryType),
        description=f"Every receipt line received {PERIOD}, by product, supplier, then date (managers).",
        product_id=graphene.ID(),
        supplier_id=graphene.ID(),
        limit=graphene.Int(default_value=100, description=LIMIT),
        **range_args(),
    )
    shrinkage = graphene.List(
        graphene.NonNull(ShrinkageType),
        description=f"Stock adjustments and write-offs {PERIOD}, at cost, largest loss first (managers): "
        "stocktake differences, manual adjustments, goods missing in transit, returns written off "
        "(supplier returns are not losses).",
        group_by=ShrinkageGroup(required=True),
        stocktakes_only=graphene.Boolean(
            default_value=False, description="Only stocktake differences (the stocktake variance report)."
        ),
        limit=graphene.Int(default_value=100, description=LIMIT),
        **range_args(),
    )

    @role_required(Role.MANAGER)
    @checked
    def resolve_purchases_by_supplier(
        root, info, granularity, date_from, date_to, supplier_id=None, location_id=None
    ):
        return reports.purchases_by_supplier(
            granularity=enum_value(granularity),
            date_from=date_from,
            date_to=date_to,
            supplier_id=_pk(supplier_id, "Supplier"),
            location_id=_pk(location_id, "Location"),
            figures=figures_asked(info),
        )

    @role_required(Role.MANAGER)
    @checked
    def resolve_stock_on_order(root, info, location_id=None, supplier_id=None, product_id=None, limit=100):
        return reports.stock_on_order(
            location_id=_pk(location_id, "Location"),
            supplier_id=_pk(supplier_id, "Supplier"),
            product_id=_pk(product_id, "Product"),
            limit=limit,
            figures=figures_asked(info),
        )

    @role_required(Role.MANAGER)
    @checked
    def resolve_supplier_price_history(
        root, info, date_from, date_to, product_id=None, supplier_id=None, location_id=None, limit=100
    ):
        return reports.supplier_price_history(
            date_from=date_from,
            date_to=date_to,
            product_id=_pk(product_id, "Product"),
            supplier_id=_pk(supplier_id, "Supplier"),
            location_id=_pk(location_id, "Location"),
            limit=limit,
        )

    @role_required(Role.MANAGER)
    @checked
    def resolve_shrinkage(
        root, info, group_by, date_from, date_to, stocktakes_only=False, location_id=None, limit=100
    ):
        return reports.shrinkage(
            group_by=enum_value(group_by),
            date_from=date_from,
            date_to=date_to,
            location_id=_pk(location_id, "Location"),
            stocktakes_only=stocktakes_only,
            limit=limit,
            figures=figures_asked(info),
        )
