"""GraphQL for purchase orders, deliveries and stocktakes: thin adapters over services/selectors."""

import graphene
from graphene import relay
from graphene_django import DjangoConnectionField, DjangoObjectType

from purchasing import selectors, services
from purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    PurchaseReceiptLine,
    Stocktake,
    StocktakeCount,
    StocktakeLine,
)
from shared.graphql import BaseMutation, CountableConnection, Money, Quantity, decode_id, resolve_id
from shared.graphql import resolve_optional_id as optional_id
from shared.money import q
from shared.permissions import login_required, role_required
from shared.roles import Role

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
UncountedEnum = graphene.Enum.from_enum(
    Stocktake.Uncounted,
    name="UncountedStock",
    description="What finalizing does with stock in scope that nobody counted.",
)


def _value(member):
    return getattr(member, "value", member)


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

    @staticmethod
    def resolve_line_total(line, info):
        return q(line.quantity * line.unit_cost)


class PurchaseReceiptLineType(DjangoObjectType):
    line_id = graphene.ID(required=True, description="The purchase order line received on.")
    product = graphene.Field("products.schema.ProductType", required=True, description="The product.")
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

    @staticmethod
    def resolve_total(purchase_order, info):
        return sum((q(line.quantity * line.unit_cost) for line in purchase_order.lines.all()), q(0))


class StocktakeCountType(DjangoObjectType):
    counted = Quantity(required=True)
    quantity_at_count = Quantity(required=True, description="What the system held when the count was posted.")
    last_movement_id = graphene.ID(description="The product's last stock movement at that moment.")

    class Meta:
        model = StocktakeCount
        name = "StocktakeCount"
        description = "One posted count; the last count of a product (and batch) is the one posted."
        fields = ("id", "product", "batch", "counted_by", "created_at")


class StocktakeLineType(DjangoObjectType):
    counted = Quantity(description="Null when uncounted stock was set to zero.")
    quantity_at_count = Quantity(required=True)
    difference = Quantity(required=True, description="The adjustment posted (negative = shrinkage).")
    unit_cost = Money(required=True)
    variance_amount = Money(required=True, description="difference x unit cost, to the cent.")

    class Meta:
        model = StocktakeLine
        name = "StocktakeLine"
        description = "What finalizing found for one product (and batch)."
        fields = ("id", "product", "batch", "movement")


class StocktakeType(DjangoObjectType):
    status = StocktakeStatusEnum(required=True)
    scope = StocktakeScopeEnum(required=True)
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


# --- purchase orders ------------------------------------------------------------------------


class PurchaseOrderLineInput(graphene.InputObjectType):
    product_id = graphene.ID(required=True)
    quantity = Quantity(required=True)
    unit_cost = Money(required=True, description="Agreed cost per unit (up to 4 decimal places).")


class CreatePurchaseOrderInput(graphene.InputObjectType):
    supplier_id = graphene.ID(required=True)
    location_id = graphene.ID(description="Where the goods go (default location when omitted).")
    lines = graphene.List(graphene.NonNull(PurchaseOrderLineInput), required=True)
    expected_on = graphene.Date()
    note = graphene.String()


def _order_lines(lines) -> list[services.OrderLineRequest]:
    return [
        services.OrderLineRequest(
            product_id=resolve_id(line.product_id, "Product", field=f"lines.{i}.productId"),
            quantity=line.quantity,
            unit_cost=line.unit_cost,
        )
        for i, line in enumerate(lines or [])
    ]


def _payload(purchase_order, message: str) -> dict:
    return {
        "purchase_order": selectors.get_purchase_order(purchase_order_id=purchase_order.pk),
        "message": message,
    }


class CreatePurchaseOrder(BaseMutation):
    """Draft a purchase order (managers). Errors: NOT_FOUND, SUPPLIER_INACTIVE, INVALID."""

    purchase_order = graphene.Field(PurchaseOrderType)
    required_role = Role.MANAGER
    max_lengths = {"note": 2000}

    class Arguments:
        input = CreatePurchaseOrderInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        purchase_order = services.create_purchase_order(
            user=info.context.user,
            supplier_id=resolve_id(input.supplier_id, "Supplier", field="supplierId"),
            location_id=optional_id(input.location_id, "Location", field="locationId"),
            lines=_order_lines(input.lines),
            expected_on=input.expected_on,
            note=input.note or "",
        )
        return _payload(purchase_order, "Purchase order drafted.")


class UpdatePurchaseOrderInput(graphene.InputObjectType):
    purchase_order_id = graphene.ID(required=True)
    lines = graphene.List(graphene.NonNull(PurchaseOrderLineInput), required=True)


class UpdatePurchaseOrder(BaseMutation):
    """Replace the lines of a draft purchase order (managers). Errors: PO_NOT_EDITABLE, NOT_FOUND."""

    purchase_order = graphene.Field(PurchaseOrderType)
    required_role = Role.MANAGER

    class Arguments:
        input = UpdatePurchaseOrderInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        purchase_order = services.update_purchase_order_lines(
            user=info.context.user,
            purchase_order_id=resolve_id(input.purchase_order_id, "PurchaseOrder", field="purchaseOrderId"),
            lines=_order_lines(input.lines),
        )
        return _payload(purchase_order, "Purchase order updated.")


