"""Report and list reads on PostgreSQL read replicas; everything else on the primary (docs/SCALING.md).

Installed only when DATABASE_REPLICA_URLS names at least one replica (config/settings.py); without
one, Django uses `default` for everything exactly as before.

The rule, in full:
- A read goes to a replica only inside `replica_reads()`. GraphQL enters it for a root field of a
  *query* operation that returns a list, a connection or a report (`ReplicaReadsMiddleware`), and
  leaves it when that field has resolved. Code that wants the same for a report view wraps it in
  `replica_reads()` too. Mutations never enter it, so every read a mutation makes (and every
  single-object read such as `sale(id:)`) stays on the primary.
- Inside that scope the primary is still used for a read inside a transaction (`atomic`), and for
  every read after the request has written anything (the first ORM write, or `select_for_update`,
  pins the primary for the rest of the request: read-your-writes).
- Every write goes to the primary, whatever database the instance was loaded from.

A replica lags the primary by its replay delay (milliseconds when healthy). A client that must see
what it has just written in the same round trip selects it in the mutation's payload, which is read
on the primary.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from graphql import GraphQLList, GraphQLNonNull, OperationType

_PRIMARY = DEFAULT_DB_ALIAS


class _ReplicaScope:
    """The replica permission of one request; `pinned` once the request has written."""

    __slots__ = ("pinned",)

    def __init__(self) -> None:
        self.pinned = False


_scope: ContextVar[_ReplicaScope | None] = ContextVar("replica_scope", default=None)


@contextmanager
def replica_reads(scope: _ReplicaScope | None = None) -> Iterator[None]:
    """Let the reads inside this block go to a replica (see the module's rule). Pass the same scope
    to several blocks of one request so that a write in one pins the primary for the next."""
    token = _scope.set(scope if scope is not None else _ReplicaScope())
    try:
        yield
    finally:
        _scope.reset(token)


def replica_aliases() -> tuple[str, ...]:
    return tuple(settings.DATABASE_REPLICAS)


class ReplicaRouter:
    """Chooses the database of each ORM query: the primary, or a random replica for allowed reads."""

    def db_for_read(self, model, **hints) -> str:
        scope = _scope.get()
        if scope is None or scope.pinned or connections[_PRIMARY].in_atomic_block:
            return _PRIMARY
        replicas = replica_aliases()
        return random.choice(replicas) if replicas else _PRIMARY

    def db_for_write(self, model, **hints) -> str:
        scope = _scope.get()
        if scope is not None:
            scope.pinned = True
        return _PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # Replicas hold the same rows as the primary: an object read from one may point at another.
        known = {_PRIMARY, *replica_aliases()}
        return True if {obj1._state.db, obj2._state.db} <= known else None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        # A replica replays the primary's WAL and is read-only: migrations run on the primary only.
        return False if db in replica_aliases() else None


def _unwrap(graphql_type):
    while isinstance(graphql_type, GraphQLNonNull):
        graphql_type = graphql_type.of_type
    return graphql_type


def reads_from_replica(info) -> bool:
    """Whether a root field of this operation may read a replica: a query's list, connection or report."""
    if info.operation.operation is not OperationType.QUERY:
        return False
    return_type = _unwrap(info.return_type)
    if isinstance(return_type, GraphQLList) or return_type.name.endswith("Connection"):
        return True
    return info.field_name in settings.DATABASE_REPLICA_REPORT_FIELDS


class ReplicaReadsMiddleware:
    """Graphene middleware: resolves a query's list and report root fields inside `replica_reads()`.

    One scope per request (kept on the request), so a root field that writes pins the primary for the
    root fields resolved after it. Nested fields pass straight through.
    """

    def resolve(self, next_, root, info, **kwargs):
        if info.path.prev is not None or not reads_from_replica(info):
            return next_(root, info, **kwargs)
        request = info.context
        scope = getattr(request, "replica_scope", None)
        if scope is None:
            scope = request.replica_scope = _ReplicaScope()
        with replica_reads(scope):
            return next_(root, info, **kwargs)
