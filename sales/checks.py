"""check_ledgers' part for sales: the daily summary rows equal what the detail says."""

from sales.summary_rebuild import find_mismatches


def find_ledger_mismatches() -> list[str]:
    return find_mismatches()
