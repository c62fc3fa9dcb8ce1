"""The register a device is bound to or a cart is parked/resumed at: it must exist and be active."""

from __future__ import annotations

from offline.error_codes import OfflineErrorCode
from shared.errors import DomainError, not_found
from tills import selectors as till_selectors
from tills.models import Register


def active_register(register_id: int | None) -> Register | None:
    """The register (with its location), None when not asked for; NOT_FOUND or REGISTER_RETIRED."""
    if register_id is None:
        return None
    register = till_selectors.get_register(register_id=register_id)
    if register is None:
        raise not_found("Register", "registerId")
    if register.retired_at is not None:
        raise DomainError(
            OfflineErrorCode.REGISTER_RETIRED, f"{register.name} is retired.", field="registerId"
        )
    return register
