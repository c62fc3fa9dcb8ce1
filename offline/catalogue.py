"""Catalogue sync reads: what changed after a cursor, paged (docs/OFFLINE.md, "Catalogue sync").

Two kinds of cursor, both opaque to the till:
- full (first sync, no `since`): products, stock levels, batches, then customers, each by pk; it carries
  the change-log horizon taken when the full sync started, and its last page hands over a delta
  cursor from that horizon, so whatever changed while the full sync paged is sent again.
- delta: the (txid, id) of the last change-log row sent; a page reads the rows after it whose
  transaction is older than every transaction still running (the horizon), in (txid, id) order.
"""

from __future__ import annotations

import base64
import binascii
import json
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.db import connection, transaction

from customers.models import Customer
from offline.error_codes import OfflineErrorCode
from offline.models import CatalogueChange
from offline.prices import CatalogueVersion, upper_bound_sql
from products.models import Batch, Product, StockLevel
from shared.errors import DomainError, ErrorCode

# The page cap every list shares (RELAY_CONNECTION_MAX_LIMIT; harden_arguments enforces it on `first`).
MAX_PAGE = 100
DEFAULT_PAGE = 100
STAGES = ("product", "stock", "batch", "customer")
# The page attribute each stage (and change-log entity) fills.
_PAGE_LISTS = {"product": "products", "stock": "stock_levels", "batch": "batches", "customer": "customers"}
_PAGE_DELETED = {
    "product": "deleted_product_ids",
    "stock": "deleted_stock_level_ids",
    "batch": "deleted_batch_ids",
    "customer": "deleted_customer_ids",
}
_INVALID_CURSOR = "This sync cursor is not valid; start a full sync without one."
_EXPIRED_CURSOR = (
    "Changes this old have been pruned from the server's log; start a full sync without a cursor."
)


@dataclass(frozen=True)
class Cursor:
    mode: str  # "full" or "delta"
    txid: int  # delta: txid of the last row sent; full: of the delta cursor it hands over at the end
    row: int = 0  # delta: id of the last row sent; full: last pk sent in `stage`
    stage: str = "product"
    handover_row: int = 0  # full only: id of the delta cursor it hands over at the end

    def encode(self) -> str:
        raw = json.dumps(
            {"v": 1, "m": self.mode, "t": self.txid, "r": self.row, "s": self.stage, "h": self.handover_row}
        )
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            cursor = cls(
                mode=data["m"],
                txid=int(data["t"]),
                row=int(data["r"]),
                stage=data["s"],
                handover_row=int(data["h"]),
            )
        except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError):
            raise DomainError(ErrorCode.INVALID, _INVALID_CURSOR, field="since") from None
        if data.get("v") != 1 or cursor.mode not in ("full", "delta") or cursor.stage not in STAGES:
            raise DomainError(ErrorCode.INVALID, _INVALID_CURSOR, field="since")
        if min(cursor.txid, cursor.row, cursor.handover_row) < 0:
            raise DomainError(ErrorCode.INVALID, _INVALID_CURSOR, field="since")
        return cursor


@dataclass
class CataloguePage:
    products: list[Product] = field(default_factory=list)
    stock_levels: list[StockLevel] = field(default_factory=list)
    batches: list[Batch] = field(default_factory=list)
    customers: list[Customer] = field(default_factory=list)
    # Ids changed and then deleted outright (rows gone): the till drops them.
    deleted_product_ids: list[int] = field(default_factory=list)
    deleted_stock_level_ids: list[int] = field(default_factory=list)
    deleted_batch_ids: list[int] = field(default_factory=list)
    deleted_customer_ids: list[int] = field(default_factory=list)
    next_cursor: str = ""
    has_more: bool = False
    is_full_sync: bool = False
    # What a sale priced from the till's copy after this page names (offline.prices).
    catalogue_version: str = ""


# The oldest transaction of THIS database still running (or the snapshot's xmax when none is):
# every transaction below it has ended. Transactions of other databases on the same cluster (seen
# in pg_stat_activity) are left out so they cannot hold the sync back; one that cannot be seen
# there (another role's session, a prepared transaction) is kept, which only delays, never skips.
_HORIZON_SQL = """
WITH snap AS (SELECT txid_current_snapshot() AS s),
other_databases AS (
    SELECT backend_xid::text::bigint AS xid32 FROM pg_stat_activity
    WHERE backend_xid IS NOT NULL
      AND datid <> (SELECT oid FROM pg_database WHERE datname = current_database())
)
SELECT LEAST(
    txid_snapshot_xmax(s),
    (SELECT min(x) FROM txid_snapshot_xip(s) AS x
     WHERE x % 4294967296 NOT IN (SELECT xid32 FROM other_databases))
) FROM snap
"""


def horizon() -> int:
    """The txid below which every transaction of this database has ended (docs/OFFLINE.md).

    On SQLite writers are serialised, so every committed row is final: the horizon is past all.
    """
    if connection.vendor != "postgresql":
        return 1
    with connection.cursor() as cursor:
        cursor.execute(_HORIZON_SQL)
        return int(cursor.fetchone()[0])


