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
from decimal import Decimal
from functools import lru_cache

from django.db import connections, models, router

Statement = tuple[str, Sequence]

# Below both databases' limits on parameters per statement (SQLite 32766, PostgreSQL 65535).
MAX_PARAMS = 30_000


def insert(objs: Sequence[models.Model], *, skip_conflicts_on: str | None = None) -> list[models.Model]:
    """Insert `objs` (instances of one model, pk unset) and set their primary keys; returns them.

    `skip_conflicts_on` (one object only): a unique column whose conflict writes nothing
    (`ON CONFLICT (column) DO NOTHING`, waiting for an uncommitted holder of the value first);
    then nothing is returned.
    """
    if not objs:
        return list(objs)
    if skip_conflicts_on and len(objs) != 1:
        raise ValueError("skip_conflicts_on inserts one object at a time")
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    if len(_insert_fields(model)) * len(objs) > MAX_PARAMS:  # bulk_create splits it into batches
        return model._default_manager.bulk_create(objs)
    sql = _sql(model, connection.vendor, len(objs), skip_conflicts_on, returning=True)
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(objs, connection))
        rows = cursor.fetchall()
    if skip_conflicts_on and not rows:
        return []
    # RETURNING gives the rows in the order of the VALUES list on PostgreSQL and SQLite.
    for obj, (pk,) in zip(objs, rows, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias
    return list(objs)


def insert_statement(objs: Sequence[models.Model]) -> Statement:
    """The INSERT of `insert` without RETURNING, for the caller to send with others in one round
    trip (`run_together`). The objects keep no primary key: use it for rows nobody reads back by pk
    before the transaction commits, or read the keys back in the same round trip."""
    if not objs:
        raise ValueError("nothing to insert")
    model = type(objs[0])
    connection = connections[router.db_for_write(model)]
    if len(_insert_fields(model)) * len(objs) > MAX_PARAMS:
        raise ValueError(f"{len(objs)} rows are more than one statement may carry")
    return _sql(model, connection.vendor, len(objs), None, returning=False), _params(objs, connection)


def run_together(statements: Sequence[Statement], *, using: str = "default") -> list[tuple]:
    """Run `statements` in order and return the rows of the last one.

    On PostgreSQL they go as one round trip (psycopg2 sends a multi-statement string; each
    statement still sees the ones before it); SQLite, in-process and without multi-statement
    execution, runs them one by one. Either way inside the caller's transaction.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                ";\n".join(sql for sql, _ in statements), [p for _, params in statements for p in params]
            )
        else:
            for sql, params in statements:
                cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _params(objs: Sequence[models.Model], connection) -> list:
    params = []
    plan = _plan(type(objs[0]))
    for obj in objs:
        for field, needs_pre_save, ready_type in plan:
            value = field.pre_save(obj, True) if needs_pre_save else getattr(obj, field.attname)
            if (
                value is None
                or type(value) is not ready_type
                or (ready_type is Decimal and not value.is_finite())
            ):
                value = field.get_db_prep_save(value, connection)  # converts, or refuses (NaN)
            params.append(value)
    return params


# Field types whose prepared value is the value itself when it already has this exact Python type
# (get_db_prep_save would only check and return it); anything else goes through get_db_prep_save.
_READY_TYPES = {
    models.CharField: str,
    models.TextField: str,
    models.BooleanField: bool,
    models.DecimalField: Decimal,
    models.IntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.SmallIntegerField: int,
    models.AutoField: int,
    models.BigAutoField: int,
}


@lru_cache(maxsize=128)
def _plan(model) -> tuple[tuple[models.Field, bool, type | None], ...]:
    """Per field: whether its pre_save does more than read the attribute (auto_now), and the Python
    type its values may be passed as they are (a foreign key: its target's)."""
    plan = []
    for field in _insert_fields(model):
        column_field = field.target_field if field.is_relation else field
        needs_pre_save = type(field).pre_save is not models.Field.pre_save
        plan.append((field, needs_pre_save, _READY_TYPES.get(type(column_field))))
    return tuple(plan)


def _insert_fields(model) -> tuple[models.Field, ...]:
    return tuple(f for f in model._meta.concrete_fields if not f.primary_key)


@lru_cache(maxsize=256)
def _sql(model, vendor: str, count: int, skip_conflicts_on: str | None, *, returning: bool) -> str:
    connection = connections[router.db_for_write(model)]
    qn = connection.ops.quote_name
    fields = _insert_fields(model)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    conflict = ""
    if skip_conflicts_on:
        conflict = f" ON CONFLICT ({qn(model._meta.get_field(skip_conflicts_on).column)}) DO NOTHING"
    return (
        f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
        f"VALUES {', '.join([row] * count)}{conflict}"
        + (f" RETURNING {qn(model._meta.pk.column)}" if returning else "")
    )
