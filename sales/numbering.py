"""Human-readable, collision-free sale transaction ids: S<year>-<number>, numbered per shop year."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from sales.models import SaleSequence
from shared import clock

PREFIX = "S"


def format_transaction_id(year: int, number: int) -> str:
    """S2026-000123; numbers past 999999 simply grow a digit and stay unique."""
    return f"{PREFIX}{year}-{number:06d}"


def next_transaction_id(*, now: datetime | None = None) -> str:
    """Hand out the next transaction id of the shop's current year (must run inside a transaction).

    One `UPDATE ... RETURNING` increments the year's `SaleSequence` row and locks it until the
    caller's transaction ends, so two sales can never get one number and a rolled-back sale gives
    its number back. The row is created on the year's first sale with `INSERT ... ON CONFLICT DO
    NOTHING`, so two first sales racing to create it do not fail. The year is the shop's local year
    (`TIME_ZONE`), so a sale at 00:30 on 1 January in Lagos belongs to the new year.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("next_transaction_id must run inside the sale's transaction")
    year = timezone.localtime(now or clock.now()).year
    number = _increment(connection, year)
    if number is None:
        SaleSequence.objects.bulk_create([SaleSequence(year=year, last_number=0)], ignore_conflicts=True)
        number = _increment(connection, year)
    return format_transaction_id(year, number)


def _increment(connection, year: int) -> int | None:
    table = connection.ops.quote_name(SaleSequence._meta.db_table)
    with connection.cursor() as cursor:
        # PostgreSQL and SQLite (3.35+) both return the row the UPDATE wrote.
        cursor.execute(
            f"UPDATE {table} SET last_number = last_number + 1 WHERE year = %s RETURNING last_number",
            [year],
        )
        row = cursor.fetchone()
    return row[0] if row else None
