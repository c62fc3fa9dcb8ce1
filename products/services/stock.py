"""Every change of a stock quantity, each with its ledger row in the same transaction.

Lock order (project-wide): StockLevel rows, then Batch rows, each ordered by pk, taken with
`select_for_update(of=("self",), no_key=True)` and evaluated with `list()`. New StockLevel rows are
inserted (ON CONFLICT DO NOTHING) before locking; new Batch rows are only created while the
StockLevel of their (product, location) is locked, so two writers never race to create one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F

from products import selectors
from products.error_codes import ProductErrorCode as Code
from products.models import Batch, Location, Product, StockLevel, StockMovement
from products.units import check_quantity_precision
from shared.errors import DomainError, ErrorCode, check_length
from shared.money import (
    MAX_QUANTITY,
    format_quantity,
    input_max_amount,
    out_of_range,
    parse_quantity,
    to_decimal,
)
from shared.roles import Role, has_role

COST_STEP = Decimal("0.0001")
# An expiry date further ahead than this is a typing error (2207 for 2027), not a shelf life.
MAX_SHELF_LIFE_DAYS = 365 * 100
MAX_LINES = 200
MovementType = StockMovement.Type
INBOUND_TYPES = {MovementType.RETURN, MovementType.VOID, MovementType.ADJUSTMENT, MovementType.TRANSFER_IN}


@dataclass(frozen=True)
class StockRequest:
    product_id: int
    quantity: Decimal  # > 0, up to 3 places


@dataclass(frozen=True)
class BatchDraw:
    batch_id: int | None  # None for products without batch tracking
    quantity: Decimal
    unit_cost: Decimal  # cost of what was drawn (batch cost or product moving average)
    # The locked row as it is after the draw (location attached), for callers that show it.
    batch: Batch | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class StockDeduction:
    product_id: int
    quantity: Decimal
    unit_cost: Decimal  # weighted average cost per unit drawn, 4 decimal places
    draws: list[BatchDraw]


@dataclass(frozen=True)
class TransferResult:
    out_movements: list[StockMovement] = field(default_factory=list)
    in_movements: list[StockMovement] = field(default_factory=list)


# --- helpers ------------------------------------------------------------------------------------


def parse_cost(value: object, *, field: str) -> Decimal:
    """Validate a unit cost: not negative, at most four decimal places."""
    try:
        cost = to_decimal(value)
    except (InvalidOperation, ValueError):
        raise DomainError(ErrorCode.INVALID, 'Enter a cost such as "4.50".', field=field) from None
    if cost < 0:
        raise DomainError(ErrorCode.INVALID, "Cost cannot be negative.", field=field)
    if cost > input_max_amount():
        raise out_of_range("A cost", input_max_amount(), field=field)
    if cost != cost.quantize(COST_STEP):
        raise DomainError(ErrorCode.INVALID, "Costs can have at most four decimal places.", field=field)
    return cost.quantize(COST_STEP)


def _cost(value: Decimal) -> Decimal:
    return Decimal(value).quantize(COST_STEP, rounding=ROUND_HALF_UP)


def _whole_enough(product: Product, quantity: Decimal, field: str) -> Decimal:
    """The product's unit precision (whole pieces unless weighed); see products.units."""
    return check_quantity_precision(
        quantity, decimals=product.quantity_decimals, product_name=product.name, field=field
    )


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None


def _is_expired(batch: Batch, today: date) -> bool:
    return batch.expiry_date is not None and batch.expiry_date < today


def _fefo_key(batch: Batch):
    return (batch.expiry_date is None, batch.expiry_date or date.max, batch.pk)


def _ensure_levels(pairs: set[tuple[int, int]]) -> None:
    StockLevel.objects.bulk_create(
        [StockLevel(product_id=p, location_id=loc) for p, loc in sorted(pairs)], ignore_conflicts=True
    )


def _lock_levels(**filters) -> list[StockLevel]:
    return list(
        StockLevel.objects.select_for_update(of=("self",), no_key=True).filter(**filters).order_by("pk")
    )


