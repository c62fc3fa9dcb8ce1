"""Ledger check used by `manage.py check_ledgers`."""

from decimal import Decimal

from django.db.models import Sum

from products.models import Batch, Product, StockLevel, StockMovement


def find_ledger_mismatches() -> list[str]:
    """One line per StockLevel or Batch whose quantity differs from the sum of its movements, and
    per (product, location) whose batches do not add up to its stock level (see
    `find_batch_level_mismatches`)."""
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
    return problems + find_batch_level_mismatches()


def find_batch_level_mismatches() -> list[str]:
    """One line per (product, location) whose batch quantities do not sum to its stock level.

    A batch-tracked product holds all its stock in batches, so the two must agree; a product that
    does not track batches must hold no batch stock at all (it would if tracking were switched off
    around the catalogue service, which refuses that).
    """
    problems: list[str] = []
    tracked = dict(Product.objects.values_list("pk", "track_batches"))
    batch_sums = {
        (row["product_id"], row["location_id"]): row["total"]
        for row in Batch.objects.values("product_id", "location_id").annotate(total=Sum("quantity"))
    }
    levels = {
        (row["product_id"], row["location_id"]): row["quantity"]
        for row in StockLevel.objects.values("product_id", "location_id", "quantity")
    }
    for key in sorted(set(batch_sums) | set(levels)):
        product_id, location_id = key
        in_batches = Decimal(batch_sums.get(key) or 0).quantize(Decimal("0.001"))
        on_level = Decimal(levels.get(key) or 0).quantize(Decimal("0.001"))
        if tracked.get(product_id) and in_batches != on_level:
            problems.append(
                f"batch-tracked product={product_id} location={location_id}: stock level {on_level}, "
                f"batches sum to {in_batches}"
            )
        elif not tracked.get(product_id) and in_batches != 0:
            problems.append(
                f"product={product_id} location={location_id} does not track batches but its batches "
                f"hold {in_batches}"
            )
    return problems
