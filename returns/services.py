"""Returns against a sale: request, approve (restock or write off, refund) or reject, exactly once.

Refunds come from what the customer paid for each line (`SaleItem.total`: after line and sale
discounts, tax included), never from a client figure. A line's refunds are cut from it by
cumulative rounding: returning units [p, p + r) of n refunds q(total x (p + r) / n) - q(total x p / n),
so the refunds of a line add up to exactly its total and never more. Amounts are estimated when the
return is requested and fixed at approval, where `p` counts approved units only.

Lock order: the sale, then the return, then stock (products services), then the customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from customers import services as customer_services
from products import services as stock_services
from products.units import check_quantity_precision
from returns import till
from returns.error_codes import ReturnErrorCode
from returns.models import Return, ReturnItem
from sales import summaries
from sales.choices import SaleStatus
from sales.models import Sale, SaleItem
from shared import clock
from shared.errors import DomainError, ErrorCode, ErrorDetail, check_length
from shared.money import ZERO, parse_quantity, q

REFERENCE_TYPE = "return"
QTY_ZERO = Decimal("0.000")


@dataclass(frozen=True)
class ReturnLineRequest:
    sale_item_id: int
    quantity: Decimal
    reason: str = ""
    restock: bool = True


def _lock_sale(sale_id: int, field: str = "saleId") -> Sale:
    sale = Sale.objects.select_for_update(of=("self",)).filter(pk=sale_id).first()
    if sale is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Sale not found.", field=field)
    return sale


def _claimed(sale_item_ids, *, statuses, exclude_return_id: int | None = None) -> dict[int, Decimal]:
    rows = ReturnItem.objects.filter(sale_item_id__in=sale_item_ids, return_request__status__in=statuses)
    if exclude_return_id is not None:
        rows = rows.exclude(return_request_id=exclude_return_id)
    return {r["sale_item_id"]: r["q"] for r in rows.values("sale_item_id").annotate(q=Sum("quantity"))}


def line_refund(item: SaleItem, *, already: Decimal, quantity: Decimal) -> Decimal:
    """The refund for units [already, already + quantity) of a sale line (cumulative rounding)."""
    return q(item.total * (already + quantity) / item.quantity) - q(item.total * already / item.quantity)


CLIENT_REFUND_METHODS = (
    Return.RefundMethod.CASH,
    Return.RefundMethod.ORIGINAL,
    Return.RefundMethod.STORE_CREDIT,
)


def ensure_may_hold_credit(sale: Sale, *, field: str) -> None:
    """A blocked customer's account takes no new credit (API.md): refund them in cash instead."""
    if sale.customer is not None and sale.customer.status == sale.customer.Status.BLOCKED:
        raise DomainError(
            ReturnErrorCode.CUSTOMER_BLOCKED,
            f"{sale.customer.name} is blocked and cannot be given store credit; refund in cash.",
            field=field,
        )