def lock_levels(*, location_id: int, product_ids) -> None:
    """Lock the StockLevel rows of several products at one location at once, in level pk order.

    The project's stock lock order is the level pk (docs/ARCHITECTURE.md): `deduct_stock` and
    `receive_stock_many` lock that way. Writers that then call `return_stock`, `write_off_stock` or
    `adjust_stock` one product at a time (voids, return approvals, purchasing) take every level here
    first, so the per-call locks are already held and two writers cannot wait on each other.
    """
    list(
        StockLevel.objects.select_for_update(of=("self",), no_key=True)
        .filter(location_id=location_id, product_id__in=sorted(set(product_ids)))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _lock_batches(**filters) -> list[Batch]:
    return list(Batch.objects.select_for_update(of=("self",), no_key=True).filter(**filters).order_by("pk"))


def _cost_now(product: Product) -> Decimal:
    """The product's moving-average cost as committed, read after its level is locked.

    The caller's instance may have been loaded before a receipt moved the average (an admin form,
    a stocktake holding products for minutes): a movement must be valued at today's cost.
    """
    return Product.objects.values_list("cost_price", flat=True).get(pk=product.pk)


def _add_to_level(level: StockLevel, delta: Decimal) -> None:
    if level.quantity + delta > MAX_QUANTITY:  # the column's limit; many receipts could pass it
        raise out_of_range("The stock of a product at one location", MAX_QUANTITY, field="quantity")
    StockLevel.objects.filter(pk=level.pk).update(quantity=F("quantity") + delta)
    level.quantity += delta


def _add_to_batch(batch: Batch, delta: Decimal) -> None:
    Batch.objects.filter(pk=batch.pk).update(quantity=F("quantity") + delta)
    batch.quantity += delta


def _update_grouped(model, values_by_pk: dict[int, dict]) -> None:
    groups: dict[tuple, list[int]] = defaultdict(list)
    for pk, values in values_by_pk.items():
        groups[tuple(sorted(values.items()))].append(pk)
    for values, pks in groups.items():
        for start in range(0, len(pks), 900):
            model.objects.filter(pk__in=pks[start : start + 900]).update(**dict(values))


def _check_location(location: Location | None, field: str) -> Location:
    if location is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Location not found.", field=field)
    if not location.is_active:
        raise DomainError(Code.LOCATION_INACTIVE, f"{location.name} is not an active location.", field=field)
    return location


def _insufficient(product: Product, requested: Decimal, available: Decimal, field: str) -> DomainError:
    return DomainError(
        Code.INSUFFICIENT_STOCK,
        f"Not enough stock of {product.name}: {format_quantity(available)} available, "
        f"{format_quantity(requested)} requested.",
        field=field,
        params={"shortages": [{"product_id": product.pk, "requested": requested, "available": available}]},
    )


def _get_or_create_batch_locked(
    *, product: Product, location_id: int, batch_number: str, expiry_date, unit_cost: Decimal
) -> tuple[Batch, bool]:
    """Return the (locked) batch of that number at the location, creating it empty if missing.

    Callers hold the StockLevel lock of (product, location), which serialises batch creation.
    """
    found = _lock_batches(product=product, location_id=location_id, batch_number=batch_number)
    if found:
        return found[0], False
    batch = Batch(
        product=product,
        location_id=location_id,
        batch_number=batch_number,
        expiry_date=expiry_date,
        unit_cost=unit_cost,
        quantity=Decimal("0.000"),
    )
    batch.full_clean(validate_unique=False, validate_constraints=False)
    batch.save()
    return batch, True


# --- services -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    """One line of a delivery for `receive_stock_many`."""

    product: Product
    location: Location | None
    quantity: Decimal
    unit_cost: Decimal
    batch_number: str | None = None
    expiry_date: date | None = None
    note: str = ""
    # The document the goods came in on (a purchase order); a plain receipt when not given.
    reference_type: str = "receipt"
    reference_id: int | None = None
    reference: str = ""


def _validate_receipt(receipt: Receipt, default_location: Location | None, today: date) -> Receipt:
    qty = parse_quantity(receipt.quantity, field="quantity")
    cost = parse_cost(receipt.unit_cost, field="unitCost")
    location = _check_location(receipt.location or default_location, "locationId")
    product = receipt.product
    if not product.is_active:
        raise DomainError(Code.PRODUCT_ARCHIVED, f"{product.name} is archived.", field="productId")
    _whole_enough(product, qty, "quantity")
    batch_number = check_length((receipt.batch_number or "").strip(), limit=64, field="batchNumber") or None
    if product.track_batches:
        if not batch_number:
            raise DomainError(
                Code.BATCH_REQUIRED, f"{product.name} needs a batch number.", field="batchNumber"
            )
        _check_expiry(product, receipt.expiry_date, today)
    elif batch_number or receipt.expiry_date:
        raise DomainError(
            ErrorCode.INVALID, f"{product.name} does not track batches or expiry dates.", field="batchNumber"
        )
    return Receipt(
        product=product,
        location=location,
        quantity=qty,
        unit_cost=cost,
        batch_number=batch_number,
        expiry_date=receipt.expiry_date,
        note=check_length(receipt.note or "", limit=255, field="note"),
        reference_type=receipt.reference_type,
        reference_id=receipt.reference_id,
        reference=receipt.reference,
    )


def _check_expiry(product: Product, expiry_date, today: date) -> None:
    """A batch of a batch-tracked product must say when it expires, and not in the past."""
    if expiry_date is None:
        raise DomainError(
            ErrorCode.REQUIRED,
            f"{product.name} tracks expiry: give the batch's expiry date.",
            field="expiryDate",
        )
    if not isinstance(expiry_date, date) or isinstance(expiry_date, datetime):
        raise DomainError(
            ErrorCode.INVALID, "Enter the expiry date as a day (YYYY-MM-DD).", field="expiryDate"
        )
    if expiry_date < today:
        raise DomainError(Code.BATCH_EXPIRED, "This batch has already expired.", field="expiryDate")
    if (expiry_date - today).days > MAX_SHELF_LIFE_DAYS:
        raise DomainError(
            ErrorCode.INVALID, "That expiry date is too far ahead: check the year.", field="expiryDate"
        )


@transaction.atomic
def receive_stock(
    *,
    user,
    product: Product,
    location: Location | None,
    quantity,
    unit_cost,
    batch_number: str | None = None,
    expiry_date: date | None = None,
    note: str = "",
) -> StockMovement:
    """Receive goods into a location (default location when None); see `receive_stock_many`."""
    receipt = Receipt(product, location, quantity, unit_cost, batch_number, expiry_date, note)
    return receive_stock_many(user=user, receipts=[receipt])[0]


@transaction.atomic
def receive_stock_many(*, user, receipts: list[Receipt]) -> list[StockMovement]:
    """Receive goods and update each product's moving weighted average cost (one receipt movement each).

    Locks: every StockLevel of the products (all locations, by pk; the average spans them), then
    their batches of the received numbers (by pk). New average = (on hand x old average + received x
    unit cost) / (on hand + received), rounded half up to 4 places; with nothing on hand it is the
    receipt's unit cost. Receipts apply in order; the CSV import sends its opening stock here in one call.
    """
    if not receipts:
        return []
    today = selectors.today()
    default_location = selectors.get_default_location() if any(r.location is None for r in receipts) else None
    receipts = [_validate_receipt(r, default_location, today) for r in receipts]
    product_ids = sorted({r.product.pk for r in receipts})

    _ensure_levels({(r.product.pk, r.location.pk) for r in receipts})
    levels = {(lv.product_id, lv.location_id): lv for lv in _lock_levels(product_id__in=product_ids)}
    on_hand: dict[int, Decimal] = defaultdict(Decimal)
    for (product_id, _location_id), lv in levels.items():
        on_hand[product_id] += lv.quantity

    batches: dict[tuple[int, int, str], Batch] = {}
    tracked = [r for r in receipts if r.product.track_batches]
    if tracked:
        numbers = {r.batch_number for r in tracked}
        for batch in _lock_batches(product_id__in=product_ids, batch_number__in=numbers):
            batches[(batch.product_id, batch.location_id, batch.batch_number)] = batch
        new_batches = {}
        for r in tracked:
            key = (r.product.pk, r.location.pk, r.batch_number)
            found = batches.get(key) or new_batches.get(key)
            if found is None:
                new_batches[key] = Batch(
                    product=r.product,
                    location=r.location,
                    batch_number=r.batch_number,
                    expiry_date=r.expiry_date,
                    unit_cost=r.unit_cost,
                    quantity=Decimal("0.000"),
                )
            elif r.expiry_date is not None and found.expiry_date != r.expiry_date:
                raise DomainError(
                    Code.BATCH_MISMATCH,
                    f"Batch {r.batch_number} is already recorded with expiry date {found.expiry_date}.",
                    field="expiryDate",
                )
        # Created while the (product, location) levels are locked, so no other writer races us.
        Batch.objects.bulk_create(list(new_batches.values()))
        batches.update(new_batches)

    averages = dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "cost_price"))
    movements: list[StockMovement] = []
    changed_batches: dict[int, Batch] = {}
    for r in receipts:
        pid, qty, cost = r.product.pk, r.quantity, r.unit_cost
        batch = None
        if r.product.track_batches:
            batch = batches[(pid, r.location.pk, r.batch_number)]
            if batch.quantity > 0:
                batch.unit_cost = _cost(
                    (batch.quantity * batch.unit_cost + qty * cost) / (batch.quantity + qty)
                )
            else:
                batch.unit_cost = cost
            batch.quantity += qty
            changed_batches[batch.pk] = batch
        if on_hand[pid] > 0:
            averages[pid] = _cost((on_hand[pid] * averages[pid] + qty * cost) / (on_hand[pid] + qty))
        else:
            averages[pid] = cost
        on_hand[pid] += qty
        level = levels[(pid, r.location.pk)]
        level.quantity += qty
        if level.quantity > MAX_QUANTITY:  # the column's limit; many receipts could pass it
            raise out_of_range("The stock of a product at one location", MAX_QUANTITY, field="quantity")
        movements.append(
            StockMovement(
                product=r.product,
                location=r.location,
                batch=batch,
                movement_type=MovementType.RECEIPT,
                quantity=qty,
                balance_after=level.quantity,
                unit_cost=cost,
                user=_user(user),
                reason=r.note,
                reference_type=r.reference_type,
                reference_id=r.reference_id,
                reference=r.reference[:100],
            )
        )

    # Every row written below is locked by this transaction, so the computed values are exact.
    # One UPDATE per distinct new value (a bulk import mostly shares a few values).
    touched = {(r.product.pk, r.location.pk) for r in receipts}
    _update_grouped(StockLevel, {levels[key].pk: {"quantity": levels[key].quantity} for key in touched})
    _update_grouped(
        Batch, {b.pk: {"quantity": b.quantity, "unit_cost": b.unit_cost} for b in changed_batches.values()}
    )
    _update_grouped(Product, {pid: {"cost_price": averages[pid]} for pid in product_ids})
    for r in receipts:
        r.product.cost_price = averages[r.product.pk]
    StockMovement.objects.bulk_create(movements, batch_size=1000)
    return movements


