"""Stock for sales that already happened elsewhere (offline tills): cover what the server lacks.

A till that sold offline handed goods over that the server may not show on hand (a delivery not
yet recorded, a miscount, theft). Such a sale is a fact, yet a stock level may never go below
zero. So, just before the sale draws its stock, `cover_shortages` puts in exactly the quantity
each product lacks with an `offline_shortage` movement; the sale then draws the level to zero.
The ledger stays whole (every quantity change is a movement), and the caller records each cover
as a discrepancy for a manager to settle.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction

from products import selectors
from products.models import Batch, Location, Product, StockMovement
from products.services.stock import (
    MovementType,
    StockRequest,
    _add_to_batch,
    _add_to_level,
    _ensure_levels,
    _get_or_create_batch_locked,
    _is_expired,
    _lock_batches,
    _lock_levels,
    _user,
)
from shared.money import to_decimal

# Batch-tracked products take the cover into this batch. It has no expiry, so first-expiry-first-out
# draws it after every real batch: the sale takes what the shelf held first, then exactly the cover.
SHORTAGE_BATCH_NUMBER = "OFFLINE-SHORTAGE"


@dataclass(frozen=True)
class ShortageCover:
    product_id: int
    quantity: Decimal
    unit_cost: Decimal
    batch_id: int | None
    movement: StockMovement


def _wanted(requests: list[StockRequest]) -> dict[int, Decimal]:
    wanted: dict[int, Decimal] = defaultdict(Decimal)
    for request in requests:
        try:
            quantity = to_decimal(request.quantity)
        except (InvalidOperation, ValueError):
            continue  # the sale itself refuses it (and rolls this back with it)
        if quantity > 0:
            wanted[request.product_id] += quantity
    return wanted


@transaction.atomic
def cover_shortages(
    *,
    user,
    location: Location,
    requests: list[StockRequest],
    reference_type: str,
    reference_id: int | None,
    reference: str = "",
    include_archived: bool = False,
) -> list[ShortageCover]:
    """Put in what `requests` lack at `location` so a sale can draw them in full; one movement each.

    Locks, in the project order: the StockLevel rows of the products at `location` (by pk), then
    their batches there (by pk), the same rows the sale's `deduct_stock` locks next in the same
    transaction. Available stock is counted as the sale will draw it (unexpired batches for
    batch-tracked products), so afterwards the sale finds exactly enough. Unknown products, and
    archived ones unless `include_archived` (a sale that may draw them), are skipped: the sale
    refuses them and the caller's transaction rolls this back.
    The cover is costed at the product's moving average, which it leaves unchanged.
    """
    wanted = _wanted(requests)
    products: dict[int, Product] = {
        pid: p for pid, p in selectors.get_products_by_ids(wanted).items() if p.is_active or include_archived
    }
    if not products:
        return []
    _ensure_levels({(pid, location.pk) for pid in products})
    levels = {lv.product_id: lv for lv in _lock_levels(product_id__in=sorted(products), location=location)}
    tracked = sorted(pid for pid, p in products.items() if p.track_batches)
    batches: dict[int, list[Batch]] = defaultdict(list)
    if tracked:
        for batch in _lock_batches(product_id__in=tracked, location=location):
            batches[batch.product_id].append(batch)
    today = selectors.today()

    covers: list[ShortageCover] = []
    for pid in sorted(products):
        product, level = products[pid], levels[pid]
        if product.track_batches:
            usable = [b for b in batches[pid] if b.quantity > 0 and not _is_expired(b, today)]
            available = min(level.quantity, sum((b.quantity for b in usable), Decimal("0")))
        else:
            available = level.quantity
        short = wanted[pid] - available
        if short <= 0:
            continue
        batch = None
        if product.track_batches:
            batch, _created = _get_or_create_batch_locked(
                product=product,
                location_id=location.pk,
                batch_number=SHORTAGE_BATCH_NUMBER,
                expiry_date=None,
                unit_cost=product.cost_price,
            )
            _add_to_batch(batch, short)
        _add_to_level(level, short)
        movement = StockMovement.objects.create(
            product=product,
            location=location,
            batch=batch,
            movement_type=MovementType.OFFLINE_SHORTAGE,
            quantity=short,
            balance_after=level.quantity,
            unit_cost=product.cost_price,
            user=_user(user),
            reason="Sold offline beyond the stock on record",
            reference_type=reference_type,
            reference_id=reference_id,
            reference=reference[:100],
        )
        covers.append(
            ShortageCover(
                product_id=pid,
                quantity=short,
                unit_cost=product.cost_price,
                batch_id=batch.pk if batch else None,
                movement=movement,
            )
        )
    return covers
