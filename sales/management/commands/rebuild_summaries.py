"""Recompute the daily summary rows from the detail (backfill, or repair after a direct data edit)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from sales.summary_rebuild import rebuild_summaries


def _day(value: str | None, flag: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{flag} must be a date like 2026-01-31.") from None


class Command(BaseCommand):
    help = (
        "Rebuild the daily sales, product and tender summaries of the days --from .. --to (default: "
        "every day with sales) from the sales and returns; a month per transaction, idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", metavar="DATE")
        parser.add_argument("--to", dest="date_to", metavar="DATE")

    def handle(self, *args, date_from=None, date_to=None, **options):
        start, end = _day(date_from, "--from"), _day(date_to, "--to")
        if start and end and start > end:
            raise CommandError("--from is after --to.")
        written = rebuild_summaries(date_from=start, date_to=end, progress=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Rebuilt the summaries: {written} rows written."))
