"""Shop-local day boundaries: a report "day" is a calendar day in settings.TIME_ZONE."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def end_of_day_exclusive(day: date) -> datetime:
    """The first instant after `day` (use with `__lt`)."""
    return start_of_day(day + timedelta(days=1))


def local_today() -> date:
    return timezone.localdate()
