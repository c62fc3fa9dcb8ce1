"""Writes of the purchasing app. Import from here, not the submodules."""

from purchasing.services.orders import (
    OrderLineRequest,
    cancel_purchase_order,
    create_purchase_order,
    order_purchase_order,
    update_purchase_order_lines,
)
from purchasing.services.receiving import ReceiveLineRequest, allocate_by_value, receive_purchase_order
from purchasing.services.reorder import draft_purchase_orders_from_suggestions
from purchasing.services.stocktakes import finalize_stocktake, record_count, start_stocktake
from purchasing.services.supplier_returns import SupplierReturnLineRequest, return_to_supplier
from purchasing.services.transfers import ArrivalRequest, TransferLineRequest, receive_transfer, send_transfer

__all__ = [
    "ArrivalRequest",
    "OrderLineRequest",
    "ReceiveLineRequest",
    "SupplierReturnLineRequest",
    "TransferLineRequest",
    "allocate_by_value",
    "cancel_purchase_order",
    "create_purchase_order",
    "draft_purchase_orders_from_suggestions",
    "finalize_stocktake",
    "order_purchase_order",
    "receive_purchase_order",
    "receive_transfer",
    "record_count",
    "return_to_supplier",
    "send_transfer",
    "start_stocktake",
    "update_purchase_order_lines",
]
