"""Daily summary rows, written in the same transaction as the sale, void or return that changes them.

Reports read `DailySales`, `DailyProductSales` and `DailyTenderSales` instead of millions of lines
(reports/summary_reads.py); `sales.checks` proves them equal to the detail and
`sales.summary_rebuild` recomputes them (the `rebuild_summaries` command).

Each service calls one `record_*` function just before it returns. The rows are hot (every cash
sale at a location adds to the same tender row), so a write is one `INSERT ... ON CONFLICT DO
UPDATE SET x = x + EXCLUDED.x` per table, in table order and key order, as the document's last
statements: the row locks are taken last (nothing is locked after them, so they join no deadlock
cycle) and held only until the commit that follows. The same SQL runs on SQLite and PostgreSQL.

A document that calls several services in one transaction (an exchange: a return, then a sale)
wraps them in `collected()`, so their rows are merged and written once, still in key order.

The day of a sale is the local date (settings.TIME_ZONE) of its `created_at`, the moment it was
rung up: a sale written later (offline, or by the demo loader inside `shared.backdating`, which pins
the clock and restamps `created_at` after the block) is keyed on its own day, not on today. A return
counts on the day it was approved (`decided_at`), at its sale's location and sale type, as the
reports define refunds. Rows that a direct edit of the detail makes wrong (fixtures restamping
`created_at`, a change of TIME_ZONE) are repaired by `rebuild_summaries`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from django.db import connection
from django.utils import timezone

from sales.choices import PaymentMethod
from sales.models import DailyProductSales, DailySales, DailyTenderSales, Payment, Sale, SaleItem
from shared import clock
from shared.money import ZERO

SHARE_PLACES = Decimal("1e-10")

# Table -> (key columns, value columns); writes go in this order, rows in key order.
TABLES: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {
    DailySales: (
        ("day", "location_id", "sale_type"),
        (
            "sale_count",
            "total",
            "discount_total",
            "tax_total",
            "on_account_amount",
            "on_account_count",
            "cost_amount",
            "return_count",
            "refund_amount",
            "refund_tax",
            "restocked_cost",
        ),
    ),
    DailyProductSales: (
        ("day", "location_id", "product_id"),
        (
            "quantity",
            "line_count",
            "sale_count",
            "subtotal",
            "discount",
            "tax",
            "total",
            "cost_amount",
            "returned_quantity",
            "returned_amount",
        ),
    ),
    DailyTenderSales: (
        ("day", "location_id", "method"),
        ("amount", "sale_count", "change_amount", "refund_amount", "refund_count"),
    ),
}

Deltas = dict[type, dict[tuple, dict[str, Decimal | int]]]
_collector: ContextVar[Deltas | None] = ContextVar("summary_collector", default=None)


def local_day(moment: datetime) -> date:
    """The shop's calendar day (settings.TIME_ZONE) of an aware moment."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def _add(deltas: Deltas, model: type, key: tuple, **values: Decimal | int) -> None:
    row = deltas.setdefault(model, {}).setdefault(key, {})
    for name, value in values.items():
        row[name] = row.get(name, 0) + value


def _sale_deltas(sale: Sale, lines: Iterable[SaleItem], payments: Iterable[Payment], sign: int) -> Deltas:
    """What one sale adds to (sign 1) or, voided, takes from (sign -1) its day's rows."""
    moment = (clock.pinned_moment() if sign > 0 else None) or sale.created_at
    day, location_id = local_day(moment), sale.location_id
    deltas: Deltas = {}
    cost = ZERO
    per_product: dict[int, dict] = {}
    for line in lines:
        line_cost = line.unit_cost * line.quantity
        cost += line_cost
        figures = per_product.setdefault(line.product_id, {"line_count": 0})
        for name, value in (
            ("quantity", line.quantity),
            ("subtotal", line.subtotal),
            ("discount", line.discount),
            ("tax", line.tax),
            ("total", line.total),
            ("cost_amount", line_cost),
        ):
            figures[name] = figures.get(name, ZERO) + value
        figures["line_count"] += 1
    _add(
        deltas,
        DailySales,
        (day, location_id, sale.sale_type),
        sale_count=sign,
        total=sign * sale.total,
        discount_total=sign * sale.discount_total,
        tax_total=sign * sale.tax_total,
        on_account_amount=sign * sale.amount_on_account,
        on_account_count=sign if sale.amount_on_account > 0 else 0,
        cost_amount=sign * cost,
    )
    for product_id, figures in per_product.items():
        _add(
            deltas,
            DailyProductSales,
            (day, location_id, product_id),
            sale_count=sign,
            **{name: sign * value for name, value in figures.items()},
        )
    per_method: dict[str, Decimal] = {}
    for payment in payments:
        per_method[payment.method] = per_method.get(payment.method, ZERO) + payment.amount
    for method, amount in per_method.items():
        _add(deltas, DailyTenderSales, (day, location_id, method), amount=sign * amount, sale_count=sign)
    if sale.change:
        _add(
            deltas,
            DailyTenderSales,
            (day, location_id, PaymentMethod.CASH.value),
            change_amount=sign * sale.change,
        )
    return deltas


