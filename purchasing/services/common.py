"""Helpers the purchasing services share: role checks and the document locks."""

from __future__ import annotations

from products.models import StockLevel
from shared.errors import DomainError, ErrorCode
from shared.roles import Role, has_role

MAX_LINES = 200


def require_manager(user, action: str) -> None:
    """Managers order, receive and finalize; the admin and the CLI go through here as well."""
    if not has_role(user, Role.MANAGER):
        raise DomainError(ErrorCode.PERMISSION_DENIED, f"Only managers can {action}.")


def check_line_count(lines: list, field: str) -> None:
    if not lines:
        raise DomainError(ErrorCode.REQUIRED, "Add at least one line.", field=field)
    if len(lines) > MAX_LINES:
        raise DomainError(ErrorCode.INVALID, f"At most {MAX_LINES} lines at a time.", field=field)


def lock_levels(*, location_id: int, product_ids) -> None:
    """Lock the StockLevel rows of several products at a location at once, in pk order.

    Multi-line writers here call products.services one product at a time, and each call locks its
    own level; taking them all first, in the order a sale takes them (level pk), keeps a finalize or
    a supplier return from deadlocking with a sale of two of the same products. The later per-call
    locks are then already held.
    """
    list(
        StockLevel.objects.select_for_update(of=("self",), no_key=True)
        .filter(location_id=location_id, product_id__in=sorted(set(product_ids)))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
