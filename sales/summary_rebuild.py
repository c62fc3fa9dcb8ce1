"""The daily summary rows as the detail says they should be: the rebuild and the check.

Computed with SQL aggregates over the detail tables, a second implementation independent of the
per-document arithmetic in `sales.summaries`, so `check_ledgers` comparing the two finds a wrong
write path. `rebuild_summaries` deletes the rows of the days asked and writes these ones.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.apps import apps
from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from sales.choices import PaymentMethod, SaleStatus
from sales.models import DailyProductSales, DailySales, DailyTenderSales, Payment, Sale, SaleItem
from sales.summaries import TABLES
from shared.dates import end_of_day_exclusive, start_of_day

WIDE = DecimalField(max_digits=30, decimal_places=10)

Rows = dict[type, dict[tuple, dict[str, Decimal | int]]]


def _day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=timezone.get_default_timezone())


def _range(field: str, date_from: date | None, date_to: date | None) -> Q:
    condition = Q()
    if date_from is not None:
        condition &= Q(**{f"{field}__gte": start_of_day(date_from)})
    if date_to is not None:
        condition &= Q(**{f"{field}__lt": end_of_day_exclusive(date_to)})
    return condition


def _merge(rows: Rows, model: type, queryset, keys: tuple[str, ...]) -> None:
    table = rows.setdefault(model, {})
    for row in queryset:
        key = tuple(row.pop(k) for k in keys)
        target = table.setdefault(key, {})
        for name, value in row.items():
            name = name.removeprefix("x_")  # aggregates are named apart from the model's fields
            target[name] = target.get(name, 0) + (value or 0)


def expected_rows(date_from: date | None = None, date_to: date | None = None) -> Rows:
    """The summary rows of the days from `date_from` to `date_to` (None: open-ended), from the detail."""
    # Returns sit above sales: their tables are read by model label, as tills reads products.Location.
    Return, ReturnItem = apps.get_model("returns", "Return"), apps.get_model("returns", "ReturnItem")
    rows: Rows = {}
    sales = Sale.objects.exclude(status=SaleStatus.VOIDED).filter(_range("created_at", date_from, date_to))
    lines = SaleItem.objects.exclude(sale__status=SaleStatus.VOIDED).filter(
        _range("sale__created_at", date_from, date_to)
    )
    returns = Return.objects.filter(status=Return.Status.APPROVED).filter(
        _range("decided_at", date_from, date_to)
    )
    items = ReturnItem.objects.filter(return_request__in=returns)
    line_cost = ExpressionWrapper(F("unit_cost") * F("quantity"), output_field=WIDE)
    sale_keys = ("day", "location_id", "sale_type")
    _merge(
        rows,
        DailySales,
        sales.annotate(day=_day("created_at"))
        .values(*sale_keys)
        .annotate(
            x_sale_count=Count("pk"),
            x_total=Sum("total"),
            x_discount_total=Sum("discount_total"),
            x_tax_total=Sum("tax_total"),
            x_on_account_amount=Sum("amount_on_account"),
            x_on_account_count=Count("pk", filter=Q(amount_on_account__gt=0)),
        )
        .order_by(),
        sale_keys,
    )
    _merge(
        rows,
        DailySales,
        lines.annotate(
            day=_day("sale__created_at"), location_id=F("sale__location_id"), sale_type=F("sale__sale_type")
        )
        .values(*sale_keys)
        .annotate(x_cost_amount=Sum(line_cost))
        .order_by(),
        sale_keys,
    )
    tax_share = ExpressionWrapper(
        F("refund_amount")
        * F("sale_item__tax")
        / Case(
            When(sale_item__total=0, then=Value(Decimal(1))), default=F("sale_item__total"), output_field=WIDE
        ),
        output_field=WIDE,
    )
    restocked = ExpressionWrapper(F("sale_item__unit_cost") * F("quantity"), output_field=WIDE)
    _merge(
        rows,
        DailySales,
        items.annotate(
            day=_day("return_request__decided_at"),
            location_id=F("return_request__sale__location_id"),
            sale_type=F("return_request__sale__sale_type"),
        )
        .values(*sale_keys)
        .annotate(
            x_return_count=Count("return_request", distinct=True),
            x_refund_amount=Sum("refund_amount"),
            x_refund_tax=Sum(tax_share),
            x_restocked_cost=Sum(restocked, filter=Q(restock=True)),
        )
        .order_by(),
        sale_keys,
    )
    product_keys = ("day", "location_id", "product_id")
    _merge(
        rows,
        DailyProductSales,
        lines.annotate(day=_day("sale__created_at"), location_id=F("sale__location_id"))
        .values(*product_keys)
        .annotate(
            x_quantity=Sum("quantity"),
            x_line_count=Count("pk"),
            x_sale_count=Count("sale_id", distinct=True),
            x_subtotal=Sum("subtotal"),
            x_discount=Sum("discount"),
            x_tax=Sum("tax"),
            x_total=Sum("total"),
            x_cost_amount=Sum(line_cost),
        )
        .order_by(),
        product_keys,
    )
    _merge(
        rows,
        DailyProductSales,
        items.annotate(
            day=_day("return_request__decided_at"),
            location_id=F("return_request__sale__location_id"),
            product_id=F("sale_item__product_id"),
        )
        .values(*product_keys)
        .annotate(x_returned_quantity=Sum("quantity"), x_returned_amount=Sum("refund_amount"))
        .order_by(),
        product_keys,
    )
    tender_keys = ("day", "location_id", "method")
    _merge(
        rows,
        DailyTenderSales,
        Payment.objects.exclude(sale__status=SaleStatus.VOIDED)
        .filter(_range("sale__created_at", date_from, date_to))
        .annotate(day=_day("sale__created_at"), location_id=F("sale__location_id"))
        .values(*tender_keys)
        .annotate(x_amount=Sum("amount"), x_sale_count=Count("sale_id", distinct=True))
        .order_by(),
        tender_keys,
    )
    _merge(
        rows,
        DailyTenderSales,
        sales.filter(change__gt=0)
        .annotate(day=_day("created_at"), method=Value(PaymentMethod.CASH.value))
        .values(*tender_keys)
        .annotate(x_change_amount=Sum("change"))
        .order_by(),
        tender_keys,
    )
    _merge(
        rows,
        DailyTenderSales,
        returns.filter(cash_refund_amount__gt=0)
        .annotate(day=_day("decided_at"), location_id=F("sale__location_id"), method=F("refund_method"))
        .values(*tender_keys)
        .annotate(x_refund_amount=Sum("cash_refund_amount"), x_refund_count=Count("pk"))
        .order_by(),
        tender_keys,
    )
    return rows


def stored_rows(date_from: date | None = None, date_to: date | None = None) -> Rows:
    rows: Rows = {}
    for model, (keys, columns) in TABLES.items():
        stored = model.objects.all()
        if date_from is not None:
            stored = stored.filter(day__gte=date_from)
        if date_to is not None:
            stored = stored.filter(day__lte=date_to)
        rows[model] = {tuple(r[k] for k in keys): r for r in stored.values(*keys, *columns).iterator()}
    return rows


def _same(model: type, column: str, a, b) -> bool:
    """Equal at the column's precision; SQLite sums through floating point, so compare rounded."""
    field = model._meta.get_field(column)
    if not isinstance(field, DecimalField):
        return int(a or 0) == int(b or 0)
    places = Decimal(1).scaleb(-field.decimal_places)
    # The tax share is a sum of quotients: the two sides round them at different places.
    tolerance = Decimal("1e-6") if field.decimal_places > 7 else places / 2
    return abs(Decimal(str(a or 0)) - Decimal(str(b or 0))) <= tolerance