def record_sale(sale: Sale, lines: Iterable[SaleItem], payments: Iterable[Payment]) -> None:
    """Add a new sale to its day's summary rows (the last writes of createSale)."""
    _write_or_collect(_sale_deltas(sale, lines, payments, sign=1))


def sale_statements(
    sale: Sale, lines: Iterable[SaleItem], payments: Iterable[Payment]
) -> list[tuple[str, list]]:
    """`record_sale` as statements for the caller to send (createSale's last round trip on PostgreSQL).

    Inside `collected()` the rows join the block's writes instead and there is nothing to send.
    """
    deltas = _sale_deltas(sale, lines, payments, sign=1)
    if _collector.get() is not None:
        _write_or_collect(deltas)
        return []
    return _statements(deltas)


def record_void(sale: Sale) -> None:
    """Take a voided sale back out of its own day's rows (the day it was sold, not the void's)."""
    lines = SaleItem.objects.filter(sale=sale).only(
        "product_id", "quantity", "subtotal", "discount", "tax", "total", "unit_cost"
    )
    payments = Payment.objects.filter(sale=sale).only("method", "amount")
    _write_or_collect(_sale_deltas(sale, lines, payments, sign=-1))


def record_return(return_request, lines: Iterable, sale: Sale) -> None:
    """Add an approved return to the rows of its approval day at its sale's location and sale type.

    `lines` are its ReturnItems with `sale_item` loaded and `refund_amount` fixed. The refund's
    share of tax is refund x line tax / line total (the reports' definition), kept to 10 places.
    """
    day, location_id = local_day(return_request.decided_at), sale.location_id
    deltas: Deltas = {}
    refund = tax_share = restocked_cost = ZERO
    for line in lines:
        item = line.sale_item
        refund += line.refund_amount
        tax_share += (line.refund_amount * item.tax / (item.total or Decimal(1))).quantize(SHARE_PLACES)
        if line.restock:
            restocked_cost += item.unit_cost * line.quantity
        _add(
            deltas,
            DailyProductSales,
            (day, location_id, item.product_id),
            returned_quantity=line.quantity,
            returned_amount=line.refund_amount,
        )
    _add(
        deltas,
        DailySales,
        (day, location_id, sale.sale_type),
        return_count=1,
        refund_amount=refund,
        refund_tax=tax_share,
        restocked_cost=restocked_cost,
    )
    if return_request.cash_refund_amount > 0:
        _add(
            deltas,
            DailyTenderSales,
            (day, location_id, return_request.refund_method),
            refund_amount=return_request.cash_refund_amount,
            refund_count=1,
        )
    _write_or_collect(deltas)


def record_refund_paid(return_request, sale: Sale, amount: Decimal) -> None:
    """Money paid back on an approved return after `record_return` (an exchange's difference)."""
    deltas: Deltas = {}
    if amount > 0:
        key = (local_day(return_request.decided_at), sale.location_id, return_request.refund_method)
        _add(deltas, DailyTenderSales, key, refund_amount=amount, refund_count=1)
    _write_or_collect(deltas)


@contextmanager
def collected() -> Iterator[None]:
    """Merge the summary writes of the services called in the block and write them at its end.

    Use inside the transaction of a document made of several services, so the rows are still
    written last and in key order. Nested blocks join the outer one; a block that raises writes
    nothing.
    """
    if _collector.get() is not None:
        yield
        return
    deltas: Deltas = {}
    token = _collector.set(deltas)
    try:
        yield
    finally:
        _collector.reset(token)
    _write(deltas)


def _write_or_collect(deltas: Deltas) -> None:
    pending = _collector.get()
    if pending is None:
        _write(deltas)
        return
    for model, rows in deltas.items():
        for key, values in rows.items():
            _add(pending, model, key, **values)


def _write(deltas: Deltas) -> None:
    with connection.cursor() as cursor:
        for sql, params in _statements(deltas):
            cursor.execute(sql, params)


def _statements(deltas: Deltas) -> list[tuple[str, list]]:
    """One upsert per table, tables in TABLES order, rows in key order (the lock order of these rows)."""
    statements = []
    for model, (_keys, columns) in TABLES.items():
        rows = deltas.get(model)
        if not rows:
            continue
        params: list = []
        for key in sorted(rows):
            values = rows[key]
            params += [*key, *(values.get(c, 0) for c in columns)]
        statements.append((_upsert_sql(model, connection.vendor, len(rows)), params))
    return statements


@lru_cache(maxsize=64)
def _upsert_sql(model: type, vendor: str, row_count: int) -> str:
    qn = connection.ops.quote_name
    keys, columns = TABLES[model]
    table = qn(model._meta.db_table)
    names = (*keys, *columns)
    placeholders = "(" + ", ".join(["%s"] * len(names)) + ")"
    return (
        f"INSERT INTO {table} ({', '.join(qn(n) for n in names)}) VALUES "
        + ", ".join([placeholders] * row_count)
        + f" ON CONFLICT ({', '.join(qn(k) for k in keys)}) DO UPDATE SET "
        + ", ".join(f"{qn(c)} = {table}.{qn(c)} + EXCLUDED.{qn(c)}" for c in columns)
    )
