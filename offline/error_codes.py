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
