"""GraphQL types of purchasing documents (purchase orders, stocktakes, supplier returns, transfers)."""

import graphene
from graphene import relay
from graphene_django import DjangoObjectType

from purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    PurchaseReceiptLine,
    Stocktake,
    StocktakeCount,
    StocktakeLine,
    StockTransfer,
    StockTransferLine,
    SupplierReturn,
    SupplierReturnLine,
)
from shared.graphql import CountableConnection, Money, Quantity
from shared.money import q
from shared.roles import Role, has_role

PurchaseOrderStatusEnum = graphene.Enum.from_enum(
    PurchaseOrder.Status,
    name="PurchaseOrderStatus",
    description="DRAFT -> ORDERED -> PARTIALLY_RECEIVED -> RECEIVED, or CANCELLED before any receipt.",
)
StocktakeStatusEnum = graphene.Enum.from_enum(
    Stocktake.Status, name="StocktakeStatus", description="OPEN while counting, FINALIZED once posted."
)
StocktakeScopeEnum = graphene.Enum.from_enum(
    Stocktake.Scope, name="StocktakeScope", description="What a stocktake counts."
)
StocktakeCountModeEnum = graphene.Enum.from_enum(
    Stocktake.CountMode,
    name="StocktakeCountMode",
    description="LAST: a product's later count replaces the earlier one. SUM: its counts add up "
    "(several devices counting different shelves of one product).",
)
UncountedEnum = graphene.Enum.from_enum(
    Stocktake.Uncounted,
    name="UncountedStock",
    description="What finalizing does with stock in scope that nobody counted.",
)


# --- types ------------------------------------------------------------------------------------


class PurchaseOrderLineType(DjangoObjectType):
    quantity = Quantity(required=True, description="Quantity ordered.")
    unit_cost = Money(required=True, description="Agreed cost per unit (to the cent).")
    received_quantity = Quantity(required=True, description="Quantity received so far.")
    outstanding_quantity = Quantity(required=True, description="Still expected (never below zero).")
    line_total = Money(required=True, description="quantity x unit cost, to the cent.")

    class Meta:
        model = PurchaseOrderLine
        name = "PurchaseOrderLine"
        description = "One product on a purchase order."
        fields = ("id", "product")

    @staticmethod
    def resolve_outstanding_quantity(line, info):
        return max(line.quantity - line.received_quantity, 0)


class PurchaseReceiptLineType(DjangoObjectType):
    line_id = graphene.ID(required=True, description="The purchase order line received on.")
    product = graphene.Field("products.schema.types.ProductType", required=True, description="The product.")
    quantity = Quantity(required=True, description="Quantity received.")
    invoice_unit_cost = Money(required=True, description="The supplier invoice's cost per unit.")
    landed_cost_amount = Money(required=True, description="This line's share of the landed cost.")
    unit_cost = Money(
        required=True, description="Cost per unit that entered the moving average (invoice + landed share)."
    )
    price_variance_amount = Money(
        required=True, description="(invoice unit cost - PO unit cost) x quantity; positive = dearer."
    )

    class Meta:
        model = PurchaseReceiptLine
        name = "PurchaseReceiptLine"
        description = "Goods of one PO line in one delivery."
        fields = ("id", "batch_number", "expiry_date")

    @staticmethod
    def resolve_line_id(line, info):
        return line.order_line_id

    @staticmethod
    def resolve_product(line, info):
        return line.order_line.product


class PurchaseReceiptType(DjangoObjectType):
    landed_cost = Money(required=True, description="Freight, duty: spread over the lines by value.")
    lines = graphene.List(graphene.NonNull(PurchaseReceiptLineType), required=True)

    class Meta:
        model = PurchaseReceipt
        name = "PurchaseReceipt"
        description = "One delivery received against a purchase order."
        fields = ("id", "supplier_invoice", "received_by", "created_at")

    @staticmethod
    def resolve_lines(receipt, info):
        return receipt.lines.all()


class PurchaseOrderType(DjangoObjectType):
    status = PurchaseOrderStatusEnum(required=True)
    lines = graphene.List(graphene.NonNull(PurchaseOrderLineType), required=True)
    receipts = graphene.List(
        graphene.NonNull(PurchaseReceiptType), required=True, description="Deliveries, oldest first."
    )
    total = Money(required=True, description="Sum of the line totals.")

    class Meta:
        model = PurchaseOrder
        name = "PurchaseOrder"
        description = "An order to a supplier; its number is given when it is ordered (gapless per year)."
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "number",
            "supplier",
            "location",
            "expected_on",
            "note",
            "created_by",
            "ordered_by",
            "ordered_at",
            "cancelled_at",
            "created_at",
        )

    @staticmethod
    def resolve_lines(purchase_order, info):
        return purchase_order.lines.all()

    @staticmethod
    def resolve_receipts(purchase_order, info):
        return purchase_order.receipts.all()


class StocktakeCountType(DjangoObjectType):
    counted = Quantity(required=True)
    quantity_at_count = Quantity(required=True, description="What the system held when the count was posted.")
    last_movement_id = graphene.ID(description="The product's last stock movement at that moment.")

    class Meta:
        model = StocktakeCount
        name = "StocktakeCount"
        description = (
            "One posted count; the stocktake's countMode says whether the last count of a product "
            "(and batch) is posted or all of them added up."
        )
        fields = ("id", "product", "batch", "counted_by", "created_at")


MANAGERS_ONLY = " Null unless you are a manager or higher."


