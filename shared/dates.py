"""Shop-local day boundaries, and the date limits every report and filter shares.

A report "day" is a calendar day in settings.TIME_ZONE.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from shared.errors import DomainError, ErrorCode


def start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def end_of_day_exclusive(day: date) -> datetime:
    """The first instant after `day` (use with `__lt`)."""
    return start_of_day(day + timedelta(days=1))


def local_today() -> date:
    return timezone.localdate()


def date_limits() -> tuple[date, date]:
    """The first and last day a report or filter may name (INPUT_DATE_MIN, INPUT_DATE_MAX)."""
    return date.fromisoformat(settings.INPUT_DATE_MIN), date.fromisoformat(settings.INPUT_DATE_MAX)


def check_date(day: date | None, *, field: str) -> None:
    """Refuse a day outside date_limits() with OUT_OF_RANGE (year 1 or 9999 overflow day arithmetic)."""
    if day is None:
        return
    first, last = date_limits()
    if not first <= day <= last:
        raise DomainError(
            ErrorCode.OUT_OF_RANGE,
            f"Dates must be between {first.isoformat()} and {last.isoformat()}.",
            field=field,
            params={"min": first.isoformat(), "max": last.isoformat()},
        )


def check_date_range(
    date_from: date | None,
    date_to: date | None,
    *,
    from_field: str = "dateFrom",
    to_field: str = "dateTo",
    granularity: str | None = None,
) -> None:
    """Refuse days out of range, `dateFrom` after `dateTo`, and more buckets than REPORT_MAX_BUCKETS.

    Codes: OUT_OF_RANGE (a day outside the limits, or too long a span for the granularity),
    INVALID (dateFrom after dateTo).
    """
    check_date(date_from, field=from_field)
    check_date(date_to, field=to_field)
    if date_from is not None and date_to is not None and date_from > date_to:
        raise DomainError(ErrorCode.INVALID, "dateFrom is after dateTo.", field=from_field)
    if granularity is not None and date_from is not None and date_to is not None:
        max_buckets = settings.REPORT_MAX_BUCKETS
        if bucket_count(granularity, date_from, date_to) > max_buckets:
            unit = {"DAY": "days", "WEEK": "weeks", "MONTH": "months"}[granularity]
            raise DomainError(
                ErrorCode.OUT_OF_RANGE,
                f"A {granularity.lower()}-by-{granularity.lower()} report covers at most "
                f"{max_buckets} {unit}: choose a shorter period or a coarser granularity.",
                field=to_field,
                params={"limit": max_buckets},
            )


def bucket_count(granularity: str, date_from: date, date_to: date) -> int:
    """How many rows a day/week/month report (weeks start on Monday) has from date_from to date_to."""
    if granularity == "DAY":
        return (date_to - date_from).days + 1
    if granularity == "WEEK":
        first_monday = date_from - timedelta(days=date_from.weekday())
        return (date_to - first_monday).days // 7 + 1
    return (date_to.year - date_from.year) * 12 + date_to.month - date_from.month + 1


def check_days(days: int | None, *, field: str, maximum: int = 36500) -> None:
    """Refuse a day count (`days`, `withinDays`) that is negative or would overflow date arithmetic."""
    if days is not None and not 0 <= days <= maximum:
        raise DomainError(
            ErrorCode.OUT_OF_RANGE,
            f"{field} must be between 0 and {maximum}.",
            field=field,
            params={"limit": maximum},
        )
