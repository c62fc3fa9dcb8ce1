"""Write stock on hand as CSV: per product and location, per batch for batch-tracked products."""

from django.core.management.base import BaseCommand

from products.csv_io import export_stock_dataset


class Command(BaseCommand):
    help = "Export stock on hand as CSV (stdout, or --output FILE)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="Write to this file instead of stdout.")

    def handle(self, *args, output=None, **options):
        dataset = export_stock_dataset()
        text = dataset.export("csv")
        if output:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            self.stderr.write(f"{len(dataset)} stock row(s) written to {output}.")
        else:
            self.stdout.write(text, ending="")
