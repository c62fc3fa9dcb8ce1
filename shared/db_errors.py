"""Database refusals a client may simply retry: lock and statement timeouts, deadlocks, serialisation.

PostgreSQL names them by SQLSTATE; Django wraps the driver's exception and keeps it as `__cause__`.
SQLite has no SQLSTATE: its only retryable refusal is "database is locked" after its busy timeout.
"""

from __future__ import annotations

from django.db import DatabaseError, OperationalError

LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout expired, or NOWAIT
QUERY_CANCELED = "57014"  # statement_timeout expired
DEADLOCK_DETECTED = "40P01"
SERIALIZATION_FAILURE = "40001"
RETRYABLE_SQLSTATES = frozenset(
    {LOCK_NOT_AVAILABLE, QUERY_CANCELED, DEADLOCK_DETECTED, SERIALIZATION_FAILURE}
)

BUSY_MESSAGE = "The till is busy, try again."
TIMEOUT_MESSAGE = (
    "This request took too long and was stopped; ask for less (a shorter period or page) or try again."
)


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a database error (PostgreSQL), looking through Django's wrapper."""
    for candidate in (exc, exc.__cause__):
        code = getattr(candidate, "pgcode", None) or getattr(candidate, "sqlstate", None)
        if code:
            return str(code)
    return None


def is_retryable(exc: BaseException) -> bool:
    """True for a refusal that leaves nothing changed and may succeed when sent again."""
    if not isinstance(exc, DatabaseError):
        return False
    if sqlstate(exc) in RETRYABLE_SQLSTATES:
        return True
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


def is_statement_timeout(exc: BaseException) -> bool:
    return isinstance(exc, DatabaseError) and sqlstate(exc) == QUERY_CANCELED