@transaction.atomic
def create_return(
    *,
    user,
    sale_id: int,
    lines: list[ReturnLineRequest],
    refund_method: str,
    note: str = "",
    for_exchange: bool = False,
) -> Return:
    """Request a return (any staff). Quantities are checked against what earlier returns already claim.

    `for_exchange` (returns.exchange only) allows the EXCHANGE refund method.
    """
    allowed = (
        (*CLIENT_REFUND_METHODS, Return.RefundMethod.EXCHANGE) if for_exchange else CLIENT_REFUND_METHODS
    )
    if refund_method not in allowed:
        raise DomainError(
            ReturnErrorCode.INVALID_REFUND_METHOD,
            "Refund by cash, original method or store credit.",
            field="refundMethod",
        )
    if not lines:
        raise DomainError(ErrorCode.INVALID, "Choose at least one item to return.", field="items")
    sale = _lock_sale(sale_id)
    if sale.status == SaleStatus.VOIDED:
        raise DomainError(
            ReturnErrorCode.SALE_VOIDED, f"Sale {sale.transaction_id} was voided.", field="saleId"
        )
    if refund_method == Return.RefundMethod.STORE_CREDIT and sale.customer_id is None:
        raise DomainError(
            ReturnErrorCode.INVALID_REFUND_METHOD,
            "Store credit needs a customer on the sale.",
            field="refundMethod",
        )
    if refund_method == Return.RefundMethod.STORE_CREDIT:
        ensure_may_hold_credit(sale, field="refundMethod")
    items = {item.pk: item for item in sale.items.select_related("product")}
    claimed = _claimed(items, statuses=[Return.Status.PENDING, Return.Status.APPROVED])
    errors: list[ErrorDetail] = []
    wanted: dict[int, Decimal] = {}
    parsed: list[tuple[SaleItem, ReturnLineRequest, Decimal]] = []
    for index, line in enumerate(lines):
        item = items.get(line.sale_item_id)
        if item is None:
            errors.append(
                ErrorDetail(
                    ReturnErrorCode.SALE_ITEM_NOT_IN_SALE,
                    "That item is not on this sale.",
                    f"items.{index}.saleItemId",
                )
            )
            continue
        try:
            quantity = parse_quantity(line.quantity, field=f"items.{index}.quantity")
            check_quantity_precision(
                quantity,
                decimals=item.product.quantity_decimals,
                product_name=item.product.name,
                field=f"items.{index}.quantity",
            )
        except DomainError as exc:
            errors.extend(exc.errors)
            continue
        wanted[item.pk] = wanted.get(item.pk, QTY_ZERO) + quantity
        returnable = item.quantity - claimed.get(item.pk, QTY_ZERO)
        if wanted[item.pk] > returnable:
            errors.append(
                ErrorDetail(
                    ReturnErrorCode.RETURN_QUANTITY_EXCEEDED,
                    f"Only {returnable.normalize():f} of {item.product.name} can still be returned.",
                    f"items.{index}.quantity",
                    {"returnable": str(returnable)},
                )
            )
            continue
        parsed.append((item, line, quantity))
    if errors:
        raise DomainError.many(errors)

    number = f"R-{sale.transaction_id}-{sale.returns.count() + 1}"
    return_request = Return.objects.create(
        return_number=number,
        sale=sale,
        customer_id=sale.customer_id,
        refund_method=refund_method,
        refund_total=ZERO,
        note=check_length(note or "", limit=500, field="note"),
        requested_by=user,
    )
    running = dict(claimed)
    return_items = []
    for item, line, quantity in parsed:
        already = running.get(item.pk, QTY_ZERO)
        running[item.pk] = already + quantity
        return_items.append(
            ReturnItem(
                return_request=return_request,
                sale_item=item,
                quantity=quantity,
                reason=check_length(line.reason or "", limit=255, field="items"),
                restock=line.restock,
                refund_amount=line_refund(item, already=already, quantity=quantity),
            )
        )
    ReturnItem.objects.bulk_create(return_items)
    return_request.refund_total = sum((ri.refund_amount for ri in return_items), ZERO)
    return_request.save(update_fields=["refund_total", "updated_at"])
    return return_request


def _lock_pending(return_id: int) -> tuple[Sale, Return]:
    header = Return.objects.filter(pk=return_id).values("sale_id").first()
    if header is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Return not found.", field="id")
    sale = _lock_sale(header["sale_id"], field="id")
    return_request = Return.objects.select_for_update(of=("self",)).get(pk=return_id)
    if return_request.status != Return.Status.PENDING:
        raise DomainError(
            ReturnErrorCode.RETURN_ALREADY_DECIDED,
            f"Return {return_request.return_number} was already {return_request.status}.",
            field="id",
        )
    return sale, return_request


def _draw_slices(
    item: SaleItem, start: Decimal, quantity: Decimal
) -> list[tuple[int | None, Decimal, Decimal]]:
    """The batches that units [start, start + quantity) of a line were drawn from, in draw order."""
    slices, position, end = [], QTY_ZERO, start + quantity
    for draw in item.batches.order_by("pk"):
        low, high = max(position, start), min(position + draw.quantity, end)
        if high > low:
            slices.append((draw.batch_id, high - low, draw.unit_cost))
        position += draw.quantity
    return slices


