"""Human-readable, collision-free sale transaction ids: S<year>-<number>, numbered per shop year."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from customers.models import CustomerLedgerEntry
from products.models import StockMovement
from sales.models import Sale, SaleSequence
from shared import clock
from shared.inserts import Statement, run_together

PREFIX = "S"
PROVISIONAL_PREFIX = "~"


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


def numbers_at_commit() -> bool:
    """Whether createSale writes the sale first and numbers it in its last round trip (PostgreSQL).

    The year's counter row is the one lock every till shares, held until COMMIT. Taken before the
    sale's INSERTs, it is held over five to eight statements and the Python between them (and, in a
    threaded worker, over the waits for the interpreter lock): under load every till queued on it
    (docs/PERFORMANCE.md). On PostgreSQL the number, its relabelling and the daily-summary upserts
    go in one round trip just before COMMIT. SQLite runs one writer at a time, so a shorter row
    lock gains nothing there, and the sale is numbered in its INSERT as before.
    """
    return transaction.get_connection().vendor == "postgresql"


def provisional_transaction_id() -> str:
    """A unique placeholder the sale is written under until `number_written_sale` replaces it.

    No other transaction ever sees it: the sale is numbered before its transaction commits.
    """
    return PROVISIONAL_PREFIX + secrets.token_hex(8)


def number_written_sale(
    sale_id: int,
    *,
    movements_reference_type: str,
    ledger_ids: Sequence[int] = (),
    before: Sequence[Statement] = (),
    then: Sequence[Statement] = (),
    read_back: Statement,
    now: datetime | None = None,
) -> list[tuple]:
    """Number a sale written under a provisional id, in one round trip (PostgreSQL only).

    The statements in `before` (the sale's own rows nobody waits for: lines, draws, payments,
    movements) go first; then one statement takes the year's next number and writes it on the sale
    and on what carries it as its reference (the sale's stock movements, found by
    `movements_reference_type` and the sale's id, and the ledger rows `ledger_ids`); the statements
    in `then` (the daily-summary upserts, the other hot rows) follow, after the counter, as the lock
    order says; `read_back`, whose rows start with the sale's transaction id, ends the round trip
    and its rows are returned. Gapless as `next_transaction_id`: a sale that rolls back gives its
    number back.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("number_written_sale must run inside the sale's transaction")
    year = timezone.localtime(now or clock.now()).year
    numbering = _numbering_statement(connection, sale_id, year, movements_reference_type, ledger_ids)
    rows = run_together([*before, numbering, *then, read_back])
    if rows[0][0].startswith(PROVISIONAL_PREFIX):  # the year's first sale: no counter row yet
        SaleSequence.objects.bulk_create([SaleSequence(year=year, last_number=0)], ignore_conflicts=True)
        rows = run_together([numbering, read_back])
    return rows


def _numbering_statement(connection, sale_id, year, movements_reference_type, ledger_ids) -> Statement:
    qn = connection.ops.quote_name
    # The same text as format_transaction_id: six digits, more once the year passes 999999.
    parts = [
        f"n AS (UPDATE {qn(SaleSequence._meta.db_table)} SET last_number = last_number + 1"
        " WHERE year = %s RETURNING last_number)",
        "t AS (SELECT %s || CASE WHEN last_number < 1000000 THEN lpad(last_number::text, 6, '0')"
        " ELSE last_number::text END AS tid FROM n)",
    ]
    params: list = [year, f"{PREFIX}{year}-"]
    movements = qn(StockMovement._meta.db_table)
    # By the movements' (reference_type, reference_id) index: no other movement names the new sale.
    parts.append(
        f"m AS (UPDATE {movements} SET reference = t.tid FROM t"
        f" WHERE {movements}.reference_type = %s AND {movements}.reference_id = %s)"
    )
    params += [movements_reference_type, sale_id]
    if ledger_ids:
        ledger = qn(CustomerLedgerEntry._meta.db_table)
        parts.append(f"l AS (UPDATE {ledger} SET reference = t.tid FROM t WHERE {ledger}.id = ANY(%s))")
        params.append(list(ledger_ids))
    sale_table = qn(Sale._meta.db_table)
    sql = f"WITH {', '.join(parts)} UPDATE {sale_table} SET transaction_id = t.tid FROM t WHERE {sale_table}.id = %s"
    return sql, [*params, sale_id]