def set_movement_reference(*, reference_type: str, reference_id: int, reference: str) -> int:
    """Relabel the movements of one document (a sale numbered just before commit). Returns the count."""
    return StockMovement.objects.filter(reference_type=reference_type, reference_id=reference_id).update(
        reference=reference[:100]
    )


def _return_target_batch(*, product: Product, location: Location, batch_id: int | None, unit_cost: Decimal):
    """Validate the batch a return names (any location); return (source batch or None)."""
    if not product.track_batches:
        if batch_id is not None:
            raise DomainError(ErrorCode.INVALID, f"{product.name} does not track batches.", field="batchId")
        return None
    if batch_id is None:
        raise DomainError(Code.BATCH_REQUIRED, f"{product.name} needs a batch.", field="batchId")
    source = Batch.objects.filter(pk=batch_id, product=product).first()
    if source is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Batch not found.", field="batchId")
    return source


@transaction.atomic
def return_stock(
    *,
    user,
    location: Location,
    product_id: int,
    quantity,
    batch_id: int | None,
    unit_cost,
    movement_type: str,
    reference_type: str,
    reference_id: int | None,
    reference: str = "",
) -> StockMovement:
    """Put goods back into stock (void, approved return) in the given batch or the plain level.

    Locks: the StockLevel of (product, location), then the batch. A batch drawn at another
    location comes back into the batch of the same number at `location` (created if missing,
    with the original expiry and cost). Archived products can still be returned.
    """
    qty = parse_quantity(quantity, field="quantity")
    cost = parse_cost(unit_cost, field="unitCost")
    if movement_type not in INBOUND_TYPES:
        raise DomainError(ErrorCode.INVALID, "Unknown movement type for a return.", field="movementType")
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Product not found.", field="productId")
    _whole_enough(product, qty, "quantity")
    source = _return_target_batch(product=product, location=location, batch_id=batch_id, unit_cost=cost)

    _ensure_levels({(product.pk, location.pk)})
    (level,) = _lock_levels(product=product, location=location)
    batch = None
    if source is not None:
        batch, _created = _get_or_create_batch_locked(
            product=product,
            location_id=location.pk,
            batch_number=source.batch_number,
            expiry_date=source.expiry_date,
            unit_cost=source.unit_cost,
        )
        _add_to_batch(batch, qty)
    _add_to_level(level, qty)
    return StockMovement.objects.create(
        product=product,
        location=location,
        batch=batch,
        movement_type=movement_type,
        quantity=qty,
        balance_after=level.quantity,
        unit_cost=cost,
        user=_user(user),
        reference_type=reference_type,
        reference_id=reference_id,
        reference=reference[:100],
    )


