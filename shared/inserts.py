"""INSERT model instances in one statement without the ORM's per-call query compilation.

`bulk_create` builds and compiles a new INSERT query on every call: on the till path (a sale's
lines, draws, payments and movements, four calls per sale) that compilation was a fifth of
createSale's worker CPU (docs/PERFORMANCE.md). `insert` writes the same rows the same way
(`pre_save` for auto_now fields, `get_db_prep_save` for every value, the primary keys read back
with RETURNING, on PostgreSQL and SQLite 3.35+) from an SQL text kept per model and row count.

No signals are sent and no `save()` runs, exactly as with `bulk_create`; use it only where
`bulk_create` would do.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from django.db import connections, models, router

# Below both databases' limits on parameters per statement (SQLite 32766, PostgreSQL 65535).
MAX_PARAMS = 30_000


def insert(objs: Sequence[models.Model]) -> list[models.Model]:
    """Insert `objs` (instances of one model, pk unset) and set their primary keys; returns them."""
    if not objs:
        return list(objs)
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    fields = _insert_fields(model)
    if len(fields) * len(objs) > MAX_PARAMS:  # bulk_create splits it into batches
        return model._default_manager.bulk_create(objs)
    sql = _sql(model, connection.vendor, len(objs))
    params = []
    for obj in objs:
        for field in fields:
            params.append(field.get_db_prep_save(field.pre_save(obj, True), connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # RETURNING gives the rows in the order of the VALUES list on PostgreSQL and SQLite.
    for obj, (pk,) in zip(objs, rows, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias
    return list(objs)


def _insert_fields(model) -> tuple[models.Field, ...]:
    return tuple(f for f in model._meta.concrete_fields if not f.primary_key)


@lru_cache(maxsize=256)
def _sql(model, vendor: str, count: int) -> str:
    connection = connections[router.db_for_write(model)]
    qn = connection.ops.quote_name
    fields = _insert_fields(model)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return (
        f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
        f"VALUES {', '.join([row] * count)} RETURNING {qn(model._meta.pk.column)}"
    )
