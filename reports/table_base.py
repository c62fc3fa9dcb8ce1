"""The table shape every report is printed in, and the parsing of its parameters (CSV, CLI)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]


class ReportError(ValueError):
    """Bad report parameters (unknown report, bad date)."""


def report_dates(params: dict) -> tuple[date, date]:
    """`from`/`to` as days (default: the last 30 days up to today)."""
    try:
        date_to = date.fromisoformat(params["to"]) if params.get("to") else timezone.localdate()
        date_from = date.fromisoformat(params["from"]) if params.get("from") else date_to - timedelta(days=29)
    except ValueError as exc:
        raise ReportError(f"Dates must look like 2026-11-23 ({exc}).") from None
    if date_from > date_to:
        raise ReportError("The start date is after the end date.")
    return date_from, date_to
