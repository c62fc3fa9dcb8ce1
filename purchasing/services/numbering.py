"""Gapless purchase order numbers per shop year: PO<year>-<number>."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from purchasing.models import PurchaseOrderSequence
from shared import clock


def format_po_number(year: int, number: int) -> str:
    return f"PO{year}-{number:05d}"


def next_po_number() -> str:
    """Hand out the next PO number of the current shop year (inside the caller's transaction).

    One `UPDATE ... RETURNING` increments the year's row and keeps it locked until commit, so a
    rolled-back order gives its number back and the numbers stay gapless. The row is created on the
    year's first order with ON CONFLICT DO NOTHING so two first orders do not collide.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("next_po_number must run inside the order's transaction")
    year = timezone.localtime(clock.now()).year
    number = _increment(connection, year)
    if number is None:
        PurchaseOrderSequence.objects.bulk_create(
            [PurchaseOrderSequence(year=year, last_number=0)], ignore_conflicts=True
        )
        number = _increment(connection, year)
    return format_po_number(year, number)


def _increment(connection, year: int) -> int | None:
    table = connection.ops.quote_name(PurchaseOrderSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_number = last_number + 1 WHERE year = %s RETURNING last_number",
            [year],
        )
        row = cursor.fetchone()
    return row[0] if row else None
