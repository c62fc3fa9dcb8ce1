import sys

from django.core.management.base import BaseCommand

from customers.resources import CustomerResource


class Command(BaseCommand):
    help = "Write all customers as CSV to standard output (or --output FILE)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="File to write instead of standard output.")

    def handle(self, *args, output=None, **options):
        csv = CustomerResource().export().csv
        if output:
            with open(output, "w", encoding="utf-8", newline="") as fh:
                fh.write(csv)
            self.stderr.write(f"Wrote {csv.count(chr(10)) - 1} customers to {output}.")
        else:
            sys.stdout.write(csv)
