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
from django.db.models import Exists, OuterRef, Q

from offline.models import PriceHistory
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


def _at_or_before(txid: int, row: int, prefix: str = "") -> Q:
    return Q(**{f"{prefix}txid__lt": txid}) | Q(**{f"{prefix}txid": txid, f"{prefix}change_id__lte": row})


def prices_held(*, version: CatalogueVersion, product_ids) -> dict[int, list[HeldPrice]]:
    """Per product, the prices a till at `version` may have held, newest first (one query).

    The row in force at the version's lower bound (the newest at or before it) and every later row
    the till's last page could have seen. A product without history rows is missing from the answer.
    """
    lower = _at_or_before(version.lower_txid, version.lower_row)
    postgres = connection.vendor == "postgresql"
    seen = Q(txid__lt=version.upper) if postgres else Q(change_id__lte=version.upper)
    newer_at_or_before_lower = PriceHistory.objects.filter(
        _at_or_before(version.lower_txid, version.lower_row),
        product_id=OuterRef("product_id"),
    ).filter(Q(txid__gt=OuterRef("txid")) | Q(txid=OuterRef("txid"), change_id__gt=OuterRef("change_id")))
    rows = (
        PriceHistory.objects.filter(product_id__in=set(product_ids))
        .filter((lower & ~Exists(newer_at_or_before_lower)) | (~lower & seen))
        .order_by("product_id", "-txid", "-change_id")
        .values_list("product_id", "retail_price", "wholesale_price", "tax_rate")
    )
    held: dict[int, list[HeldPrice]] = {}
    for product_id, retail, wholesale, rate in rows:
        held.setdefault(product_id, []).append(HeldPrice(retail, wholesale, rate))
    return held
