"""Stock mutations: receive, adjust and transfer stock. Each calls one products service."""

from __future__ import annotations

import graphene

from products import services
from products.schema.lookups import find_batch, find_location, find_product, reload_product
from products.schema.types import ProductType, StockMovementType
from shared.graphql import BaseMutation, Money, Quantity
from shared.roles import Role


class ReceiveStockInput(graphene.InputObjectType):
    product_id = graphene.ID(required=True, description="The product received.")
    quantity = Quantity(required=True, description="Quantity received (> 0).")
    unit_cost = Money(required=True, description='Cost per unit, up to four decimal places ("4.25").')
    location_id = graphene.ID(description="Where the goods go (default location when omitted).")
    batch_number = graphene.String(description="Lot number (required for batch-tracked products).")
    expiry_date = graphene.Date(description="Expiry date of the batch (required for batch-tracked products).")
    note = graphene.String(description="Delivery note, invoice number, ...")


class ReceiveStock(BaseMutation):
    """Receive goods into stock (managers); updates the moving average cost."""

    movement = graphene.Field(StockMovementType, description="The receipt's ledger row.")
    product = graphene.Field(ProductType, description="The product with its new stock.")
    required_role = Role.MANAGER
    max_lengths = {"batchNumber": "products.Batch.batch_number", "note": "products.StockMovement.reason"}

    class Arguments:
        input = ReceiveStockInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        movement = services.receive_stock(
            user=info.context.user,
            product=find_product(input["product_id"]),
            location=find_location(input.get("location_id")),
            quantity=input["quantity"],
            unit_cost=input["unit_cost"],
            batch_number=input.get("batch_number"),
            expiry_date=input.get("expiry_date"),
            note=input.get("note") or "",
        )
        return {"movement": movement, "product": reload_product(movement.product)}


class AdjustStockInput(graphene.InputObjectType):
    product_id = graphene.ID(required=True, description="The product counted.")
    location_id = graphene.ID(description="Where (default location when omitted).")
    counted_quantity = Quantity(description="Set stock to this counted quantity...")
    delta = Quantity(description='...or change it by this amount ("-2" removes two).')
    batch_id = graphene.ID(description="The batch (required for batch-tracked products).")
    reason = graphene.String(required=True, description="Why (stock count, damage, theft, ...).")


class AdjustStock(BaseMutation):
    """Correct stock to a counted quantity or by a delta (managers, reason required)."""

    movement = graphene.Field(StockMovementType, description="The adjustment's ledger row.")
    product = graphene.Field(ProductType, description="The product with its new stock.")
    required_role = Role.MANAGER
    max_lengths = {"reason": "products.StockMovement.reason"}

    class Arguments:
        input = AdjustStockInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        movement = services.adjust_stock(
            user=info.context.user,
            product=find_product(input["product_id"]),
            location=find_location(input.get("location_id")),
            reason=input["reason"],
            counted_quantity=input.get("counted_quantity"),
            delta=input.get("delta"),
            batch=find_batch(input.get("batch_id")),
        )
        return {"movement": movement, "product": reload_product(movement.product)}


class TransferStockInput(graphene.InputObjectType):
    product_id = graphene.ID(required=True, description="The product moved.")
    from_location_id = graphene.ID(required=True, description="Where the goods leave.")
    to_location_id = graphene.ID(required=True, description="Where the goods arrive.")
    quantity = Quantity(required=True, description="Quantity moved (> 0).")
    batch_id = graphene.ID(description="Move this batch (default: first expiry first).")
    note = graphene.String(description="Free text.")


class TransferStock(BaseMutation):
    """Move stock from one location to another (managers)."""

    movements = graphene.List(
        graphene.NonNull(StockMovementType), description="The transfer-out and transfer-in ledger rows."
    )
    product = graphene.Field(ProductType, description="The product with its new stock.")
    required_role = Role.MANAGER
    max_lengths = {"note": "products.StockMovement.reason"}

    class Arguments:
        input = TransferStockInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        product = find_product(input["product_id"])
        result = services.transfer_stock(
            user=info.context.user,
            product=product,
            from_location=find_location(input["from_location_id"], "fromLocationId"),
            to_location=find_location(input["to_location_id"], "toLocationId"),
            quantity=input["quantity"],
            batch=find_batch(input.get("batch_id")),
            note=input.get("note") or "",
        )
        return {"movements": result.out_movements + result.in_movements, "product": reload_product(product)}
