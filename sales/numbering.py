"""Human-readable, collision-free sale transaction ids: S<year>-<number>, numbered per shop year."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from sales.models import SaleSequence

PREFIX = "S"


def format_transaction_id(year: int, number: int) -> str:
    """S2026-000123; numbers past 999999 simply grow a digit and stay unique."""
    return f"{PREFIX}{year}-{number:06d}"


def next_transaction_id(*, now: datetime | None = None) -> str:
    """Hand out the next transaction id of the shop's current year (must run inside a transaction).

    Locks the year's `SaleSequence` row (`SELECT ... FOR NO KEY UPDATE`) and holds it until the
    caller's transaction ends, so two sales can never get one number and a rolled-back sale gives
    its number back. The row is created on first use with `INSERT ... ON CONFLICT DO NOTHING`, so
    two first sales of a year racing to create it do not fail. The year is the shop's local year
    (`TIME_ZONE`), so a sale at 00:30 on 1 January in Lagos belongs to the new year.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_transaction_id must run inside the sale's transaction")
    year = timezone.localtime(now).year
    SaleSequence.objects.bulk_create([SaleSequence(year=year, last_number=0)], ignore_conflicts=True)
    sequence = SaleSequence.objects.select_for_update(no_key=True).get(year=year)
    SaleSequence.objects.filter(pk=sequence.pk).update(last_number=F("last_number") + 1)
    sequence.refresh_from_db(fields=["last_number"])
    return format_transaction_id(year, sequence.last_number)
