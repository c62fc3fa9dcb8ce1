"""Purchase order mutations: draft, edit, order, cancel, receive."""

import graphene

from purchasing import selectors, services
from purchasing.schema.types import (
    PurchaseOrderType,
    PurchaseReceiptType,
)
from shared.graphql import BaseMutation, Money, Quantity, resolve_id
from shared.graphql import resolve_optional_id as optional_id
from shared.roles import Role

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


class DraftPurchaseOrdersFromSuggestionsInput(graphene.InputObjectType):
    location_id = graphene.ID(description="Default location when omitted.")
    supplier_id = graphene.ID(description="Only this supplier's products.")
    days = graphene.Int(default_value=30, description="Sales window for the velocity, in days.")
    cover_days = graphene.Int(default_value=14, description="Days of sales the order should cover.")


class DraftPurchaseOrdersFromSuggestions(BaseMutation):
    """Turn the reorder suggestions into one draft purchase order per supplier (managers).

    Errors: NOTHING_TO_REORDER, OUT_OF_RANGE (days).
    """

    purchase_orders = graphene.List(
        graphene.NonNull(PurchaseOrderType), description="The drafts, one per supplier."
    )
    required_role = Role.MANAGER

    class Arguments:
        input = DraftPurchaseOrdersFromSuggestionsInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        orders = services.draft_purchase_orders_from_suggestions(
            user=info.context.user,
            location_id=optional_id(input.location_id, "Location", field="locationId"),
            supplier_id=optional_id(input.supplier_id, "Supplier", field="supplierId"),
            days=input.days,
            cover_days=input.cover_days,
        )
        return {
            "purchase_orders": [selectors.get_purchase_order(purchase_order_id=po.pk) for po in orders],
            "message": f"{len(orders)} draft purchase order(s) ready to check.",
        }
