"""Catalogue versions and the prices a till's catalogue held at one (docs/OFFLINE.md, "Price check").

A page of catalogueChanges sends each changed row as it is when the page is read, not as it was at
the change, so a till's copy of a product is never older than the change-log position its cursor
has passed (`lower`: every change at or below it was delivered) and never newer than what its last
page could see (`upper`). The version a page hands out carries both. The prices the till may have
held for a product are then the history row in force at `lower` and every row after it up to
`upper`; a sale priced with any of them charged what its catalogue said.

`upper` is, on PostgreSQL, the `xmax` of a snapshot taken after the page's rows were read (no
transaction at or above it was visible to the page: a bound, exclusive, on `txid`); on SQLite,
where writers are serialised, the last change-log id at that moment (inclusive, on `change_id`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from shared.errors import DomainError, ErrorCode

_VERSION = re.compile(r"^cv1\.(\d{1,19})\.(\d{1,19})\.(\d{1,19})$")


@dataclass(frozen=True)
class CatalogueVersion:
    lower_txid: int
    lower_row: int
    upper: int

    def encode(self) -> str:
        return f"cv1.{self.lower_txid}.{self.lower_row}.{self.upper}"

    @classmethod
    def decode(cls, text: str, *, field: str = "catalogueVersion") -> CatalogueVersion:
        match = _VERSION.match(text or "")
        if match is None:
            raise DomainError(
                ErrorCode.INVALID,
                "Send the catalogueVersion of the last catalogueChanges page the till applied.",
                field=field,
            )
        return cls(*(int(part) for part in match.groups()))


def upper_bound_sql() -> str:
    """A scalar SQL expression for `upper`, to be read after a page's rows (see the module doc)."""
    if connection.vendor == "postgresql":
        return "txid_snapshot_xmax(txid_current_snapshot())"
    return "(SELECT COALESCE(MAX(id), 0) FROM offline_cataloguechange)"


@dataclass(frozen=True)
class HeldPrice:
    retail_price: Decimal
    wholesale_price: Decimal
    tax_rate: Decimal


_AT_OR_BEFORE_LOWER = "({t}.txid < %s OR ({t}.txid = %s AND {t}.change_id <= %s))"
_HELD_SQL = """
SELECT h.product_id, h.retail_price, h.wholesale_price, h.tax_rate FROM offline_pricehistory h
WHERE h.product_id IN ({ids}) AND (
    ({h_lower} AND NOT EXISTS (
        SELECT 1 FROM offline_pricehistory n
        WHERE n.product_id = h.product_id AND {n_lower}
          AND (n.txid > h.txid OR (n.txid = h.txid AND n.change_id > h.change_id))))
    OR (NOT {h_lower} AND {seen}))
ORDER BY h.product_id, h.txid DESC, h.change_id DESC
"""
_CENT = Decimal("0.01")
_RATE = Decimal("0.0001")


def prices_held(*, version: CatalogueVersion, product_ids) -> dict[int, list[HeldPrice]]:
    """Per product, the prices a till at `version` may have held, newest first (one query).

    The row in force at the version's lower bound (the newest at or before it) and every later row
    the till's last page could have seen. A product without history rows is missing from the answer.
    Hand-written SQL: the ORM took longer to build this statement than the database to run it.
    """
    ids = sorted({int(pk) for pk in product_ids})
    if not ids:
        return {}
    postgres = connection.vendor == "postgresql"
    seen = "h.txid < %s" if postgres else "h.change_id <= %s"
    sql = _HELD_SQL.format(
        ids=", ".join(["%s"] * len(ids)),
        h_lower=_AT_OR_BEFORE_LOWER.format(t="h"),
        n_lower=_AT_OR_BEFORE_LOWER.format(t="n"),
        seen=seen,
    )
    lower = [version.lower_txid, version.lower_txid, version.lower_row]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, *lower, *lower, *lower, version.upper])
        rows = cursor.fetchall()
    held: dict[int, list[HeldPrice]] = {}
    for product_id, retail, wholesale, rate in rows:
        # SQLite hands NUMERIC columns back as int or float: read them at the columns' places.
        held.setdefault(product_id, []).append(
            HeldPrice(_decimal(retail, _CENT), _decimal(wholesale, _CENT), _decimal(rate, _RATE))
        )
    return held


def _decimal(value, places: Decimal) -> Decimal:
    return Decimal(str(value)).quantize(places)
