"""Write documents as of a past moment, for the demo shop's history.

`backdated(moment)` pins `shared.clock` (sale numbers, void and decision times) and, when the block
ends, restamps the automatic timestamps (`auto_now_add` / `auto_now` columns) of every row the block
inserted or touched, so ledger rows, stock movements, payments and batches carry their document's
time instead of the load time. Rows are recognised by a timestamp at or after the block's real start (earlier blocks' rows
already hold past moments, which are all before it), in the tables the block wrote to.

Only for loading history into a database nobody else writes to at the same time (seed_demo).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from functools import cache

from django.apps import apps
from django.db import connection, models, transaction
from django.utils import timezone

from shared import clock


def shop_time(day: date, hour: int, minute: int = 0) -> datetime:
    """`day` at hour:minute on the shop's clock (settings.TIME_ZONE)."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)), timezone.get_default_timezone())


@cache
def _auto_timestamp_fields() -> tuple[tuple[type[models.Model], str], ...]:
    return tuple(
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add)
    )


# At the start of the SQL or of any statement in a multi-statement string (shared.inserts.run_together).
_WRITE = re.compile(r'(?:^|;)\s*(?:INSERT\s+INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)


class _WrittenTables:
    """An execute wrapper noting which tables the statements insert into or update."""

    def __init__(self) -> None:
        self.tables: set[str] = set()

    def __call__(self, execute, sql, params, many, context):
        self.tables.update(match.group(1) for match in _WRITE.finditer(sql))
        return execute(sql, params, many, context)


@contextmanager
def backdated(moment: datetime) -> Iterator[datetime]:
    """Run the block as of `moment`: clock pinned, then its rows' automatic timestamps set to `moment`.

    One transaction: a refusal inside the block leaves nothing behind.
    """
    real_start = timezone.now()
    if moment > real_start:
        raise ValueError("backdated() is for the past")
    written = _WrittenTables()
    with transaction.atomic(), clock.pinned(moment):
        with connection.execute_wrapper(written):
            yield moment
        for model, name in _auto_timestamp_fields():
            if model._meta.db_table in written.tables:
                model._base_manager.filter(**{f"{name}__gte": real_start}).update(**{name: moment})
