"""Helpers the purchasing services share: role checks and the document locks."""

from __future__ import annotations

from products.services.stock import lock_levels
from shared.errors import DomainError, ErrorCode
from shared.roles import Role, has_role

MAX_LINES = 200

__all__ = ["MAX_LINES", "check_line_count", "lock_levels", "require_manager"]


def require_manager(user, action: str) -> None:
    """Managers order, receive and finalize; the admin and the CLI go through here as well."""
    if not has_role(user, Role.MANAGER):
        raise DomainError(ErrorCode.PERMISSION_DENIED, f"Only managers can {action}.")


def check_line_count(lines: list, field: str) -> None:
    if not lines:
        raise DomainError(ErrorCode.REQUIRED, "Add at least one line.", field=field)
    if len(lines) > MAX_LINES:
        raise DomainError(ErrorCode.INVALID, f"At most {MAX_LINES} lines at a time.", field=field)
