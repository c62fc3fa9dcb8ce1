"""revenueByPeriod: revenue, refunds and net per day, week or month, zero-filled."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from reports import summary_reads
from reports.selectors.counting import SUMMARIES, approved_returns, counted_sales, money_sum
from shared.money import ZERO, q


@dataclass
class Bucket:
    start: date
    revenue: Decimal
    refunds: Decimal
    net: Decimal
    transactions: int


TRUNC = {"DAY": TruncDay, "WEEK": TruncWeek, "MONTH": TruncMonth}


def _bucket_starts(granularity: str, date_from: date, date_to: date) -> list[date]:
    starts: list[date] = []
    if granularity == "DAY":
        day = date_from
        while day <= date_to:
            starts.append(day)
            day += timedelta(days=1)
    elif granularity == "WEEK":
        day = date_from - timedelta(days=date_from.weekday())
        while day <= date_to:
            starts.append(day)
            day += timedelta(days=7)
    else:
        day = date_from.replace(day=1)
        while day <= date_to:
            starts.append(day)
            day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return starts


def revenue_by_period(
    *,
    granularity: str,
    date_from: date,
    date_to: date,
    location_id: int | None = None,
    figures: Collection[str] | None = None,
    source: str = SUMMARIES,
) -> list[Bucket]:
    """Revenue per day/week/month in the shop's time zone, zero-filled, net of refunds approved then.

    `figures` names the Bucket fields wanted (None: all): the sales are grouped only for revenue,
    net or transactions, the refunds only for refunds or net; the others read as zero. From the
    summaries: one statement over the days' rows, bucketed here.
    """
    wanted = set(Bucket.__dataclass_fields__) if figures is None else set(figures)
    if source == SUMMARIES:
        days = {} if not wanted & {"revenue", "refunds", "net", "transactions"} else None
        return _buckets_from_days(granularity, date_from, date_to, location_id, days)
    trunc = TRUNC[granularity]
    tz = timezone.get_current_timezone()

    def as_date(value) -> date:
        return value.date() if isinstance(value, datetime) else value

    revenue = (
        {}
        if not wanted & {"revenue", "net", "transactions"}
        else {
            as_date(r["bucket"]): (r["value"], r["count"])
            for r in counted_sales(date_from, date_to, location_id)
            .annotate(bucket=trunc("created_at", tzinfo=tz))
            .values("bucket")
            .annotate(value=money_sum("total"), count=Count("pk"))
        }
    )
    refunds = (
        {}
        if not wanted & {"refunds", "net"}
        else {
            as_date(r["bucket"]): r["value"]
            for r in approved_returns(date_from, date_to, location_id)
            .annotate(bucket=trunc("decided_at", tzinfo=tz))
            .values("bucket")
            .annotate(value=money_sum("refund_total"))
        }
    )
    buckets = []
    for start in _bucket_starts(granularity, date_from, date_to):
        value, count = revenue.get(start, (ZERO, 0))
        refunded = q(refunds.get(start, ZERO))
        buckets.append(
            Bucket(
                start=start, revenue=q(value), refunds=refunded, net=q(value) - refunded, transactions=count
            )
        )
    return buckets


def _bucket_of(granularity: str, day: date) -> date:
    if granularity == "DAY":
        return day
    if granularity == "WEEK":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _buckets_from_days(
    granularity: str, date_from: date, date_to: date, location_id: int | None, days: dict | None
) -> list[Bucket]:
    """Zero-filled buckets from the per-day sums (`days`: already known, e.g. none are wanted)."""
    if days is None:
        days = summary_reads.revenue_by_day(date_from, date_to, location_id)
    sums: dict[date, list] = {}
    for day, (revenue, count, refunds) in days.items():
        bucket = sums.setdefault(_bucket_of(granularity, day), [ZERO, 0, ZERO])
        bucket[0] += revenue
        bucket[1] += count
        bucket[2] += refunds
    buckets = []
    for start in _bucket_starts(granularity, date_from, date_to):
        value, count, refunded = sums.get(start, (ZERO, 0, ZERO))
        buckets.append(
            Bucket(
                start=start,
                revenue=q(value),
                refunds=q(refunded),
                net=q(value) - q(refunded),
                transactions=count,
            )
        )
    return buckets
