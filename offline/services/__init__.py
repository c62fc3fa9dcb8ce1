"""Every write of the offline app: devices (devices.py), parked carts (carts.py), log pruning (pruning.py)."""

from offline.services.carts import CartLineInput, discard_cart, park_cart, resume_cart
from offline.services.devices import (
    RegisteredDevice,
    authenticate_device,
    device_from_request,
    register_device,
    revoke_device,
)
from offline.services.pruning import PruneResult, prune_catalogue_changes

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
]
