"""Every write of the offline app: devices (devices.py), parked carts (carts.py), sale sync (sync.py),
the settling of its exceptions (exceptions.py) and change-log pruning (pruning.py)."""

from offline.services.carts import CartLineInput, discard_cart, park_cart, resume_cart
from offline.services.devices import (
    RegisteredDevice,
    authenticate_device,
    device_from_request,
    register_device,
    revoke_device,
)
from offline.services.exceptions import resolve_sync_exception
from offline.services.pruning import PruneResult, prune_catalogue_changes
from offline.services.sync import (
    SyncBatchResult,
    SyncOutcome,
    SyncOutcomeCode,
    SyncSaleRequest,
    high_water_mark,
    sync_sale,
    sync_sales,
)

__all__ = [
    "CartLineInput",
    "PruneResult",
    "RegisteredDevice",
    "authenticate_device",
    "device_from_request",
    "discard_cart",
    "park_cart",
    "prune_catalogue_changes",
    "register_device",
    "resume_cart",
    "revoke_device",
    "resolve_sync_exception",
    "SyncBatchResult",
    "SyncOutcome",
    "SyncOutcomeCode",
    "SyncSaleRequest",
    "high_water_mark",
    "sync_sale",
    "sync_sales",
]