class PurchaseOrderIdInput(graphene.InputObjectType):
    purchase_order_id = graphene.ID(required=True)


class OrderPurchaseOrder(BaseMutation):
    """Place a draft order (managers): it gets its PO number. Errors: PO_NOT_EDITABLE, SUPPLIER_INACTIVE."""

    purchase_order = graphene.Field(PurchaseOrderType)
    required_role = Role.MANAGER

    class Arguments:
        input = PurchaseOrderIdInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        purchase_order = services.order_purchase_order(
            user=info.context.user,
            purchase_order_id=resolve_id(input.purchase_order_id, "PurchaseOrder", field="purchaseOrderId"),
        )
        return _payload(purchase_order, f"Ordered as {purchase_order.number}.")


class CancelPurchaseOrder(BaseMutation):
    """Cancel an order nothing was received on (managers). Errors: PO_NOT_CANCELLABLE."""

    purchase_order = graphene.Field(PurchaseOrderType)
    required_role = Role.MANAGER

    class Arguments:
        input = PurchaseOrderIdInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        purchase_order = services.cancel_purchase_order(
            user=info.context.user,
            purchase_order_id=resolve_id(input.purchase_order_id, "PurchaseOrder", field="purchaseOrderId"),
        )
        return _payload(purchase_order, "Purchase order cancelled.")


class ReceiveLineInput(graphene.InputObjectType):
    line_id = graphene.ID(required=True, description="The purchase order line.")
    quantity = Quantity(required=True)
    unit_cost = Money(description="The invoice's cost per unit (the PO's when omitted).")
    batch_number = graphene.String(description="Required for batch-tracked products.")
    expiry_date = graphene.Date()


class ReceivePurchaseOrderInput(graphene.InputObjectType):
    purchase_order_id = graphene.ID(required=True)
    lines = graphene.List(graphene.NonNull(ReceiveLineInput), required=True)
    supplier_invoice = graphene.String()
    landed_cost = Money(description="Freight, duty: spread over the lines by value into their cost.")
    allow_over_receipt = graphene.Boolean(
        default_value=False, description="Accept more than is still outstanding on a line."
    )


class ReceivePurchaseOrder(BaseMutation):
    """Receive a delivery on an ordered purchase order (managers).

    Errors: PO_NOT_RECEIVABLE, OVER_RECEIPT, NOT_FOUND, BATCH_REQUIRED, BATCH_EXPIRED, BATCH_MISMATCH.
    """

    purchase_order = graphene.Field(PurchaseOrderType)
    receipt = graphene.Field(PurchaseReceiptType, description="The delivery just recorded.")
    required_role = Role.MANAGER
    max_lengths = {"supplierInvoice": 64, "lines.batchNumber": 64}

    class Arguments:
        input = ReceivePurchaseOrderInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        receipt = services.receive_purchase_order(
            user=info.context.user,
            purchase_order_id=resolve_id(input.purchase_order_id, "PurchaseOrder", field="purchaseOrderId"),
            lines=[
                services.ReceiveLineRequest(
                    line_id=resolve_id(line.line_id, "PurchaseOrderLine", field=f"lines.{i}.lineId"),
                    quantity=line.quantity,
                    unit_cost=line.unit_cost,
                    batch_number=line.batch_number,
                    expiry_date=line.expiry_date,
                )
                for i, line in enumerate(input.lines or [])
            ],
            supplier_invoice=input.supplier_invoice or "",
            landed_cost=input.landed_cost,
            allow_over_receipt=bool(input.allow_over_receipt),
        )
        purchase_order = selectors.get_purchase_order(purchase_order_id=receipt.purchase_order_id)
        delivery = next(r for r in purchase_order.receipts.all() if r.pk == receipt.pk)
        return {"purchase_order": purchase_order, "receipt": delivery, "message": "Delivery received."}


# --- stocktakes -----------------------------------------------------------------------------


class StartStocktakeInput(graphene.InputObjectType):
    location_id = graphene.ID(description="Where to count (default location when omitted).")
    scope = StocktakeScopeEnum(default_value=Stocktake.Scope.ALL.value)
    category_id = graphene.ID(description="With scope CATEGORY.")
    product_ids = graphene.List(graphene.NonNull(graphene.ID), description="With scope PRODUCTS.")
    note = graphene.String()


class StartStocktake(BaseMutation):
    """Open a stocktake (managers); the shop keeps selling while it is counted."""

    stocktake = graphene.Field(StocktakeType)
    required_role = Role.MANAGER
    max_lengths = {"note": 2000}

    class Arguments:
        input = StartStocktakeInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        stocktake = services.start_stocktake(
            user=info.context.user,
            location_id=optional_id(input.location_id, "Location", field="locationId"),
            scope=_value(input.scope),
            category_id=optional_id(input.category_id, "Category", field="categoryId"),
            product_ids=[
                resolve_id(pid, "Product", field=f"productIds.{i}")
                for i, pid in enumerate(input.product_ids or [])
            ],
            note=input.note or "",
        )
        return {
            "stocktake": selectors.get_stocktake(stocktake_id=stocktake.pk),
            "message": f"Stocktake {stocktake.label} started.",
        }


