from enum import StrEnum


class PurchasingErrorCode(StrEnum):
    """Stable codes for purchasing and stocktake refusals (never renamed once published)."""

    PO_NOT_EDITABLE = "PO_NOT_EDITABLE"
    PO_NOT_RECEIVABLE = "PO_NOT_RECEIVABLE"
    PO_NOT_CANCELLABLE = "PO_NOT_CANCELLABLE"
    OVER_RECEIPT = "OVER_RECEIPT"
    SUPPLIER_INACTIVE = "SUPPLIER_INACTIVE"
    STOCKTAKE_CLOSED = "STOCKTAKE_CLOSED"
    NOT_IN_STOCKTAKE_SCOPE = "NOT_IN_STOCKTAKE_SCOPE"
    NOTHING_COUNTED = "NOTHING_COUNTED"
