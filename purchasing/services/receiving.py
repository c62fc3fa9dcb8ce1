"""Deliveries against a purchase order: partial receipts, landed cost, price variance.

Lock order: the PurchaseOrder row (document header), then products.receive_stock_many takes the
StockLevel and Batch rows. Stock is written only by products.services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import F

from products.services import Receipt, parse_cost, receive_stock_many
from purchasing.error_codes import PurchasingErrorCode as Code
from purchasing.models import PurchaseOrder, PurchaseOrderLine, PurchaseReceipt, PurchaseReceiptLine
from purchasing.services.common import check_line_count, require_manager
from purchasing.services.orders import lock_order
from shared.dates import check_date
from shared.errors import DomainError, ErrorCode, ErrorDetail, check_length
from shared.money import CENT, format_quantity, parse_money, parse_quantity, q

Status = PurchaseOrder.Status
REFERENCE_TYPE = "purchase_order"
COST_STEP = Decimal("0.0001")


@dataclass(frozen=True)
class ReceiveLineRequest:
    line_id: int
    quantity: Decimal
    unit_cost: Decimal | None = None  # the invoice's unit cost; the PO's when not given
    batch_number: str | None = None
    expiry_date: date | None = None


def allocate_by_value(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split `total` (to the cent) over `weights` in proportion, the parts summing exactly to it.

    Largest remainder: every part is first rounded down to the cent, then the cents left over go
    one each to the parts that lost the most, earlier parts first on a tie. With all weights zero
    the split is even.
    """
    if not weights:
        return []
    if sum(weights) <= 0:
        weights = [Decimal(1)] * len(weights)
    weight_total = sum(weights)
    exact = [total * w / weight_total for w in weights]
    parts = [e.quantize(CENT, rounding=ROUND_DOWN) for e in exact]
    left = int((total - sum(parts)) / CENT)
    by_remainder = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in by_remainder[:left]:
        parts[i] += CENT
    return parts


def _check_receivable(purchase_order: PurchaseOrder) -> None:
    if purchase_order.status not in (Status.ORDERED, Status.PARTIALLY_RECEIVED):
        text = {
            Status.DRAFT: "Order this purchase order before receiving goods on it.",
            Status.RECEIVED: "Everything on this purchase order has been received.",
            Status.CANCELLED: "This purchase order was cancelled.",
        }[purchase_order.status]
        raise DomainError(Code.PO_NOT_RECEIVABLE, text, field="purchaseOrderId")


def _parsed_lines(
    requests: list[ReceiveLineRequest], order_lines: dict[int, PurchaseOrderLine], allow_over_receipt: bool
) -> list[tuple[PurchaseOrderLine, Decimal, Decimal, ReceiveLineRequest]]:
    parsed, errors = [], []
    arriving: dict[int, Decimal] = {}
    for i, request in enumerate(requests):
        line = order_lines.get(request.line_id)
        if line is None:
            errors.append(
                ErrorDetail(ErrorCode.NOT_FOUND, "No such line on this order.", f"lines.{i}.lineId")
            )
            continue
        qty = parse_quantity(request.quantity, field=f"lines.{i}.quantity")
        check_date(request.expiry_date, field=f"lines.{i}.expiryDate")
        cost = (
            line.unit_cost
            if request.unit_cost is None
            else parse_cost(request.unit_cost, field=f"lines.{i}.unitCost")
        )
        arriving[line.pk] = arriving.get(line.pk, Decimal(0)) + qty
        outstanding = line.quantity - line.received_quantity
        if arriving[line.pk] > outstanding and not allow_over_receipt:
            errors.append(
                ErrorDetail(
                    Code.OVER_RECEIPT,
                    f"Only {format_quantity(max(outstanding, Decimal(0)))} of {line.product.name} "
                    f"are still expected on this order.",
                    f"lines.{i}.quantity",
                    {"outstanding": str(outstanding)},
                )
            )
            continue
        parsed.append((line, qty, cost, request))
    if errors:
        raise DomainError.many(errors)
    return parsed


@transaction.atomic
def receive_purchase_order(
    *,
    user,
    purchase_order_id: int,
    lines: list[ReceiveLineRequest],
    supplier_invoice: str = "",
    landed_cost=None,
    allow_over_receipt: bool = False,
) -> PurchaseReceipt:
    """Receive one delivery on an ordered purchase order (managers).

    Locks: the order, then (in products.receive_stock_many) every StockLevel and Batch touched.
    The landed cost is split over the delivery's lines by invoice value (largest remainder, the
    parts sum to it exactly) and each line enters stock at invoice cost + its share / quantity,
    rounded half up to 4 places, which moves the product's moving-average cost. More than is still
    outstanding on a line is OVER_RECEIPT unless `allow_over_receipt`. The order becomes
    PARTIALLY_RECEIVED, or RECEIVED once every line has arrived in full.
    """
    require_manager(user, "receive purchase orders")
    check_line_count(lines, "lines")
    landed = parse_money(landed_cost if landed_cost is not None else "0", field="landedCost")
    invoice = check_length((supplier_invoice or "").strip(), limit=64, field="supplierInvoice")

    purchase_order = lock_order(purchase_order_id)
    _check_receivable(purchase_order)
    order_lines = {line.pk: line for line in purchase_order.lines.select_related("product")}
    parsed = _parsed_lines(lines, order_lines, allow_over_receipt)

    shares = allocate_by_value(landed, [qty * cost for _line, qty, cost, _r in parsed])
    receipt = PurchaseReceipt(
        purchase_order=purchase_order, supplier_invoice=invoice, landed_cost=landed, received_by=user
    )
    receipt.save()
    stock_receipts, receipt_lines = [], []
    for (line, qty, cost, request), share in zip(parsed, shares, strict=True):
        unit_cost = ((qty * cost + share) / qty).quantize(COST_STEP, rounding=ROUND_HALF_UP)
        stock_receipts.append(
            Receipt(
                product=line.product,
                location=purchase_order.location,
                quantity=qty,
                unit_cost=unit_cost,
                batch_number=request.batch_number,
                expiry_date=request.expiry_date,
                reference_type=REFERENCE_TYPE,
                reference_id=purchase_order.pk,
                reference=purchase_order.number or "",
            )
        )
        receipt_lines.append(
            PurchaseReceiptLine(
                receipt=receipt,
                order_line=line,
                quantity=qty,
                invoice_unit_cost=cost,
                landed_cost_amount=share,
                unit_cost=unit_cost,
                price_variance_amount=q((cost - line.unit_cost) * qty),
                batch_number=(request.batch_number or "").strip(),
                expiry_date=request.expiry_date,
            )
        )
    movements = receive_stock_many(user=user, receipts=stock_receipts)
    for receipt_line, movement in zip(receipt_lines, movements, strict=True):
        receipt_line.movement = movement
    PurchaseReceiptLine.objects.bulk_create(receipt_lines)
    for line, qty, _cost, _request in parsed:
        PurchaseOrderLine.objects.filter(pk=line.pk).update(received_quantity=F("received_quantity") + qty)
        line.received_quantity += qty

    complete = all(line.received_quantity >= line.quantity for line in order_lines.values())
    purchase_order.status = Status.RECEIVED if complete else Status.PARTIALLY_RECEIVED
    purchase_order.save(update_fields=["status", "updated_at"])
    return receipt
