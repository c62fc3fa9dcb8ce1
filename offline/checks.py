"""Ledger check used by `manage.py check_ledgers`: every offline shortage movement has its discrepancy."""

from decimal import Decimal

from offline.models import StockDiscrepancy
from products.models import StockMovement


def find_ledger_mismatches() -> list[str]:
    """One line per offline_shortage movement without a stock discrepancy of the same quantity."""
    recorded = dict(StockDiscrepancy.objects.values_list("movement_id", "quantity"))
    problems = []
    shortages = StockMovement.objects.filter(movement_type=StockMovement.Type.OFFLINE_SHORTAGE)
    for pk, quantity in shortages.values_list("pk", "quantity"):
        if recorded.get(pk) != Decimal(quantity):
            problems.append(
                f"offline shortage movement {pk} ({quantity}) has discrepancy quantity {recorded.get(pk)}"
            )
    return problems
