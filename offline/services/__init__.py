"""Every write of the offline app: devices (devices.py) and parked carts (carts.py)."""

from offline.services.carts import CartLineInput, discard_cart, park_cart, resume_cart
from offline.services.devices import (
    RegisteredDevice,
    authenticate_device,
    device_from_request,
    register_device,
    revoke_device,
)

__all__ = [
    "CartLineInput",
    "RegisteredDevice",
    "authenticate_device",
    "device_from_request",
    "discard_cart",
    "park_cart",
    "register_device",
    "resume_cart",
    "revoke_device",
]
