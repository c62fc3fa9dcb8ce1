"""Write the catalogue as CSV in the format import_products reads."""

from django.core.management.base import BaseCommand

from products.csv_io import export_products_dataset


class Command(BaseCommand):
    help = "Export every product as CSV (stdout, or --output FILE); re-importing it changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="Write to this file instead of stdout.")

    def handle(self, *args, output=None, **options):
        dataset = export_products_dataset()
        text = dataset.export("csv")
        if output:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            self.stderr.write(f"{len(dataset)} product(s) written to {output}.")
        else:
            self.stdout.write(text, ending="")
