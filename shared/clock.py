"""The time services stamp documents with: the real clock, unless a block pins it to a past moment.

Only the demo loader pins it (to replay two years of history at their own times); everything else
reads the real time through it, so `now()` is `timezone.now()` in production.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

from django.utils import timezone

_pinned: ContextVar[datetime | None] = ContextVar("pinned_now", default=None)


def now() -> datetime:
    """The current moment, or the pinned one inside `pinned()`."""
    return _pinned.get() or timezone.now()


def pinned_moment() -> datetime | None:
    """The pinned moment inside `pinned()`, else None (the real clock is running)."""
    return _pinned.get()


def localdate() -> date:
    """Today in the shop's TIME_ZONE, by `now()`."""
    return timezone.localdate(now())


@contextmanager
def pinned(moment: datetime) -> Iterator[datetime]:
    """Make `now()` answer `moment` (an aware datetime) for the duration of the block."""
    if timezone.is_naive(moment):
        raise ValueError("pinned() needs an aware datetime")
    token = _pinned.set(moment)
    try:
        yield moment
    finally:
        _pinned.reset(token)