@transaction.atomic
def write_off_stock(
    *,
    user,
    location: Location,
    product_id: int,
    quantity,
    batch_id: int | None,
    unit_cost,
    reason: str,
    reference_type: str,
    reference_id: int | None,
    reference: str = "",
) -> StockMovement:
    """Record goods that came back but are not resellable (damaged or expired returns).

    The goods never re-entered stock, so no quantity changes and nothing is locked: the movement
    (type write_off, quantity negative, `affects_stock=False`) records the loss at `unit_cost` for
    the books, and `balance_after` is the unchanged level. To write off goods that are on the
    shelf, use `adjust_stock` with a reason.
    """
    qty = parse_quantity(quantity, field="quantity")
    cost = parse_cost(unit_cost, field="unitCost")
    if not (reason or "").strip():
        raise DomainError(ErrorCode.REQUIRED, "Give a reason for the write-off.", field="reason")
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Product not found.", field="productId")
    _whole_enough(product, qty, "quantity")
    batch = None
    if batch_id is not None:
        batch = Batch.objects.filter(pk=batch_id, product=product).first()
        if batch is None:
            raise DomainError(ErrorCode.NOT_FOUND, "Batch not found.", field="batchId")
    level = StockLevel.objects.filter(product=product, location=location).first()
    return StockMovement.objects.create(
        product=product,
        location=location,
        batch=batch,
        movement_type=MovementType.WRITE_OFF,
        quantity=-qty,
        affects_stock=False,
        balance_after=level.quantity if level else Decimal("0.000"),
        unit_cost=cost,
        user=_user(user),
        reason=check_length(reason.strip(), limit=255, field="reason"),
        reference_type=reference_type,
        reference_id=reference_id,
        reference=reference[:100],
    )


