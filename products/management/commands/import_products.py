"""Import products (and opening stock) from a CSV file; nothing is written if any row is bad."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from products.csv_io import IMPORT_COLUMNS, import_products


class Command(BaseCommand):
    help = (
        "Upsert products by SKU from a CSV file. Columns: "
        + ", ".join(IMPORT_COLUMNS)
        + ". Opening quantities of new products are received into stock."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file (UTF-8, header row).")
        parser.add_argument("--dry-run", action="store_true", help="Validate and simulate; write nothing.")

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")

        def progress(stage: str, done: int, total: int) -> None:
            self.stdout.write(f"  {stage}: {done}/{total}")

        report = import_products(path.read_bytes(), dry_run=dry_run, progress=progress)
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(report.errors)} error(s) in {report.total} row(s); nothing was imported."
            )
        prefix = "Dry run, nothing written: would have " if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}{report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
                f"{report.receipts} opening receipt(s)"
                + (
                    f", {report.ignored_opening} opening quantity(ies) ignored for existing products"
                    if report.ignored_opening
                    else ""
                )
                + f" ({report.total} rows)."
            )
        )