def _start_of_full_sync() -> Cursor:
    """A full sync's first cursor, holding the delta cursor it hands over once it has paged through.

    PostgreSQL: every transaction older than the horizon ended before the first page was read, so
    the pages show its writes; the delta resumes at the horizon, resending what changed meanwhile.
    SQLite: writers are serialised and ids never reused, so the last id logged so far is the point.
    """
    if connection.vendor == "postgresql":
        return Cursor("full", horizon(), 0, STAGES[0], 0)
    last = CatalogueChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return Cursor("full", 0, 0, STAGES[0], last)


_MODELS = {"product": Product, "stock": StockLevel, "batch": Batch, "customer": Customer}


def _rows(entity: str, ids) -> list:
    return list(_MODELS[entity].objects.filter(pk__in=ids).order_by("pk"))


def _full_page(cursor: Cursor, first: int) -> CataloguePage:
    rows = list(_MODELS[cursor.stage].objects.filter(pk__gt=cursor.row).order_by("pk")[: first + 1])
    more_in_stage = len(rows) > first
    rows = rows[:first]
    page = CataloguePage(is_full_sync=True, has_more=True)
    setattr(page, _PAGE_LISTS[cursor.stage], rows)
    if more_in_stage:
        next_cursor = Cursor("full", cursor.txid, rows[-1].pk, cursor.stage, cursor.handover_row)
    elif cursor.stage != STAGES[-1]:
        next_stage = STAGES[STAGES.index(cursor.stage) + 1]
        next_cursor = Cursor("full", cursor.txid, 0, next_stage, cursor.handover_row)
    else:
        # Everything committed before the full sync started is in it; replay the rest as deltas.
        next_cursor = Cursor("delta", cursor.txid, cursor.handover_row)
        page.has_more = False
    page.next_cursor = next_cursor.encode()
    return page


def _delta_page(cursor: Cursor, first: int) -> CataloguePage:
    below = horizon()
    rows = list(
        CatalogueChange.objects.filter(txid__lt=below)
        .filter(txid__gte=cursor.txid)
        .exclude(txid=cursor.txid, id__lte=cursor.row)
        .order_by("txid", "id")
        .values_list("txid", "id", "entity", "object_id")[: first + 1]
    )
    page = CataloguePage(has_more=len(rows) > first)
    rows = rows[:first]
    ids: dict[str, set[int]] = {entity: set() for entity in CatalogueChange.Entity.values}
    for _txid, _id, entity, object_id in rows:
        ids[entity].add(object_id)
    for entity, wanted in ids.items():
        found = _rows(entity, wanted) if wanted else []
        setattr(page, _PAGE_LISTS[entity], found)
        setattr(page, _PAGE_DELETED[entity], sorted(wanted - {row.pk for row in found}))
    last = Cursor("delta", rows[-1][0], rows[-1][1]) if rows else cursor
    page.next_cursor = last.encode()
    return page


def catalogue_changes(*, since: str | None = None, first: int | None = None) -> CataloguePage:
    """One page of catalogue changes after `since` (a full sync when it is empty).

    The current state of each changed row is sent, not the change itself: a till applies a page
    as an upsert, so a row sent twice (changed again later) is harmless.
    """
    # On PostgreSQL the page is read in a transaction so every read goes to the primary (a
    # replica's horizon is not the primary's); SQLite has no replicas, and its atomic block would
    # take the write lock (BEGIN IMMEDIATE) for a read.
    with transaction.atomic() if connection.vendor == "postgresql" else nullcontext():
        return _page(since=since, first=first)


def _page(*, since: str | None, first: int | None) -> CataloguePage:
    first = DEFAULT_PAGE if first is None else first
    if not 1 <= first <= MAX_PAGE:
        raise DomainError(ErrorCode.OUT_OF_RANGE, f"first must be between 1 and {MAX_PAGE}.", field="first")
    if not since:
        return _finish(None, _full_page(_start_of_full_sync(), first))
    cursor = Cursor.decode(since)
    page = _full_page(cursor, first) if cursor.mode == "full" else _delta_page(cursor, first)
    return _finish(cursor, page)


def _position(cursor: Cursor) -> tuple[int, int]:
    """Where a cursor stands in the change log: a delta resumes after (txid, row); a full sync hands
    over (txid, handover_row) at its end."""
    return (cursor.txid, cursor.row if cursor.mode == "delta" else cursor.handover_row)


def _finish(cursor: Cursor | None, page: CataloguePage) -> CataloguePage:
    """Refuse a cursor whose next changes may have been pruned (it would silently skip them), and
    stamp the page's catalogue version; one statement, read after the page's rows.

    A cursor is safe only if it is at or after the newest position pruned. Read after the page: a
    prune committed before the page's read of the log moved the mark first, so it is seen here. The
    version's upper bound is taken here for the same reason: after every row the page sent.
    """
    with connection.cursor() as db:
        db.execute(
            f"SELECT {upper_bound_sql()}, (SELECT txid FROM offline_catalogueprunemark WHERE id = 1), "
            '(SELECT "row" FROM offline_catalogueprunemark WHERE id = 1)'
        )
        upper, mark_txid, mark_row = db.fetchone()
    if cursor is not None and mark_txid is not None and _position(cursor) < (mark_txid, mark_row):
        raise DomainError(OfflineErrorCode.CURSOR_EXPIRED, _EXPIRED_CURSOR, field="since")
    lower = _position(Cursor.decode(page.next_cursor))
    page.catalogue_version = CatalogueVersion(*lower, int(upper)).encode()
    return page
