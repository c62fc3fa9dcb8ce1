"""Per-process caches of rarely changed rows that can never serve a stale value.

Every worker process keeps its own copy, so invalidating one process is not enough (gunicorn runs
several, and the default cache backend is per process too). Instead a writer replaces the group's
token in the `Generation` row inside its own transaction (`bump`), and a reader reads the token in a
statement it runs anyway (`token_expression` as an annotation), then uses its copy only when the
copy was loaded under that same token. A new token is random rather than a counter, so a rolled-back
bump can never make an old copy look current again. `None` (no row yet) is a token like any other.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Subquery

from shared.models import Generation

# Where a sale happens: the locations (which is the default) and which of them have registers.
TILL_SETUP = "till_setup"
_T = TypeVar("_T")
_copies: dict[tuple[str, str], tuple[Any, Any]] = {}
_lock = threading.Lock()


def bump(name: str) -> None:
    """Give `name` a new token (in the caller's transaction): every process reloads its copies."""
    Generation.objects.bulk_create(
        [Generation(name=name, token=secrets.randbits(63))],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["token"],
    )


def token_expression(name: str) -> Subquery:
    """The token of `name` as a scalar subquery, to annotate onto a query that runs anyway."""
    return Subquery(Generation.objects.filter(name=name).values("token")[:1])


def read_token(name: str) -> int | None:
    """The token of `name` on its own (one statement), for callers with no query to annotate."""
    return Generation.objects.filter(name=name).values_list("token", flat=True).first()


def cached(name: str, key: str, token: int | None, load: Callable[[], _T]) -> _T:
    """This process's copy of `key` in group `name`, reloaded when `token` is not the one it was loaded under.

    `token` must have been read in the caller's transaction before `load` runs, so a copy is never
    labelled with a token older than its content (a concurrent change makes the next call reload).
    """
    entry = _copies.get((name, key))
    if entry is not None and entry[0] == token:
        return entry[1]
    value = load()
    with _lock:
        _copies[(name, key)] = (token, value)
    return value


def forget() -> None:
    """Drop every copy (tests)."""
    with _lock:
        _copies.clear()
