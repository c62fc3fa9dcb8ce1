"""How refunds reach a shift (tills app).

A refund paid back in money comes out of the drawer of: the approving user's open shift, else the
open shift of the cashier who requested the return, else the sale's own shift while it is open.
`cash` and `original` refunds are drawer cash, unless `original` goes back to a sale paid without
cash, by card or transfer (the sale's first such payment).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from returns.models import Return, ReturnItem
from sales.choices import PaymentMethod
from sales.models import Sale
from shared.money import ZERO, q
from tills import selectors as till_selectors
from tills import services as till_services
from tills.models import Shift, ShiftPosting

REFERENCE_TYPE = "return"


def shift_for_refund(*, user, sale: Sale, requested_by_id: int | None = None) -> Shift | None:
    """Lock the shift a refund against `sale` posts to (call after the sale/return locks, before stock)."""

    def fallbacks():
        # Looked up only when needed: not for a location without registers, nor when `user` has a shift.
        if requested_by_id:
            yield till_selectors.open_shift_id(user_id=requested_by_id, location_id=sale.location_id)
        yield till_services.posted_shift_id(reference_type="sale", reference_id=sale.pk)

    return till_services.shift_for_posting(
        user=user, location_id=sale.location_id, fallback_shift_ids=fallbacks()
    )


def _money_column(sale: Sale, refund_method: str) -> str:
    if refund_method == Return.RefundMethod.ORIGINAL:
        methods = list(sale.payments.values_list("method", flat=True))
        if PaymentMethod.CASH not in methods and PaymentMethod.PART_PAYMENT not in methods:
            for method in methods:
                if method in (PaymentMethod.CARD, PaymentMethod.TRANSFER):
                    return method
    return "cash"


def refund_tax_lines(return_request: Return) -> list[till_services.TaxLine]:
    """The returned lines' tax per rate, as the refund was computed: each line's share of the sale
    line's own tax, rounded cumulatively over the units returned before (like `line_refund`), so a
    line returned in parts gives back exactly the tax it was charged. Call before the return is
    marked approved (its units are not yet counted as returned before)."""
    lines = list(return_request.items.select_related("sale_item").order_by("pk"))
    before = {
        row["sale_item_id"]: row["quantity"]
        for row in ReturnItem.objects.filter(
            sale_item_id__in=[line.sale_item_id for line in lines],
            return_request__status=Return.Status.APPROVED,
        )
        .exclude(return_request_id=return_request.pk)
        .values("sale_item_id")
        .annotate(quantity=Sum("quantity"))
    }
    tax_lines = []
    for line in lines:
        item = line.sale_item
        already = before.get(item.pk, ZERO)
        before[item.pk] = already + line.quantity
        tax = q(item.tax * (already + line.quantity) / item.quantity) - q(item.tax * already / item.quantity)
        tax_lines.append(
            till_services.TaxLine(rate=item.tax_rate, taxable=-(line.refund_amount - tax), tax=-tax)
        )
    return tax_lines


def post_refund(*, shift: Shift | None, user, sale: Sale, return_request: Return) -> None:
    """Write an approved return's refund to the shift, by how it was paid back."""
    if shift is None:
        return
    amounts: dict[str, Decimal] = {
        "total": -return_request.refund_total,
        "on_account": -return_request.debt_reduction_amount,
        "store_credit": -return_request.credit_refund_amount,
        "exchange": -return_request.exchange_amount,
    }
    if return_request.cash_refund_amount > ZERO:
        amounts[_money_column(sale, return_request.refund_method)] = -return_request.cash_refund_amount
    tax_lines = refund_tax_lines(return_request)
    till_services.post_to_shift(
        shift=shift,
        user=user,
        kind=ShiftPosting.Kind.REFUND,
        reference_type=REFERENCE_TYPE,
        reference_id=return_request.pk,
        tax=sum((line.tax for line in tax_lines), ZERO),
        tax_lines=tax_lines,
        **amounts,
    )


def post_exchange_difference(
    *, user, sale: Sale, return_request: Return, amount: Decimal, as_store_credit: bool
) -> None:
    """The part of an exchange's returned value paid back (cash) or kept as credit."""
    shift = shift_for_refund(user=user, sale=sale)
    if shift is None or amount <= ZERO:
        return
    till_services.post_to_shift(
        shift=shift,
        user=user,
        kind=ShiftPosting.Kind.EXCHANGE_DIFFERENCE,
        reference_type=REFERENCE_TYPE,
        reference_id=return_request.pk,
        exchange=amount,
        **({"store_credit": -amount} if as_store_credit else {"cash": -amount}),
    )
