"""Stock control mutations: stocktakes, supplier returns, transfers in transit."""

import graphene

from purchasing import selectors, services
from purchasing.models import (
    Stocktake,
)
from purchasing.schema.types import (
    StocktakeCountModeEnum,
    StocktakeCountType,
    StocktakeScopeEnum,
    StocktakeType,
    StockTransferType,
    SupplierReturnType,
    UncountedEnum,
)
from shared.graphql import BaseMutation, Quantity, enum_value, resolve_id
from shared.graphql import resolve_optional_id as optional_id
from shared.roles import Role

# --- stocktakes -----------------------------------------------------------------------------


class StartStocktakeInput(graphene.InputObjectType):
    location_id = graphene.ID(description="Where to count (default location when omitted).")
    scope = StocktakeScopeEnum(default_value=Stocktake.Scope.ALL.value)
    category_id = graphene.ID(description="With scope CATEGORY.")
    product_ids = graphene.List(graphene.NonNull(graphene.ID), description="With scope PRODUCTS.")
    note = graphene.String()
    count_mode = StocktakeCountModeEnum(
        default_value=Stocktake.CountMode.LAST.value,
        description="LAST (default): a later count of a product replaces the earlier one; SUM: counts add up.",
    )


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
            scope=enum_value(input.scope),
            category_id=optional_id(input.category_id, "Category", field="categoryId"),
            product_ids=[
                resolve_id(pid, "Product", field=f"productIds.{i}")
                for i, pid in enumerate(input.product_ids or [])
            ],
            note=input.note or "",
            count_mode=enum_value(input.count_mode),
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
    """Post a count (any staff, repeatable: the last count of a product and batch wins, or with the
    stocktake's countMode SUM every count adds to the earlier ones).

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
            uncounted=enum_value(input.uncounted),
        )
        return {
            "stocktake": selectors.get_stocktake(stocktake_id=stocktake.pk),
            "message": f"Stocktake {stocktake.label} finalized.",
        }


class SupplierReturnLineInput(graphene.InputObjectType):
    product_id = graphene.ID(required=True)
    batch_id = graphene.ID(description="Required for batch-tracked products; expired batches allowed.")
    quantity = Quantity(required=True)
    reason = graphene.String(required=True, description="Expired, damaged, wrong goods, ...")


class ReturnToSupplierInput(graphene.InputObjectType):
    supplier_id = graphene.ID(required=True)
    location_id = graphene.ID(description="Where the goods leave from (default location when omitted).")
    lines = graphene.List(graphene.NonNull(SupplierReturnLineInput), required=True)
    note = graphene.String()


class ReturnToSupplier(BaseMutation):
    """Send goods back to a supplier (managers); records the credit expected.

    Errors: INSUFFICIENT_STOCK, BATCH_REQUIRED, NOT_FOUND, REQUIRED (reason).
    """

    supplier_return = graphene.Field(SupplierReturnType)
    required_role = Role.MANAGER
    max_lengths = {"note": 2000, "lines.reason": 200}

    class Arguments:
        input = ReturnToSupplierInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        supplier_return = services.return_to_supplier(
            user=info.context.user,
            supplier_id=resolve_id(input.supplier_id, "Supplier", field="supplierId"),
            location_id=optional_id(input.location_id, "Location", field="locationId"),
            lines=[
                services.SupplierReturnLineRequest(
                    product_id=resolve_id(line.product_id, "Product", field=f"lines.{i}.productId"),
                    batch_id=optional_id(line.batch_id, "Batch", field=f"lines.{i}.batchId"),
                    quantity=line.quantity,
                    reason=line.reason,
                )
                for i, line in enumerate(input.lines or [])
            ],
            note=input.note or "",
        )
        return {
            "supplier_return": selectors.get_supplier_return(supplier_return_id=supplier_return.pk),
            "message": f"{supplier_return.label}: {supplier_return.credit_expected_amount} credit expected.",
        }


class TransferLineInput(graphene.InputObjectType):
    product_id = graphene.ID(required=True)
    quantity = Quantity(required=True)


class SendTransferInput(graphene.InputObjectType):
    from_location_id = graphene.ID(description="Where the goods leave (default location when omitted).")
    to_location_id = graphene.ID(required=True)
    lines = graphene.List(graphene.NonNull(TransferLineInput), required=True)
    note = graphene.String()


class SendTransfer(BaseMutation):
    """Send stock to another location (managers): it leaves now and is in transit until received.

    Errors: INSUFFICIENT_STOCK (field lines), SAME_LOCATION, NOT_FOUND.
    """

    transfer = graphene.Field(StockTransferType)
    required_role = Role.MANAGER
    max_lengths = {"note": 2000}

    class Arguments:
        input = SendTransferInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        transfer = services.send_transfer(
            user=info.context.user,
            from_location_id=optional_id(input.from_location_id, "Location", field="fromLocationId"),
            to_location_id=resolve_id(input.to_location_id, "Location", field="toLocationId"),
            lines=[
                services.TransferLineRequest(
                    product_id=resolve_id(line.product_id, "Product", field=f"lines.{i}.productId"),
                    quantity=line.quantity,
                )
                for i, line in enumerate(input.lines or [])
            ],
            note=input.note or "",
        )
        return {
            "transfer": selectors.get_stock_transfer(transfer_id=transfer.pk),
            "message": f"{transfer.label} is on its way.",
        }


class ArrivalInput(graphene.InputObjectType):
    line_id = graphene.ID(required=True)
    quantity_received = Quantity(required=True)


class ReceiveTransferInput(graphene.InputObjectType):
    transfer_id = graphene.ID(required=True)
    lines = graphene.List(
        graphene.NonNull(ArrivalInput),
        description="Lines that arrived short; lines not listed arrived in full.",
    )
    note = graphene.String()


class ReceiveTransfer(BaseMutation):
    """Book a transfer in at its destination (managers); shortfalls are recorded as discrepancies.

    Errors: TRANSFER_ALREADY_RECEIVED, RECEIVED_MORE_THAN_SENT, NOT_FOUND.
    """

    transfer = graphene.Field(StockTransferType)
    required_role = Role.MANAGER
    max_lengths = {"note": 150}

    class Arguments:
        input = ReceiveTransferInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        transfer = services.receive_transfer(
            user=info.context.user,
            transfer_id=resolve_id(input.transfer_id, "StockTransfer", field="transferId"),
            arrivals=[
                services.ArrivalRequest(
                    line_id=resolve_id(line.line_id, "StockTransferLine", field=f"lines.{i}.lineId"),
                    quantity_received=line.quantity_received,
                )
                for i, line in enumerate(input.lines or [])
            ],
            note=input.note or "",
        )
        return {
            "transfer": selectors.get_stock_transfer(transfer_id=transfer.pk),
            "message": f"{transfer.label} received.",
        }
