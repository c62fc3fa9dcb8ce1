"""GraphQL for purchasing: thin adapters over purchasing.services and purchasing.selectors."""

import graphene
from graphene_django import DjangoConnectionField

from purchasing import reorder, selectors
from purchasing.schema.orders import (
    CancelPurchaseOrder,
    CreatePurchaseOrder,
    DraftPurchaseOrdersFromSuggestions,
    OrderPurchaseOrder,
    ReceivePurchaseOrder,
    UpdatePurchaseOrder,
)
from purchasing.schema.stock import (
    FinalizeStocktake,
    ReceiveTransfer,
    RecordCount,
    ReturnToSupplier,
    SendTransfer,
    StartStocktake,
)
from purchasing.schema.types import (
    PurchaseOrderStatusEnum,
    PurchaseOrderType,
    ReorderSuggestionType,
    StocktakeStatusEnum,
    StocktakeType,
    StockTransferStatusEnum,
    StockTransferType,
    SupplierReturnType,
)
from shared.dates import check_days
from shared.errors import DomainError
from shared.graphql import Money, decode_id, enum_value, query_error
from shared.permissions import login_required, role_required
from shared.roles import Role

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
    stock_transfers = DjangoConnectionField(
        StockTransferType,
        status=StockTransferStatusEnum(),
        location_id=graphene.ID(description="Sent from or to this location."),
        description="Transfers, newest first (managers); status IN_TRANSIT is what is on the road.",
    )
    in_transit_value = Money(
        location_id=graphene.ID(description="Only what is on its way to this location."),
        description="Cost of the goods on the road (managers).",
    )
    reorder_suggestions = graphene.List(
        graphene.NonNull(ReorderSuggestionType),
        location_id=graphene.ID(description="Default location when omitted."),
        supplier_id=graphene.ID(),
        days=graphene.Int(default_value=30, description="Sales window for the velocity, in days."),
        cover_days=graphene.Int(default_value=14, description="Days of sales an order should cover."),
        description="What to reorder at a location, most urgent first (managers; at most 500 rows).",
    )
    supplier_returns = DjangoConnectionField(
        SupplierReturnType,
        supplier_id=graphene.ID(),
        description="Supplier returns, newest first (managers).",
    )

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
            status=enum_value(status),
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
            status=enum_value(status), location_id=decode_id(location_id, "Location") if location_id else None
        )

    @login_required
    def resolve_stocktake(root, info, id):
        pk = decode_id(id, "Stocktake")
        return selectors.get_stocktake(stocktake_id=pk) if pk else None

    @role_required(Role.MANAGER)
    def resolve_stock_transfers(root, info, status=None, location_id=None, **_):
        return selectors.list_stock_transfers(
            status=enum_value(status), location_id=decode_id(location_id, "Location") if location_id else None
        )

    @role_required(Role.MANAGER)
    def resolve_in_transit_value(root, info, location_id=None):
        return selectors.in_transit_value(
            location_id=decode_id(location_id, "Location") if location_id else None
        )

    @role_required(Role.MANAGER)
    def resolve_reorder_suggestions(root, info, location_id=None, supplier_id=None, days=30, cover_days=14):
        try:
            check_days(days, field="days", maximum=3650)
            check_days(cover_days, field="coverDays", maximum=3650)
        except DomainError as exc:
            raise query_error(exc) from None
        location = decode_id(location_id, "Location") if location_id else None
        return reorder.reorder_suggestions(
            location_id=location or selectors.default_location_id(),
            supplier_id=decode_id(supplier_id, "Supplier") if supplier_id else None,
            days=days,
            cover_days=cover_days,
        )

    @role_required(Role.MANAGER)
    def resolve_supplier_returns(root, info, supplier_id=None, **_):
        return selectors.list_supplier_returns(
            supplier_id=decode_id(supplier_id, "Supplier") if supplier_id else None
        )


class Mutation(graphene.ObjectType):
    create_purchase_order = CreatePurchaseOrder.Field()
    draft_purchase_orders_from_suggestions = DraftPurchaseOrdersFromSuggestions.Field()
    update_purchase_order = UpdatePurchaseOrder.Field()
    order_purchase_order = OrderPurchaseOrder.Field()
    cancel_purchase_order = CancelPurchaseOrder.Field()
    receive_purchase_order = ReceivePurchaseOrder.Field()
    start_stocktake = StartStocktake.Field()
    record_count = RecordCount.Field()
    finalize_stocktake = FinalizeStocktake.Field()
    return_to_supplier = ReturnToSupplier.Field()
    send_transfer = SendTransfer.Field()
    receive_transfer = ReceiveTransfer.Field()