@transaction.atomic
def adjust_stock(
    *,
    user,
    product: Product,
    location: Location,
    reason: str,
    counted_quantity=None,
    delta=None,
    batch: Batch | None = None,
    reference: str = "",
    reference_type: str = "adjustment",
    reference_id: int | None = None,
) -> StockMovement:
    """Set stock to a counted quantity, or change it by a delta (managers only, reason required).

    Locks: the StockLevel of (product, location), then the batch. For batch-tracked products the
    count or delta applies to the named batch. The movement is costed at the batch cost or the
    product's moving average, which it leaves unchanged.
    """
    if not has_role(user, Role.MANAGER):
        raise DomainError(ErrorCode.PERMISSION_DENIED, "Only managers can adjust stock.")
    if not (reason or "").strip():
        raise DomainError(ErrorCode.REQUIRED, "Give a reason for the adjustment.", field="reason")
    if (counted_quantity is None) == (delta is None):
        raise DomainError(
            ErrorCode.INVALID, "Give either a counted quantity or a delta, not both.", field="countedQuantity"
        )
    if counted_quantity is not None:
        counted = _whole_enough(
            product,
            parse_quantity(counted_quantity, field="countedQuantity", allow_zero=True),
            "countedQuantity",
        )
    else:
        change = _whole_enough(product, parse_quantity(delta, field="delta", allow_negative=True), "delta")
    _check_location(location, "locationId")
    if product.track_batches:
        if batch is None:
            raise DomainError(Code.BATCH_REQUIRED, f"{product.name} needs a batch.", field="batchId")
        if batch.product_id != product.pk or batch.location_id != location.pk:
            raise DomainError(
                ErrorCode.INVALID, "That batch is not stock of this product here.", field="batchId"
            )
    elif batch is not None:
        raise DomainError(ErrorCode.INVALID, f"{product.name} does not track batches.", field="batchId")

    _ensure_levels({(product.pk, location.pk)})
    (level,) = _lock_levels(product=product, location=location)
    if batch is not None:
        (batch,) = _lock_batches(pk=batch.pk)
    current = batch.quantity if batch is not None else level.quantity
    if counted_quantity is not None:
        change = counted - current
    if change == 0:
        raise DomainError(
            Code.NOTHING_TO_ADJUST, "The stock already has that quantity.", field="countedQuantity"
        )
    if current + change < 0:
        raise _insufficient(product, -change, current, "delta")
    if batch is not None:
        _add_to_batch(batch, change)
    _add_to_level(level, change)
    return StockMovement.objects.create(
        product=product,
        location=location,
        batch=batch,
        movement_type=MovementType.ADJUSTMENT,
        quantity=change,
        balance_after=level.quantity,
        unit_cost=batch.unit_cost if batch is not None else _cost_now(product),
        user=_user(user),
        reason=check_length(reason.strip(), limit=255, field="reason"),
        reference_type=reference_type,
        reference_id=reference_id,
        reference=reference[:100],
    )