class RecordCountInput(graphene.InputObjectType):
    stocktake_id = graphene.ID(required=True)
    product_id = graphene.ID(description="The product counted; or give a scanned code.")
    code = graphene.String(description="A scanned barcode, QR payload or SKU.")
    batch_id = graphene.ID(description="Required for batch-tracked products.")
    counted = Quantity(required=True)


class RecordCount(BaseMutation):
    """Post a count (any staff, repeatable: the last count of a product and batch wins).

    Errors: STOCKTAKE_CLOSED, NOT_IN_STOCKTAKE_SCOPE, NOT_FOUND, REQUIRED (batchId).
    """

    count = graphene.Field(StocktakeCountType)
    required_role = Role.CASHIER
    max_lengths = {"code": 200}

    class Arguments:
        input = RecordCountInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        count = services.record_count(
            user=info.context.user,
            stocktake_id=resolve_id(input.stocktake_id, "Stocktake", field="stocktakeId"),
            product_id=optional_id(input.product_id, "Product", field="productId"),
            code=input.code,
            batch_id=optional_id(input.batch_id, "Batch", field="batchId"),
            counted=input.counted,
        )
        return {"count": count, "message": "Count recorded."}


class FinalizeStocktakeInput(graphene.InputObjectType):
    stocktake_id = graphene.ID(required=True)
    uncounted = UncountedEnum(required=True, description="LEAVE or ZERO stock in scope nobody counted.")


class FinalizeStocktake(BaseMutation):
    """Post one adjustment per difference and close the stocktake (managers).

    Errors: STOCKTAKE_CLOSED, NOTHING_COUNTED, INSUFFICIENT_STOCK.
    """

    stocktake = graphene.Field(StocktakeType)
    required_role = Role.MANAGER

    class Arguments:
        input = FinalizeStocktakeInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        stocktake = services.finalize_stocktake(
            user=info.context.user,
            stocktake_id=resolve_id(input.stocktake_id, "Stocktake", field="stocktakeId"),
            uncounted=_value(input.uncounted),
        )
        return {
            "stocktake": selectors.get_stocktake(stocktake_id=stocktake.pk),
            "message": f"Stocktake {stocktake.label} finalized.",
        }


# --- root -----------------------------------------------------------------------------------


class Query(graphene.ObjectType):
    purchase_orders = DjangoConnectionField(
        PurchaseOrderType,
        status=PurchaseOrderStatusEnum(),
        supplier_id=graphene.ID(),
        location_id=graphene.ID(),
        date_from=graphene.Date(),
        date_to=graphene.Date(),
        search=graphene.String(description="Part of a PO number."),
        description="Purchase orders, newest first (managers).",
    )
    purchase_order = graphene.Field(
        PurchaseOrderType, id=graphene.ID(required=True), description="One purchase order by id or number."
    )
    stocktakes = DjangoConnectionField(
        StocktakeType,
        status=StocktakeStatusEnum(),
        location_id=graphene.ID(),
        description="Stocktakes, newest first (any staff: counting devices find the open one).",
    )
    stocktake = graphene.Field(StocktakeType, id=graphene.ID(required=True), description="One stocktake.")

    @role_required(Role.MANAGER)
    def resolve_purchase_orders(
        root,
        info,
        status=None,
        supplier_id=None,
        location_id=None,
        date_from=None,
        date_to=None,
        search=None,
        **_,
    ):
        return selectors.list_purchase_orders(
            status=_value(status),
            supplier_id=decode_id(supplier_id, "Supplier") if supplier_id else None,
            location_id=decode_id(location_id, "Location") if location_id else None,
            date_from=date_from,
            date_to=date_to,
            search=search,
        )

    @role_required(Role.MANAGER)
    def resolve_purchase_order(root, info, id):
        return selectors.find_purchase_order(identifier=id)

    @login_required
    def resolve_stocktakes(root, info, status=None, location_id=None, **_):
        return selectors.list_stocktakes(
            status=_value(status), location_id=decode_id(location_id, "Location") if location_id else None
        )

    @login_required
    def resolve_stocktake(root, info, id):
        pk = decode_id(id, "Stocktake")
        return selectors.get_stocktake(stocktake_id=pk) if pk else None


class Mutation(graphene.ObjectType):
    create_purchase_order = CreatePurchaseOrder.Field()
    update_purchase_order = UpdatePurchaseOrder.Field()
    order_purchase_order = OrderPurchaseOrder.Field()
    cancel_purchase_order = CancelPurchaseOrder.Field()
    receive_purchase_order = ReceivePurchaseOrder.Field()
    start_stocktake = StartStocktake.Field()
    record_count = RecordCount.Field()
    finalize_stocktake = FinalizeStocktake.Field()
