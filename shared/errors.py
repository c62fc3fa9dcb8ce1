"""The one exception type services raise for expected business refusals."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    UNIQUE = "UNIQUE"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    CONFLICT = "CONFLICT"
    # A well-formed number outside the range its field allows (see docs/SECURITY.md, "Limits").
    OUT_OF_RANGE = "OUT_OF_RANGE"
    # A string longer than its field allows; the message states the limit.
    MAX_LENGTH = "MAX_LENGTH"
    # The database refused for a moment (lock or statement timeout, deadlock): nothing changed, retry.
    BUSY_TRY_AGAIN = "BUSY_TRY_AGAIN"


@dataclass
class ErrorDetail:
    code: str
    message: str
    field: str | None = None
    params: dict[str, Any] = dataclass_field(default_factory=dict)


class DomainError(Exception):
    """A business rule refused the operation; nothing was changed.

    Carries one or more `ErrorDetail`s. `field` uses the GraphQL input name (`items.2.quantity`).
    """

    def __init__(self, code: str, message: str, *, field: str | None = None, params: dict | None = None):
        super().__init__(message)
        self.errors = [ErrorDetail(code=str(code), message=message, field=field, params=params or {})]

    @classmethod
    def many(cls, errors: list[ErrorDetail]) -> DomainError:
        if not errors:
            raise ValueError("DomainError.many needs at least one error")
        first = errors[0]
        exc = cls(first.code, first.message, field=first.field, params=first.params)
        exc.errors = list(errors)
        return exc

    @property
    def code(self) -> str:
        return self.errors[0].code

    @property
    def message(self) -> str:
        return self.errors[0].message

    @property
    def field(self) -> str | None:
        return self.errors[0].field

    @property
    def params(self) -> dict[str, Any]:
        return self.errors[0].params


def not_found(what: str, field: str) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, f"{what} not found.", field=field)


def too_long(*, limit: int, field: str | None) -> ErrorDetail:
    """The MAX_LENGTH refusal of a text longer than `limit` (services and the GraphQL layer alike)."""
    return ErrorDetail(
        code=ErrorCode.MAX_LENGTH,
        message=f"This text can be at most {limit} characters long.",
        field=field,
        params={"limit": limit},
    )


def check_length(value: str, *, limit: int, field: str) -> str:
    """Return `value` when it fits in `limit` characters; refuse it with MAX_LENGTH, never cut it."""
    if len(value) > limit:
        raise DomainError.many([too_long(limit=limit, field=field)])
    return value
