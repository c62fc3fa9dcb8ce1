"""Register, revoke and authenticate till devices.

The credential is `posdev_` + 32 random bytes (URL-safe); only its SHA-256 hash is stored, so a
database dump cannot be replayed as a till. It is returned once, by `register_device`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction

from offline.error_codes import OfflineErrorCode
from offline.models import Device
from offline.services.registers import active_register
from shared import clock
from shared.errors import DomainError, ErrorCode, check_length, not_found

CREDENTIAL_PREFIX = "posdev_"
DEVICE_HEADER = "HTTP_X_POS_DEVICE"


@dataclass(frozen=True)
class RegisteredDevice:
    device: Device
    credential: str


def hash_credential(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def register_device(*, user, name: str, register_id: int | None = None) -> RegisteredDevice:
    """Register a till device (optionally bound to a register) and return its one-time credential."""
    name = check_length((name or "").strip(), limit=80, field="name")
    if not name:
        raise DomainError(ErrorCode.REQUIRED, "Give the device a name.", field="name")
    register = active_register(register_id)
    credential = CREDENTIAL_PREFIX + secrets.token_urlsafe(32)
    device = Device(
        name=name,
        register=register,
        credential_prefix=credential[: len(CREDENTIAL_PREFIX) + 6],
        credential_hash=hash_credential(credential),
        registered_by=user,
    )
    device.full_clean()
    device.save()
    return RegisteredDevice(device=device, credential=credential)


@transaction.atomic
def revoke_device(*, user, device_id: int) -> Device:
    """Revoke a device: its credential is refused from the next request on (locks the device row)."""
    device = Device.objects.select_for_update(of=("self",), no_key=True).filter(pk=device_id).first()
    if device is None:
        raise not_found("Device", "deviceId")
    if device.revoked_at is not None:
        raise DomainError(
            OfflineErrorCode.DEVICE_ALREADY_REVOKED, f"{device.name} is already revoked.", field="deviceId"
        )
    device.revoked_at = clock.now()
    device.revoked_by = user
    device.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    return device


def authenticate_device(*, credential: str | None) -> Device:
    """The active device a credential names, or a coded refusal (DEVICE_REQUIRED/UNKNOWN/REVOKED).

    Checked on every request that needs a device, never cached, so a revocation takes effect on
    the very next request. A device bound to a retired register is refused like a revoked one.
    """
    credential = (credential or "").strip()
    if not credential:
        raise DomainError(
            OfflineErrorCode.DEVICE_REQUIRED, "This needs a registered till device (X-POS-Device header)."
        )
    device = (
        Device.objects.select_related("register__location")
        .filter(credential_hash=hash_credential(credential))
        .first()
    )
    if device is None:
        raise DomainError(OfflineErrorCode.DEVICE_UNKNOWN, "This till device is not registered.")
    if device.revoked_at is not None or (device.register and device.register.retired_at is not None):
        raise DomainError(OfflineErrorCode.DEVICE_REVOKED, "This till device has been revoked.")
    return device


def device_from_request(request) -> Device:
    """`authenticate_device` on the request's X-POS-Device header."""
    return authenticate_device(credential=request.META.get(DEVICE_HEADER))