def _shown(model: type, column: str, value) -> str:
    field = model._meta.get_field(column)
    if not isinstance(field, DecimalField):
        return str(int(value or 0))
    return str(Decimal(str(value or 0)).quantize(Decimal(1).scaleb(-min(field.decimal_places, 4))))


def find_mismatches(date_from: date | None = None, date_to: date | None = None) -> list[str]:
    """One readable line per summary figure that differs from its detail (missing rows count as zero)."""
    expected, stored = expected_rows(date_from, date_to), stored_rows(date_from, date_to)
    problems: list[str] = []
    for model, (_keys, columns) in TABLES.items():
        want, have = expected.get(model, {}), stored.get(model, {})
        for key in sorted(set(want) | set(have), key=str):
            for column in columns:
                a, b = want.get(key, {}).get(column, 0), have.get(key, {}).get(column, 0)
                if not _same(model, column, a, b):
                    problems.append(
                        f"{model.__name__} {key}: {column} is {_shown(model, column, b)} in the summary,"
                        f" {_shown(model, column, a)} in the detail"
                    )
    return problems


def _months(date_from: date, date_to: date) -> list[tuple[date, date]]:
    spans, start = [], date_from
    while start <= date_to:
        next_month = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        end = min(next_month - timedelta(days=1), date_to)
        spans.append((start, end))
        start = end + timedelta(days=1)
    return spans


def _detail_days() -> tuple[date, date] | None:
    first = Sale.objects.order_by("created_at").values_list("created_at", flat=True).first()
    if first is None:
        return None
    from sales.summaries import local_day  # noqa: PLC0415

    return local_day(first), timezone.localdate() + timedelta(days=1)


def rebuild_summaries(
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Recompute the summary rows of the days asked (default: every day with sales), a month per
    transaction; returns the rows written. Idempotent.

    On PostgreSQL each month locks the three tables against writers (readers go on) before reading
    the detail, so a sale committing meanwhile either is in the detail read or adds its rows after
    the rebuild's: never lost, never counted twice.
    """
    if date_from is None or date_to is None:
        span = _detail_days()
        if span is None:
            span = (timezone.localdate(), timezone.localdate())
        date_from, date_to = date_from or span[0], date_to or span[1]
    written = 0
    for start, end in _months(date_from, date_to):
        with transaction.atomic():
            if connection.vendor == "postgresql":
                tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in TABLES)
                with connection.cursor() as cursor:
                    cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
            rows = expected_rows(start, end)
            count = 0
            for model, (keys, columns) in TABLES.items():
                model.objects.filter(day__gte=start, day__lte=end).delete()
                objects = [
                    model(**dict(zip(keys, key, strict=True)), **{c: values.get(c) or 0 for c in columns})
                    for key, values in sorted(rows.get(model, {}).items())
                ]
                model.objects.bulk_create(objects, batch_size=2000)
                count += len(objects)
        written += count
        if progress is not None:
            progress(f"{start.isoformat()} .. {end.isoformat()}: {count} rows")
    return written
