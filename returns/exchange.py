"""Exchanges: take goods back and sell replacements in one transaction, settling the difference.

Reuses the return and checkout services: the approved return's value becomes an `exchange` tender on
the replacement sale. If the replacements cost more, the customer pays the rest with ordinary
payments; if less, the difference is refunded in cash or as store credit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from customers import services as customer_services
from returns import services as return_services
from returns import till
from returns.error_codes import ReturnErrorCode
from returns.models import Return
from sales import services as sale_services
from sales import summaries
from sales.choices import PaymentMethod
from sales.models import Sale
from shared.errors import DomainError
from shared.money import ZERO


@dataclass
class ExchangeResult:
    return_request: Return
    sale: Sale
    refunded: Decimal  # the difference paid back (cash or store credit); 0 when the customer paid more


@transaction.atomic
def create_exchange(
    *,
    user,
    sale_id: int,
    return_lines: list[return_services.ReturnLineRequest],
    new_items: list[sale_services.SaleLineRequest],
    payments: list[sale_services.PaymentRequest],
    difference_refund_method: str = Return.RefundMethod.CASH,
    note: str = "",
) -> ExchangeResult:
    """Return goods and sell replacements at once (managers: the return is approved on the spot).

    The return's and the sale's summary rows are merged and written once, at the end, in key order.
    """
    with summaries.collected():
        return _exchange(
            user=user,
            sale_id=sale_id,
            return_lines=return_lines,
            new_items=new_items,
            payments=payments,
            difference_refund_method=difference_refund_method,
            note=note,
        )


def _exchange(
    *, user, sale_id, return_lines, new_items, payments, difference_refund_method, note
) -> ExchangeResult:
    if difference_refund_method not in (Return.RefundMethod.CASH, Return.RefundMethod.STORE_CREDIT):
        raise DomainError(
            ReturnErrorCode.INVALID_REFUND_METHOD,
            "Refund a difference in cash or as store credit.",
            field="differenceRefundMethod",
        )
    ret = return_services.create_return(
        user=user,
        sale_id=sale_id,
        lines=return_lines,
        refund_method=Return.RefundMethod.EXCHANGE,
        note=note,
        for_exchange=True,
    )
    ret = return_services.approve_return(user=user, return_id=ret.pk, note="Exchange")
    original = ret.sale
    value = ret.exchange_amount
    quote = sale_services.price_sale(
        user=user,
        request=sale_services.SaleRequest(
            items=new_items, payments=[], customer_id=original.customer_id, location_id=original.location_id
        ),
    )
    # The replacement sale joins the drawer the returned value was posted to (a manager has none).
    shift = till.shift_for_refund(user=user, sale=original)
    spent = min(value, quote.priced.total)
    tenders = ([sale_services.PaymentRequest(PaymentMethod.EXCHANGE, spent)] if spent > 0 else []) + list(
        payments
    )
    sale = sale_services.create_sale(
        user=user,
        request=sale_services.SaleRequest(
            items=new_items,
            payments=tenders,
            customer_id=original.customer_id,
            location_id=original.location_id,
            sale_type=original.sale_type,
            note=f"Exchange for {ret.return_number}",
        ),
        allow_exchange_tender=True,
        fallback_shift_ids=(shift.pk if shift is not None else None,),
    ).sale
    refunded = value - spent
    ret.exchange_amount = spent
    ret.exchange_sale = sale
    if refunded > 0:
        if difference_refund_method == Return.RefundMethod.STORE_CREDIT:
            if original.customer_id is None:
                raise DomainError(
                    ReturnErrorCode.INVALID_REFUND_METHOD,
                    "Store credit needs a customer on the sale.",
                    field="differenceRefundMethod",
                )
            # Raising here rolls back the return and the sale written above: all or nothing.
            return_services.ensure_may_hold_credit(original, field="differenceRefundMethod")
            customer_services.credit_account(
                user=user,
                customer_id=original.customer_id,
                amount=refunded,
                entry_type="refund_credit",
                reference_type="return",
                reference_id=ret.pk,
                reference=ret.return_number,
                note="Exchange difference as store credit",
            )
            ret.credit_refund_amount = refunded
        else:
            ret.cash_refund_amount = refunded
            summaries.record_refund_paid(ret, original, refunded)
        till.post_exchange_difference(
            user=user,
            sale=original,
            return_request=ret,
            amount=refunded,
            as_store_credit=difference_refund_method == Return.RefundMethod.STORE_CREDIT,
        )
    ret.save(
        update_fields=[
            "exchange_amount",
            "exchange_sale",
            "credit_refund_amount",
            "cash_refund_amount",
            "updated_at",
        ]
    )
    return ExchangeResult(return_request=ret, sale=sale, refunded=refunded if refunded > 0 else ZERO)