def _for_managers(value, info):
    """Costs are for managers: counting staff see the quantities of a stocktake, not its value."""
    return value if has_role(info.context.user, Role.MANAGER) else None


class StocktakeLineType(DjangoObjectType):
    counted = Quantity(description="Null when uncounted stock was set to zero.")
    quantity_at_count = Quantity(required=True)
    difference = Quantity(required=True, description="The adjustment posted (negative = shrinkage).")
    unit_cost = Money(description="Cost per unit of the adjustment." + MANAGERS_ONLY)
    variance_amount = Money(description="difference x unit cost, to the cent." + MANAGERS_ONLY)

    class Meta:
        model = StocktakeLine
        name = "StocktakeLine"
        description = "What finalizing found for one product (and batch)."
        fields = ("id", "product", "batch", "movement")

    @staticmethod
    def resolve_unit_cost(line, info):
        return _for_managers(line.unit_cost, info)

    @staticmethod
    def resolve_variance_amount(line, info):
        return _for_managers(line.variance_amount, info)


class StocktakeType(DjangoObjectType):
    status = StocktakeStatusEnum(required=True)
    scope = StocktakeScopeEnum(required=True)
    count_mode = StocktakeCountModeEnum(
        required=True, description="How repeated counts of a product combine."
    )
    uncounted = UncountedEnum(description="The choice made when finalizing.")
    label = graphene.String(required=True, description="Readable label, e.g. ST-12.")
    counts = graphene.List(graphene.NonNull(StocktakeCountType), required=True)
    lines = graphene.List(graphene.NonNull(StocktakeLineType), required=True)

    class Meta:
        model = Stocktake
        name = "Stocktake"
        description = "A count of the shelves at one location while the shop keeps selling."
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "location",
            "category",
            "note",
            "started_by",
            "finalized_by",
            "finalized_at",
            "created_at",
        )

    @staticmethod
    def resolve_uncounted(stocktake, info):
        return stocktake.uncounted or None

    @staticmethod
    def resolve_counts(stocktake, info):
        return stocktake.counts.all()

    @staticmethod
    def resolve_lines(stocktake, info):
        return stocktake.lines.all()


class SupplierReturnLineType(DjangoObjectType):
    quantity = Quantity(required=True)
    unit_cost = Money(required=True, description="Cost per unit of what went back (batch cost or average).")
    credit_amount = Money(required=True, description="Credit expected for this line: quantity x unit cost.")

    class Meta:
        model = SupplierReturnLine
        name = "SupplierReturnLine"
        description = "Goods of one product (and batch) sent back to the supplier."
        fields = ("id", "product", "batch", "reason")


class SupplierReturnType(DjangoObjectType):
    label = graphene.String(required=True, description="Readable label, e.g. SR-3.")
    credit_expected_amount = Money(required=True, description="Credit the shop expects from the supplier.")
    lines = graphene.List(graphene.NonNull(SupplierReturnLineType), required=True)

    class Meta:
        model = SupplierReturn
        name = "SupplierReturn"
        description = "Goods sent back to a supplier (expired, damaged, wrong)."
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = ("id", "supplier", "location", "note", "created_by", "created_at")

    @staticmethod
    def resolve_lines(supplier_return, info):
        return supplier_return.lines.all()


StockTransferStatusEnum = graphene.Enum.from_enum(
    StockTransfer.Status,
    name="StockTransferStatus",
    description="IN_TRANSIT until booked in at the destination.",
)


class StockTransferLineType(DjangoObjectType):
    quantity_sent = Quantity(required=True)
    quantity_received = Quantity(description="Null while on the road.")
    discrepancy = Quantity(description="Sent but never arrived (null while on the road).")
    unit_cost = Money(required=True, description="Cost per unit of what left the source.")
    value = Money(required=True, description="quantity sent x unit cost: its value on the road.")

    class Meta:
        model = StockTransferLine
        name = "StockTransferLine"
        description = "One product (and batch) on a transfer."
        fields = ("id", "product", "batch")

    @staticmethod
    def resolve_value(line, info):
        return q(line.quantity_sent * line.unit_cost)


class StockTransferType(DjangoObjectType):
    status = StockTransferStatusEnum(required=True)
    label = graphene.String(required=True, description="Readable label, e.g. TR-5.")
    lines = graphene.List(graphene.NonNull(StockTransferLineType), required=True)

    class Meta:
        model = StockTransfer
        name = "StockTransfer"
        description = "Stock sent between locations; on the road until received."
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "from_location",
            "to_location",
            "note",
            "sent_by",
            "received_by",
            "received_at",
            "created_at",
        )

    @staticmethod
    def resolve_lines(transfer, info):
        return transfer.lines.all()


class ReorderSuggestionType(graphene.ObjectType):
    product = graphene.Field("products.schema.types.ProductType", required=True)
    supplier = graphene.Field("products.schema.types.SupplierType", required=True)
    on_hand = Quantity(required=True, description="Stock at the location now.")
    on_order = Quantity(required=True, description="Still outstanding on ordered purchase orders to it.")
    sold = Quantity(required=True, description="Sold at the location over the window.")
    daily_sales = Quantity(required=True, description="Sold per day over the window.")
    suggested_quantity = Quantity(required=True, description="What to order (whole units).")
    unit_cost = Money(required=True, description="Moving average cost per unit.")

    class Meta:
        name = "ReorderSuggestion"
        description = "reorder level + daily sales x cover days - on hand - on order, when positive."

    @staticmethod
    def resolve_supplier(suggestion, info):
        return suggestion.product.supplier