@transaction.atomic
def approve_return(*, user, return_id: int, note: str = "") -> Return:
    """Approve a pending return (managers): goods back or written off, refund paid, sale status updated."""
    sale, return_request = _lock_pending(return_id)
    if sale.status == SaleStatus.VOIDED:
        raise DomainError(ReturnErrorCode.SALE_VOIDED, f"Sale {sale.transaction_id} was voided.", field="id")
    shift = till.shift_for_refund(user=user, sale=sale, requested_by_id=return_request.requested_by_id)
    lines = list(return_request.items.select_related("sale_item__product"))
    approved = _claimed([ri.sale_item_id for ri in lines], statuses=[Return.Status.APPROVED])
    errors = []
    for index, line in enumerate(lines):
        item = line.sale_item
        if approved.get(item.pk, QTY_ZERO) + line.quantity > item.quantity:
            errors.append(
                ErrorDetail(
                    ReturnErrorCode.RETURN_QUANTITY_EXCEEDED,
                    f"{item.product.name} was already returned.",
                    f"items.{index}",
                )
            )
    if errors:
        raise DomainError.many(errors)

    refund_total = ZERO
    moves: list[tuple[ReturnItem, int | None, Decimal, Decimal]] = []
    for line in lines:
        item = line.sale_item
        already = approved.get(item.pk, QTY_ZERO)
        approved[item.pk] = already + line.quantity
        line.refund_amount = line_refund(item, already=already, quantity=line.quantity)
        refund_total += line.refund_amount
        moves += [(line, *draw) for draw in _draw_slices(item, already, line.quantity)]
    # return_stock / write_off_stock lock one level per call: take them all first, in the project's
    # order (level pk), so an approval never deadlocks with a sale or a void of the same products.
    moves.sort(key=lambda move: (move[0].sale_item.product_id, move[1] or 0))
    stock_services.lock_levels(
        location_id=sale.location_id, product_ids=[line.sale_item.product_id for line, *_rest in moves]
    )
    for line, batch_id, quantity, unit_cost in moves:
        common = {
            "user": user,
            "location": sale.location,
            "product_id": line.sale_item.product_id,
            "quantity": quantity,
            "batch_id": batch_id,
            "unit_cost": unit_cost,
            "reference_type": REFERENCE_TYPE,
            "reference_id": return_request.pk,
            "reference": return_request.return_number,
        }
        if line.restock:
            stock_services.return_stock(movement_type="return", **common)
        else:
            stock_services.write_off_stock(reason=line.reason or "Returned, not resellable", **common)
    ReturnItem.objects.bulk_update(lines, ["refund_amount"])

    _pay_refund(user=user, sale=sale, return_request=return_request, refund_total=refund_total)
    till.post_refund(shift=shift, user=user, sale=sale, return_request=return_request)
    return_request.status = Return.Status.APPROVED
    return_request.decided_by = user
    return_request.decided_at = clock.now()
    return_request.decision_note = check_length(note or "", limit=500, field="note")
    return_request.save()
    _update_sale_status(sale)
    summaries.record_return(return_request, lines, sale)
    return return_request


def _pay_refund(*, user, sale: Sale, return_request: Return, refund_total: Decimal) -> None:
    """Reduce what the sale left owing first; the rest as store credit or paid back."""
    return_request.refund_total = refund_total
    remaining = refund_total
    common = {
        "user": user,
        "reference_type": REFERENCE_TYPE,
        "reference_id": return_request.pk,
        "reference": return_request.return_number,
    }
    if sale.customer_id and sale.amount_on_account > 0 and remaining > 0:
        earlier = Return.objects.filter(sale=sale, status=Return.Status.APPROVED).aggregate(
            s=Sum("debt_reduction_amount")
        )["s"]
        open_debt = sale.amount_on_account - (earlier or ZERO)
        reduced = customer_services.reduce_debt(
            customer_id=sale.customer_id,
            amount=min(remaining, open_debt),
            note="Return reduces sale debt",
            **common,
        )
        return_request.debt_reduction_amount = reduced
        remaining -= reduced
    if remaining <= 0:
        return
    if return_request.refund_method == Return.RefundMethod.STORE_CREDIT:
        customer_services.credit_account(
            customer_id=sale.customer_id,
            amount=remaining,
            entry_type="refund_credit",
            note="Refund as store credit",
            **common,
        )
        return_request.credit_refund_amount = remaining
    elif return_request.refund_method == Return.RefundMethod.EXCHANGE:
        return_request.exchange_amount = remaining
    else:
        return_request.cash_refund_amount = remaining


def _update_sale_status(sale: Sale) -> None:
    sold = dict(sale.items.values_list("pk", "quantity"))
    returned = _claimed(sold, statuses=[Return.Status.APPROVED])
    fully = all(returned.get(pk, QTY_ZERO) >= qty for pk, qty in sold.items())
    sale.status = SaleStatus.RETURNED if fully else SaleStatus.PARTIALLY_RETURNED
    sale.save(update_fields=["status", "updated_at"])


@transaction.atomic
def reject_return(*, user, return_id: int, reason: str) -> Return:
    """Reject a pending return (managers); nothing moves."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(ErrorCode.REQUIRED, "Say why the return is rejected.", field="reason")
    _sale, return_request = _lock_pending(return_id)
    return_request.status = Return.Status.REJECTED
    return_request.decided_by = user
    return_request.decided_at = clock.now()
    return_request.decision_note = check_length(reason, limit=500, field="reason")
    return_request.save()
    return return_request


def returned_quantities(*, sale_item_ids) -> dict[int, Decimal]:
    """Approved returned quantity per sale line (for reports and the API)."""
    return _claimed(sale_item_ids, statuses=[Return.Status.APPROVED])
