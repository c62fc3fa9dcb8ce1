"""Ledger check used by `manage.py check_ledgers`."""

from decimal import Decimal

from django.db.models import Sum

from products.models import Batch, StockLevel, StockMovement


def find_ledger_mismatches() -> list[str]:
    """One line per StockLevel or Batch whose quantity differs from the sum of its movements."""
    problems: list[str] = []
    ledger = StockMovement.objects.filter(affects_stock=True)
    level_sums = {
        (row["product_id"], row["location_id"]): row["total"]
        for row in ledger.values("product_id", "location_id").annotate(total=Sum("quantity"))
    }
    seen = set()
    for level in StockLevel.objects.values("product_id", "location_id", "quantity"):
        key = (level["product_id"], level["location_id"])
        seen.add(key)
        expected = Decimal(level_sums.get(key) or 0).quantize(Decimal("0.001"))
        if level["quantity"] != expected:
            problems.append(
                f"stock level product={key[0]} location={key[1]}: {level['quantity']} on record, "
                f"movements sum to {expected}"
            )
    for key, total in level_sums.items():
        if key not in seen and Decimal(total or 0) != 0:
            problems.append(
                f"movements for product={key[0]} location={key[1]} sum to {total} but no stock level"
            )
    batch_sums = {
        row["batch_id"]: row["total"]
        for row in ledger.filter(batch__isnull=False).values("batch_id").annotate(total=Sum("quantity"))
    }
    for batch in Batch.objects.values("pk", "product_id", "location_id", "batch_number", "quantity"):
        expected = Decimal(batch_sums.get(batch["pk"]) or 0).quantize(Decimal("0.001"))
        if batch["quantity"] != expected:
            problems.append(
                f"batch {batch['batch_number']} (id={batch['pk']}) product={batch['product_id']} "
                f"location={batch['location_id']}: {batch['quantity']} on record, movements sum to {expected}"
            )
    return problems
