from enum import StrEnum


class OfflineErrorCode(StrEnum):
    # Device credentials (header X-POS-Device): refused before any work is done.
    DEVICE_REQUIRED = "DEVICE_REQUIRED"
    DEVICE_UNKNOWN = "DEVICE_UNKNOWN"
    DEVICE_REVOKED = "DEVICE_REVOKED"
    DEVICE_ALREADY_REVOKED = "DEVICE_ALREADY_REVOKED"
    REGISTER_RETIRED = "REGISTER_RETIRED"
    # Parked carts.
    CART_EXPIRED = "CART_EXPIRED"
    CART_NOT_PARKED = "CART_NOT_PARKED"
    CART_WRONG_LOCATION = "CART_WRONG_LOCATION"
    NOT_YOUR_CART = "NOT_YOUR_CART"
    # Catalogue sync: the cursor is older than the pruned change log; start a first sync.
    CURSOR_EXPIRED = "CURSOR_EXPIRED"
    # syncSales (docs/OFFLINE.md, "Sale sync").
    BATCH_TOO_LARGE = "BATCH_TOO_LARGE"
    DEVICE_MISMATCH = "DEVICE_MISMATCH"
    CLIENT_ID_REUSED = "CLIENT_ID_REUSED"
    SEQUENCE_REUSED = "SEQUENCE_REUSED"
    # resolveSyncException.
    SYNC_EXCEPTION_RESOLVED = "SYNC_EXCEPTION_RESOLVED"
    RESOLUTION_NOT_ALLOWED = "RESOLUTION_NOT_ALLOWED"
