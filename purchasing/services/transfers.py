"""Transfers with a time on the road: sent (stock leaves the source), later received (with discrepancies).

While in transit the goods are on no shelf but still owned: the transfer lines keep the quantity and
the cost of what left (`unit_cost`), which is their value on the road. Stock moves only through
products.services: `deduct_stock` (transfer_out, first-expiry-first-out, never an expired batch) and
`return_stock` (transfer_in, into the batch of the same number at the destination). What never
arrived is recorded as a `write_off` movement at the destination (affects_stock False: it never
entered stock there), valued at the sending cost.

Lock order: the StockTransfer row (document header) when receiving, then the destination's
StockLevel rows of its products at once (pk order, as a sale takes them), then Batch rows in
product then batch order.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from products.error_codes import ProductErrorCode as ProductCode
from products.models import StockMovement
from products.services import StockRequest, deduct_stock, return_stock, write_off_stock
from purchasing.error_codes import PurchasingErrorCode as Code
from purchasing.models import StockTransfer, StockTransferLine
from purchasing.services.common import check_line_count, lock_levels, require_manager
from purchasing.services.orders import location_or_default
from shared import clock
from shared.errors import DomainError, ErrorCode, check_length
from shared.money import parse_quantity

REFERENCE_TYPE = "transfer"


@dataclass(frozen=True)
class TransferLineRequest:
    product_id: int
    quantity: Decimal


@dataclass(frozen=True)
class ArrivalRequest:
    line_id: int
    quantity_received: Decimal


@transaction.atomic
def send_transfer(
    *,
    user,
    from_location_id: int | None,
    to_location_id: int,
    lines: list[TransferLineRequest],
    note: str = "",
) -> StockTransfer:
    """Send stock to another location (managers): it leaves the source now and is in transit.

    Locks (in products.deduct_stock): the products' StockLevels at the source, then their batches.
    Every shortage comes back at once as INSUFFICIENT_STOCK (field "lines").
    """
    require_manager(user, "send transfers")
    check_line_count(lines, "lines")
    source = location_or_default(from_location_id)
    target = location_or_default(to_location_id)
    if source.pk == target.pk:
        raise DomainError(ProductCode.SAME_LOCATION, "Choose two different locations.", field="toLocationId")
    wanted: OrderedDict[int, Decimal] = OrderedDict()
    for i, line in enumerate(lines):
        quantity = parse_quantity(line.quantity, field=f"lines.{i}.quantity")
        if line.product_id in wanted:
            raise DomainError(ErrorCode.INVALID, "List each product once.", field=f"lines.{i}.productId")
        wanted[line.product_id] = quantity

    transfer = StockTransfer.objects.create(
        from_location=source,
        to_location=target,
        note=check_length((note or "").strip(), limit=2000, field="note"),
        sent_by=user,
    )
    try:
        deductions = deduct_stock(
            user=user,
            location=source,
            requests=[StockRequest(pid, qty) for pid, qty in wanted.items()],
            reference_type=REFERENCE_TYPE,
            reference_id=transfer.pk,
            reference=transfer.label,
            movement_type=StockMovement.Type.TRANSFER_OUT,
        )
    except DomainError as exc:
        for error in exc.errors:  # deduct_stock speaks of a sale's "items"
            error.field = (error.field or "").replace("items", "lines", 1) or None
        raise
    movements = {
        (m.product_id, m.batch_id): m
        for m in StockMovement.objects.filter(
            reference_type=REFERENCE_TYPE,
            reference_id=transfer.pk,
            movement_type=StockMovement.Type.TRANSFER_OUT,
        )
    }
    StockTransferLine.objects.bulk_create(
        StockTransferLine(
            transfer=transfer,
            product_id=deduction.product_id,
            batch_id=draw.batch_id,
            quantity_sent=draw.quantity,
            unit_cost=draw.unit_cost,
            out_movement=movements[(deduction.product_id, draw.batch_id)],
        )
        for deduction in deductions
        for draw in deduction.draws
    )
    return transfer


@transaction.atomic
def receive_transfer(
    *, user, transfer_id: int, arrivals: list[ArrivalRequest] | None = None, note: str = ""
) -> StockTransfer:
    """Book a transfer in at its destination (managers); lines not listed arrived in full.

    A line that arrived short records the missing quantity as a write-off at the sending cost (the
    discrepancy); more than was sent is RECEIVED_MORE_THAN_SENT. Locks: the transfer, then (in
    products.return_stock) each line's StockLevel and batch at the destination, in product then
    batch order.
    """
    require_manager(user, "receive transfers")
    found = list(
        StockTransfer.objects.select_for_update(of=("self",), no_key=True)
        .select_related("to_location")
        .filter(pk=transfer_id)
    )
    if not found:
        raise DomainError(ErrorCode.NOT_FOUND, "Transfer not found.", field="transferId")
    transfer = found[0]
    if transfer.status != StockTransfer.Status.IN_TRANSIT:
        raise DomainError(
            Code.TRANSFER_ALREADY_RECEIVED, "This transfer has already arrived.", field="transferId"
        )
    lines = {line.pk: line for line in transfer.lines.select_related("product", "batch")}
    for line in lines.values():
        line.quantity_received = line.quantity_sent
    for i, arrival in enumerate(arrivals or []):
        line = lines.get(arrival.line_id)
        if line is None:
            raise DomainError(
                ErrorCode.NOT_FOUND, "No such line on this transfer.", field=f"lines.{i}.lineId"
            )
        received = parse_quantity(
            arrival.quantity_received, field=f"lines.{i}.quantityReceived", allow_zero=True
        )
        if received > line.quantity_sent:
            raise DomainError(
                Code.RECEIVED_MORE_THAN_SENT,
                f"Only {line.quantity_sent.normalize():f} of {line.product.name} were sent.",
                field=f"lines.{i}.quantityReceived",
            )
        line.quantity_received = received

    reason_note = check_length((note or "").strip(), limit=150, field="note")
    ordered = sorted(lines.values(), key=lambda line: (line.product_id, line.batch_id or 0))
    lock_levels(location_id=transfer.to_location_id, product_ids=[line.product_id for line in ordered])
    common = {"reference_type": REFERENCE_TYPE, "reference_id": transfer.pk, "reference": transfer.label}
    for line in ordered:
        if line.quantity_received > 0:
            line.in_movement = return_stock(
                user=user,
                location=transfer.to_location,
                product_id=line.product_id,
                quantity=line.quantity_received,
                batch_id=line.batch_id,
                unit_cost=line.unit_cost,
                movement_type=StockMovement.Type.TRANSFER_IN,
                **common,
            )
        missing = line.quantity_sent - line.quantity_received
        if missing > 0:
            write_off_stock(
                user=user,
                location=transfer.to_location,
                product_id=line.product_id,
                quantity=missing,
                batch_id=None,
                unit_cost=line.unit_cost,
                reason=f"Missing on arrival of {transfer.label}"
                + (f": {reason_note}" if reason_note else ""),
                **common,
            )
        line.save(update_fields=["quantity_received", "in_movement"])
    transfer.status = StockTransfer.Status.RECEIVED
    transfer.received_by = user
    transfer.received_at = clock.now()
    transfer.save(update_fields=["status", "received_by", "received_at", "updated_at"])
    return transfer
