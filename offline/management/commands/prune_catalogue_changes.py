"""Delete catalogue change-log rows older than the retention: python manage.py prune_catalogue_changes."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from offline.services import prune_catalogue_changes


class Command(BaseCommand):
    help = (
        "Delete catalogue change-log rows older than --days (default: POS_CATALOGUE_LOG_DAYS). A till whose "
        "sync cursor is older then gets CURSOR_EXPIRED and starts a first sync. Safe to run at any time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.POS_CATALOGUE_LOG_DAYS)

    def handle(self, *args, days, **options):
        if days < 1:
            raise CommandError("--days must be at least 1: tills need time to come back online and sync.")
        self.stdout.write(f"Pruning catalogue changes logged more than {days} days ago ...")
        result = prune_catalogue_changes(
            older_than=timedelta(days=days),
            progress=lambda deleted: self.stdout.write(f"  {deleted:,} rows deleted"),
        )
        where = f"; cursors before ({result.mark[0]}, {result.mark[1]}) now expire" if result.mark else ""
        self.stdout.write(self.style.SUCCESS(f"Done: {result.deleted:,} rows deleted{where}."))
