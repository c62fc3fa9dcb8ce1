"""What the reports count (sales, approved returns in a period) and how money is summed in the database."""

from __future__ import annotations

from datetime import date

from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from returns.models import Return
from sales.choices import SaleStatus
from sales.models import Sale
from shared.dates import end_of_day_exclusive, start_of_day
from shared.money import ZERO

MONEY = DecimalField(max_digits=18, decimal_places=4)
SUMMARIES, DETAIL = "summaries", "detail"
NOT_VOIDED = ~Q(status="voided")


def money_zero():
    return Value(ZERO, output_field=MONEY)


def money_sum(expression) -> Coalesce:
    return Coalesce(Sum(expression, output_field=MONEY), money_zero(), output_field=MONEY)


def _in_range(prefix: str, date_from: date | None, date_to: date | None, field_name: str = "created_at") -> Q:
    condition = Q()
    if date_from:
        condition &= Q(**{f"{prefix}{field_name}__gte": start_of_day(date_from)})
    if date_to:
        condition &= Q(**{f"{prefix}{field_name}__lt": end_of_day_exclusive(date_to)})
    return condition


def counted_sales(
    date_from: date | None, date_to: date | None, location_id: int | None = None
) -> QuerySet[Sale]:
    sales = Sale.objects.filter(NOT_VOIDED).filter(_in_range("", date_from, date_to))
    return sales.filter(location_id=location_id) if location_id else sales


def counted_sale_condition(
    prefix: str, date_from: date | None, date_to: date | None, location_id: int | None
) -> Q:
    """The counted-sales condition seen from a table with a `sale` FK (`prefix` = "sale__").

    Filtering lines and payments by a join on their sale, not by `sale__in=<subquery>`, lets
    PostgreSQL hash-join (in parallel) once instead of probing a subquery per row.
    """
    condition = ~Q(**{f"{prefix}status": SaleStatus.VOIDED}) & _in_range(prefix, date_from, date_to)
    if location_id:
        condition &= Q(**{f"{prefix}location_id": location_id})
    return condition


def approved_returns(
    date_from: date | None, date_to: date | None, location_id: int | None = None
) -> QuerySet[Return]:
    returns = Return.objects.filter(status=Return.Status.APPROVED).filter(
        _in_range("", date_from, date_to, "decided_at")
    )
    return returns.filter(sale__location_id=location_id) if location_id else returns