@transaction.atomic
def transfer_stock(
    *,
    user,
    product: Product,
    from_location: Location,
    to_location: Location,
    quantity,
    batch: Batch | None = None,
    note: str = "",
) -> TransferResult:
    """Move stock between locations (a transfer_out and a transfer_in movement per batch drawn).

    Locks: the product's StockLevels at both locations (by pk), then its batches at both (by pk).
    Batch-tracked stock moves from the named batch, or first-expiry-first-out over unexpired
    batches; it arrives in the batch of the same number at the destination, keeping expiry and cost.
    """
    qty = _whole_enough(product, parse_quantity(quantity, field="quantity"), "quantity")
    _check_location(from_location, "fromLocationId")
    _check_location(to_location, "toLocationId")
    if from_location.pk == to_location.pk:
        raise DomainError(Code.SAME_LOCATION, "Choose two different locations.", field="toLocationId")
    if batch is not None and (batch.product_id != product.pk or batch.location_id != from_location.pk):
        raise DomainError(
            ErrorCode.INVALID, "That batch is not stock of this product there.", field="batchId"
        )
    if batch is not None and not product.track_batches:
        raise DomainError(ErrorCode.INVALID, f"{product.name} does not track batches.", field="batchId")

    _ensure_levels({(product.pk, from_location.pk), (product.pk, to_location.pk)})
    levels = {
        lv.location_id: lv
        for lv in _lock_levels(product=product, location_id__in=[from_location.pk, to_location.pk])
    }
    source_level, target_level = levels[from_location.pk], levels[to_location.pk]

    draws: list[tuple[Batch | None, Decimal]] = []
    if product.track_batches:
        locked = _lock_batches(product=product, location_id__in=[from_location.pk, to_location.pk])
        if batch is not None:
            candidates = [b for b in locked if b.pk == batch.pk]
        else:
            today = selectors.today()
            candidates = sorted(
                (
                    b
                    for b in locked
                    if b.location_id == from_location.pk and b.quantity > 0 and not _is_expired(b, today)
                ),
                key=_fefo_key,
            )
        available = min(source_level.quantity, sum((b.quantity for b in candidates), Decimal("0")))
        if available < qty:
            raise _insufficient(product, qty, available, "quantity")
        remaining = qty
        for candidate in candidates:
            take = min(candidate.quantity, remaining)
            if take > 0:
                draws.append((candidate, take))
                remaining -= take
            if remaining == 0:
                break
    else:
        if source_level.quantity < qty:
            raise _insufficient(product, qty, source_level.quantity, "quantity")
        draws.append((None, qty))

    result = TransferResult()
    common = {
        "product": product,
        "user": _user(user),
        "reason": check_length(note, limit=255, field="note"),
        "reference_type": "transfer",
    }
    average = _cost_now(product) if any(batch is None for batch, _take in draws) else None
    for source_batch, take in draws:
        target_batch = None
        if source_batch is not None:
            _add_to_batch(source_batch, -take)
            target_batch, _created = _get_or_create_batch_locked(
                product=product,
                location_id=to_location.pk,
                batch_number=source_batch.batch_number,
                expiry_date=source_batch.expiry_date,
                unit_cost=source_batch.unit_cost,
            )
            _add_to_batch(target_batch, take)
        cost = source_batch.unit_cost if source_batch is not None else average
        _add_to_level(source_level, -take)
        _add_to_level(target_level, take)
        result.out_movements.append(
            StockMovement.objects.create(
                location=from_location,
                batch=source_batch,
                movement_type=MovementType.TRANSFER_OUT,
                quantity=-take,
                balance_after=source_level.quantity,
                unit_cost=cost,
                **common,
            )
        )
        result.in_movements.append(
            StockMovement.objects.create(
                location=to_location,
                batch=target_batch,
                movement_type=MovementType.TRANSFER_IN,
                quantity=take,
                balance_after=target_level.quantity,
                unit_cost=cost,
                **common,
            )
        )
    return result
