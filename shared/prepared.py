"""Querysets compiled once per shape and run again with new values (the till path's hot reads).

Django compiles a queryset to SQL on every evaluation; for the few reads every sale and every
request makes (the cart's products, the JWT user) that compilation cost more than the statement
itself (docs/PERFORMANCE.md). A `PreparedQuery` builds its queryset once per shape (the number of
values) with stand-in values, finds where those stand-ins sit among the compiled parameters, and
afterwards only swaps in the real values, executes the SQL and turns the rows into instances the
way the ORM's ModelIterable does (converters, select_related, annotations).

Only for querysets whose SQL does not depend on the values themselves (filters on given values,
`select_related`, annotations); the database is chosen by the router on every run, as the
queryset would.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import count
from typing import Any

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

_stand_ins = count(start=-(10**15), step=-1)
_stand_ins_lock = threading.Lock()


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    positions: tuple[int, ...]
    compiler: Any
    converters: dict
    init_list: list[str]
    fields_start: int
    fields_end: int
    annotation_col_map: dict
    populators: list


class PreparedQuery:
    """`build(values)` returns the queryset for a list of values (ints: ids, pks).

    Shapes of up to `max_size` values are kept (one SQL text each); a longer list, rare on the
    paths this serves, runs as the plain queryset.
    """

    def __init__(self, model: type[Model], build: Callable[[Sequence[int]], QuerySet], *, max_size: int = 64):
        self.model = model
        self.build = build
        self.max_size = max_size
        self._compiled: dict[tuple[str, int], _Compiled] = {}

    def fetch(self, values: Sequence[int]) -> list[Model]:
        if not values or len(values) > self.max_size:
            return list(self.build(values)) if values else []
        alias = router.db_for_read(self.model)
        compiled = self._compiled.get((alias, len(values)))
        if compiled is None:
            compiled = self._compiled[(alias, len(values))] = self._compile(alias, len(values))
        params = list(compiled.params)
        for position, value in zip(compiled.positions, values, strict=True):
            params[position] = value
        with connections[alias].cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        return self._instances(compiled, alias, rows)

    def _compile(self, alias: str, size: int) -> _Compiled:
        with _stand_ins_lock:
            stand_ins = [next(_stand_ins) for _ in range(size)]
        queryset = self.build(stand_ins)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        positions = tuple(params.index(value) for value in stand_ins)
        if sorted(positions) != sorted(set(positions)) or any(params.count(v) != 1 for v in stand_ins):
            raise ValueError("Each value must appear exactly once among the compiled parameters.")
        klass_info = compiler.klass_info
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        return _Compiled(
            sql=sql,
            params=tuple(params),
            positions=positions,
            compiler=compiler,
            converters=compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]]),
            init_list=[f[0].target.attname for f in compiler.select[start:end]],
            fields_start=start,
            fields_end=end,
            annotation_col_map=compiler.annotation_col_map or {},
            populators=get_related_populators(klass_info, compiler.select, alias),
        )

    def _instances(self, compiled: _Compiled, alias: str, rows: list) -> list[Model]:
        if compiled.converters:
            rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
        objs = []
        for row in rows:
            obj = self.model.from_db(
                alias, compiled.init_list, row[compiled.fields_start : compiled.fields_end]
            )
            for populator in compiled.populators:
                populator.populate(row, obj)
            for name, position in compiled.annotation_col_map.items():
                setattr(obj, name, row[position])
            objs.append(obj)
        return objs
