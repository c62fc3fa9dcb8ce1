"""Verify that every stored balance equals the sum of its ledger; exit non-zero on any mismatch."""

import importlib

from django.core.management.base import BaseCommand, CommandError

# Each module exposes `find_ledger_mismatches() -> list[str]` (one readable line per mismatch).
CHECK_MODULES = [
    "products.checks",
    "customers.checks",
    "tills.checks",
    "purchasing.checks",
    "offline.checks",
    "sales.checks",
]


class Command(BaseCommand):
    help = "Check stock levels against stock movements and customer balances against their ledgers."

    def handle(self, *args, **options):
        problems: list[str] = []
        for module_name in CHECK_MODULES:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                continue
            found = module.find_ledger_mismatches()
            self.stdout.write(f"{module_name}: {'OK' if not found else f'{len(found)} mismatch(es)'}")
            problems.extend(found)
        for line in problems:
            self.stderr.write(line)
        if problems:
            raise CommandError(f"{len(problems)} ledger mismatch(es) found.")
        self.stdout.write(self.style.SUCCESS("All ledgers reconcile."))
