"""Taking stock out for a sale: every level in one locking `UPDATE ... RETURNING`, then FEFO batches.

Lock order (project-wide): StockLevel rows by pk, then Batch rows by pk. The UPDATE locks the
levels through a sub-select ordered by pk (`FOR NO KEY UPDATE`), decrements each by what the sale
takes and proves sufficiency in its WHERE: a level without enough stays untouched and does not come
back, which is how a shortage is found without reading the levels first.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction

from products import selectors
from products.error_codes import ProductErrorCode as Code
from products.models import Batch, Location, Product, StockLevel, StockMovement
from products.services.stock import (
    MAX_LINES,
    BatchDraw,
    MovementType,
    StockDeduction,
    StockRequest,
    _cost,
    _fefo_key,
    _is_expired,
    _user,
    _whole_enough,
)
from shared import inserts
from shared.errors import DomainError, ErrorCode, ErrorDetail
from shared.inserts import Statement
from shared.money import format_quantity, parse_quantity
from shared.prepared import PreparedQuery

QTY_PLACES = 3

# The tracked products' batches with stock at the sale's location, locked in pk order (lock order):
# compiled once per number of tracked products (shared.prepared). Values: location, then products.
_USABLE_BATCHES = PreparedQuery(
    Batch,
    lambda values: (
        Batch.objects.select_for_update(of=("self",), no_key=True)
        .filter(location_id=values[0], product_id__in=values[1:], quantity__gt=0)
        .order_by("pk")
    ),
)

_MOVEMENT_TYPES = frozenset(MovementType.values)  # a Choices class rebuilds .values on every read


def _take_levels(location: Location, wanted: dict[int, Decimal]) -> dict[int, Decimal]:
    """Decrement each product's level at `location` by `wanted[product]` where it has that much.

    One statement: lock the levels in pk order, subtract, keep only rows that stay >= 0. Returns
    {product_id: quantity after} for the levels taken; a product missing from it was not touched.
    """
    table = connection.ops.quote_name(StockLevel._meta.db_table)
    ids = sorted(wanted)
    cases, case_params = _amount_cases(ids, wanted)
    lock = " FOR NO KEY UPDATE" if connection.features.has_select_for_no_key_update else ""
    placeholders = ", ".join(["%s"] * len(ids))
    after = f"{table}.quantity - (CASE {table}.product_id {cases} END)"
    # SQLite does this arithmetic in floating point: the stored value is written as the ORM's
    # relative UPDATE writes it (so ledger sums still match to the bit), and the sufficiency test
    # compares at the column's three places, as a Decimal read of the level would.
    sql = (
        f"UPDATE {table} SET quantity = CAST({after} AS NUMERIC) "
        f"FROM (SELECT id FROM {table} WHERE location_id = %s AND product_id IN ({placeholders}) "
        f"ORDER BY id{lock}) AS locked "
        f"WHERE {table}.id = locked.id AND ROUND({after}, {QTY_PLACES}) >= 0 "
        f"RETURNING {table}.product_id, {table}.quantity"
    )
    params = [*case_params, location.pk, *ids, *case_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    step = Decimal(1).scaleb(-QTY_PLACES)
    return {pid: Decimal(str(qty)).quantize(step) for pid, qty in rows}


def _take_from_batches(amounts_by_pk: dict[int, Decimal]) -> None:
    """`quantity -= amount` for each batch (locked above), in one relative UPDATE.

    Written as `_take_levels` writes levels (the same arithmetic on SQLite); the column's CHECK
    (quantity >= 0) stays the last guard against an oversell.
    """
    if not amounts_by_pk:
        return
    table = connection.ops.quote_name(Batch._meta.db_table)
    ids = sorted(amounts_by_pk)
    cases, case_params = _amount_cases(ids, amounts_by_pk)
    sql = (
        f"UPDATE {table} SET quantity = CAST({table}.quantity - (CASE {table}.id {cases} END) AS NUMERIC) "
        f"WHERE {table}.id IN ({', '.join(['%s'] * len(ids))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*case_params, *ids])


def _amount_cases(keys: list[int], amounts: dict[int, Decimal]) -> tuple[str, list]:
    """`WHEN key THEN amount ...` for a `CASE <key column>` (levels by product, batches by id)."""
    return " ".join("WHEN %s THEN CAST(%s AS NUMERIC)" for _ in keys), [
        v for k in keys for v in (k, amounts[k])
    ]


def _shortage_error(shortages: list[tuple[Product, Decimal, Decimal]]) -> DomainError:
    text = "; ".join(
        f"{p.name} ({format_quantity(a)} available, {format_quantity(w)} requested)" for p, w, a in shortages
    )
    return DomainError(
        Code.INSUFFICIENT_STOCK,
        f"Not enough stock: {text}.",
        field="items",
        params={"shortages": [{"product_id": p.pk, "requested": w, "available": a} for p, w, a in shortages]},
    )


def deduct_stock(
    *,
    user,
    location: Location,
    requests: list[StockRequest],
    reference_type: str,
    reference_id: int | None,
    reference: str = "",
    movement_type: str = "sale",
    products: dict[int, Product] | None = None,
    savepoint: bool = True,
    movements_out: list[StockMovement] | None = None,
    allow_archived: bool = False,
) -> list[StockDeduction]:
    """Take stock out for a sale: first-expiry-first-out, never from an expired batch.

    Locks: StockLevel rows of every requested product at `location` (by pk, in the UPDATE that
    takes them), then their batches (by pk). Every shortage is collected into one INSUFFICIENT_STOCK
    error (field "items", params {"shortages": [{product_id, requested, available}]}). One movement
    per draw, written in one INSERT; results follow the order of `requests`. Draw costs are batch
    costs or the product's moving average. A caller that already loaded the products (the till
    prices them first) passes them as `products` (by pk) so they are not read twice; they are
    checked here all the same. `savepoint=False`: the caller's own transaction is rolled back on any
    refusal (createSale), so no savepoint is spent on undoing this part alone. `movements_out`: the
    movements are appended to it unsaved, for a caller that writes its document after taking the
    stock and then writes them with `movements_statement` (the reference is not known yet).
    `allow_archived`: archived products are drawn too (an offline sale made before the archive).
    """
    with transaction.atomic(savepoint=savepoint):
        return _deduct(
            user=user,
            location=location,
            requests=requests,
            reference_type=reference_type,
            reference_id=reference_id,
            reference=reference,
            movement_type=movement_type,
            products=products,
            movements_out=movements_out,
            allow_archived=allow_archived,
        )


def movements_statement(movements: list[StockMovement], *, reference_id: int, reference: str) -> Statement:
    """The INSERT of the movements `deduct_stock` left unsaved, now that their document has its id
    and label, for the caller to send with its other rows (`shared.inserts.run_together`)."""
    for movement in movements:
        movement.reference_id = reference_id
        movement.reference = reference[:100]
    return inserts.insert_statement(movements)


def _deduct(
    *,
    user,
    location,
    requests,
    reference_type,
    reference_id,
    reference,
    movement_type,
    products,
    movements_out,
    allow_archived=False,
) -> list[StockDeduction]:
    if not requests:
        raise DomainError(ErrorCode.INVALID, "Add at least one item.", field="items")
    if len(requests) > MAX_LINES:
        raise DomainError(ErrorCode.INVALID, f"At most {MAX_LINES} items at a time.", field="items")
    if movement_type not in _MOVEMENT_TYPES:
        raise DomainError(ErrorCode.INVALID, "Unknown movement type.", field="movementType")
    lines = [
        (i, req.product_id, parse_quantity(req.quantity, field=f"items.{i}.quantity"))
        for i, req in enumerate(requests)
    ]
    wanted_ids = {pid for _, pid, _ in lines}
    if products is None or not wanted_ids <= products.keys():
        products = selectors.get_products_by_ids(wanted_ids)
    products = {pid: products[pid] for pid in wanted_ids if pid in products}
    errors = []
    for i, pid, qty in lines:
        product = products.get(pid)
        if product is None:
            errors.append(ErrorDetail(ErrorCode.NOT_FOUND, "Product not found.", f"items.{i}.productId"))
        elif not product.is_active and not allow_archived:
            errors.append(
                ErrorDetail(Code.PRODUCT_ARCHIVED, f"{product.name} is archived.", f"items.{i}.productId")
            )
        else:
            try:
                _whole_enough(product, qty, f"items.{i}.quantity")
            except DomainError as exc:
                errors.extend(exc.errors)
    if errors:
        raise DomainError.many(errors)

    wanted: dict[int, Decimal] = defaultdict(Decimal)
    for _i, pid, qty in lines:
        wanted[pid] += qty
    # Every level, tracked products' too: their batches add up to at most the level, so a level
    # that cannot cover the sale is a shortage either way.
    level_after = _take_levels(location, wanted)
    tracked = sorted(pid for pid in wanted if products[pid].track_batches)
    today = selectors.today()
    usable: dict[int, list[Batch]] = defaultdict(list)
    if tracked:
        for batch in _USABLE_BATCHES.fetch([location.pk, *tracked]):
            if not _is_expired(batch, today):
                batch.location = location  # the filter above: no need to read it again
                usable[batch.product_id].append(batch)
        for batches in usable.values():
            batches.sort(key=_fefo_key)

    short = [pid for pid in wanted if pid not in level_after]
    if short:  # the refusal path may read: what the untouched levels hold
        untouched = dict(
            StockLevel.objects.filter(location=location, product_id__in=short).values_list(
                "product_id", "quantity"
            )
        )
    shortages = []
    for pid in wanted:  # request order, each product once
        if pid in level_after:
            available = level_after[pid] + wanted[pid]
        else:
            # The UPDATE refused it: short, even if a receipt committed since makes the read above
            # show enough (under READ COMMITTED it may); the till simply tries again.
            available = untouched.get(pid, Decimal("0.000"))
        if products[pid].track_batches:
            available = min(available, sum((b.quantity for b in usable[pid]), Decimal("0.000")))
        if pid not in level_after or available < wanted[pid]:
            shortages.append((products[pid], wanted[pid], available))
    if shortages:
        raise _shortage_error(shortages)

    results: list[StockDeduction] = []
    movements: list[StockMovement] = []
    batch_out: dict[int, Decimal] = defaultdict(Decimal)
    balance = {pid: level_after[pid] + wanted[pid] for pid in wanted}
    for _i, pid, qty in lines:
        product = products[pid]
        draws: list[BatchDraw] = []
        if product.track_batches:
            remaining = qty
            for batch in usable[pid]:
                if remaining == 0:
                    break
                take = min(batch.quantity, remaining)
                if take <= 0:
                    continue
                batch.quantity -= take
                batch_out[batch.pk] += take
                remaining -= take
                draws.append(
                    BatchDraw(batch_id=batch.pk, quantity=take, unit_cost=batch.unit_cost, batch=batch)
                )
        else:
            draws.append(BatchDraw(batch_id=None, quantity=qty, unit_cost=product.cost_price))
        for draw in draws:
            balance[pid] -= draw.quantity
            movements.append(
                StockMovement(
                    product=product,
                    location=location,
                    batch_id=draw.batch_id,
                    movement_type=movement_type,
                    quantity=-draw.quantity,
                    balance_after=balance[pid],
                    unit_cost=draw.unit_cost,
                    user=_user(user),
                    reference_type=reference_type,
                    reference_id=reference_id,
                    reference=reference[:100],
                )
            )
        total_cost = sum((d.quantity * d.unit_cost for d in draws), Decimal("0"))
        results.append(
            StockDeduction(product_id=pid, quantity=qty, unit_cost=_cost(total_cost / qty), draws=draws)
        )

    _take_from_batches(batch_out)
    if movements_out is None:
        inserts.insert(movements)
    else:
        movements_out.extend(movements)
    return results
