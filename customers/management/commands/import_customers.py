from pathlib import Path

import tablib
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from customers.resources import CustomerResource


class Command(BaseCommand):
    help = (
        "Import customers from a CSV file (upsert by phone) as --user, with that user's rights (only "
        "a manager may set credit limits or block/archive). Nothing is imported if any row is bad."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="Username of the staff member importing.")
        parser.add_argument("--dry-run", action="store_true", help="Validate and report without saving.")

    def handle(self, *args, file: Path, user: str, dry_run: bool, **options):
        if not file.exists():
            raise CommandError(f"{file} does not exist.")
        importer = get_user_model().objects.filter(username=user, is_active=True).first()
        if importer is None:
            raise CommandError(f"No active user {user!r}.")
        dataset = tablib.Dataset().load(file.read_text(encoding="utf-8-sig"), format="csv")
        self.stdout.write(f"Validating {len(dataset)} rows from {file} ...")
        with transaction.atomic():
            result = CustomerResource().import_data(dataset, dry_run=True, raise_errors=False, user=importer)
            problems = report_row_errors(result)
            if problems:
                for line in problems:
                    self.stderr.write(line)
                raise CommandError(f"{len(problems)} problem(s) found; nothing was imported.")
            if not dry_run:
                CustomerResource().import_data(dataset, dry_run=False, raise_errors=True, user=importer)
        totals = result.totals
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            self.style.SUCCESS(f"{verb}: {totals.get('new', 0)} new, {totals.get('update', 0)} updated.")
        )


def report_row_errors(result) -> list[str]:
    """One line per problem: row number (1 = first data row), column, message."""
    lines = [f"file: {error.error}" for error in result.base_errors]
    for row_number, errors in result.row_errors():
        lines.extend(f"row {row_number}: {error.error}" for error in errors)
    for invalid in result.invalid_rows:
        for column, messages in invalid.error_dict.items():
            where = (
                f"row {invalid.number}"
                if column == NON_FIELD_ERRORS
                else f"row {invalid.number}, column {column}"
            )
            lines.extend(f"{where}: {message}" for message in messages)
    return lines
