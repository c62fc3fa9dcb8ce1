"""Tender arithmetic of the till: settle the payments of a sale against its total. Pure, Decimal only.

The money rules of API.md ("Sale money rules") live here, so `createSale`, `priceSale`, exchanges
and the data generator apply the same ones: a shortfall goes on account only when the client chose
`part_payment` or `credit`; a blocked customer's account is never touched; a single tender and the
change are capped (settings POS_MAX_PAYMENT_AMOUNT, POS_MAX_CHANGE_AMOUNT). docs/checkout.md
explains each refusal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from sales.choices import MONEY_RECEIVED_NOW, PAYMENT_METHOD_ALIASES, PaymentMethod
from sales.error_codes import SaleErrorCode
from shared.errors import DomainError, ErrorCode, ErrorDetail
from shared.money import ZERO, format_money, parse_money, to_decimal

MAX_PAYMENTS = 20
# Methods that put an unpaid remainder on the customer's account: only these create debt.
ACCOUNT_METHODS = frozenset({PaymentMethod.PART_PAYMENT, PaymentMethod.CREDIT})
# Methods that touch the customer's account directly.
_ACCOUNT_TENDERS = frozenset({PaymentMethod.CREDIT, PaymentMethod.STORE_CREDIT})
_T = TypeVar("_T")


@dataclass(frozen=True)
class TenderInput:
    """One entry of `payments` as the client sent it."""

    method: str
    amount: Decimal
    balance: Decimal | None = None  # what the client believes remains unpaid after this payment
    reference: str = ""


@dataclass(frozen=True)
class AppliedPayment:
    index: int  # position in `payments`
    method: PaymentMethod  # canonical (`credit_card` comes back as `card`)
    amount: Decimal  # what was tendered
    applied: Decimal  # the part that settles the sale: amount less the change / credit made from it
    balance: Decimal  # the server's remaining amount after this payment, floored at 0.00
    reference: str


@dataclass(frozen=True)
class TenderResult:
    payments: tuple[AppliedPayment, ...]
    amount_paid: Decimal  # money received now: cash, transfer, card, part_payment (before change)
    change: Decimal  # handed back in cash, never more than the cash tendered
    amount_on_account: Decimal  # charged to the customer: method credit + any unpaid remainder
    credit_applied: Decimal  # the customer's store credit spent
    credit_created: Decimal  # overpayment kept as credit for the customer


def settle_payments(
    total: Decimal,
    payments: Sequence[TenderInput],
    *,
    keep_change_as_credit: bool = False,
    has_customer: bool,
    customer_store_credit_available: Decimal = ZERO,
    customer_blocked: bool = False,
    max_payment_amount: Decimal | None = None,
    max_change_amount: Decimal | None = None,
) -> TenderResult:
    """Settle the tendered payments against a sale total.

    Checks, in order: each payment's method and amount (all errors at once); each amount within
    the single-payment cap (`exchange` excepted: the server computes it); methods `credit` and
    `store_credit` need a customer who is not blocked; store credit spent <= credit available;
    credit plus store credit <= total (an overpayment can only come from money); each sent
    `balance` equals the server's remaining amount after that payment (total minus everything
    tendered so far, floored at 0.00). Then: a shortfall is refused (`PAYMENT_SHORT`) unless a
    `part_payment` or `credit` payment puts it on the customer's account; an excess is at most
    the change cap, is change up to the cash tendered (unless kept as credit) and credit for the
    customer beyond that. Anything on account, or credit kept, needs a customer who is not
    blocked. The outcome does not depend on the order of payments; only the running `balance` does.
    """
    if len(payments) > MAX_PAYMENTS:
        raise DomainError(
            ErrorCode.INVALID, f"A sale can have at most {MAX_PAYMENTS} payments.", field="payments"
        )
    parsed = _parse_payments(payments)
    _check_payment_caps(parsed, _setting_amount(max_payment_amount, "POS_MAX_PAYMENT_AMOUNT"))
    store_credit_available = to_decimal(customer_store_credit_available)

    for index, method, _amount, _balance, _ref in parsed:
        if method in _ACCOUNT_TENDERS and not has_customer:
            raise _customer_required(
                f"Payment method {method.value} needs a customer.", reason=method.value, index=index
            )
        if method in _ACCOUNT_TENDERS and customer_blocked:
            raise _customer_blocked(
                f"The customer is blocked: nothing can go on their account and no store credit "
                f"can be spent, so {method.value} cannot be used.",
                field=f"payments.{index}.method",
            )

    store_credit_spent = ZERO
    not_money = ZERO
    tendered = ZERO
    balances: list[Decimal] = []
    for index, method, amount, balance, _ref in parsed:
        if method == PaymentMethod.STORE_CREDIT:
            store_credit_spent += amount
            if store_credit_spent > store_credit_available:
                raise DomainError(
                    SaleErrorCode.INSUFFICIENT_STORE_CREDIT,
                    f"The customer has {format_money(store_credit_available)} of store credit; "
                    f"{format_money(store_credit_spent)} was asked for.",
                    field=f"payments.{index}.amount",
                    params={
                        "available": format_money(store_credit_available),
                        "requested": format_money(store_credit_spent),
                    },
                )
        if method not in MONEY_RECEIVED_NOW:
            not_money += amount
            if not_money > total:
                raise DomainError(
                    SaleErrorCode.CREDIT_EXCEEDS_TOTAL,
                    f"Credit and store credit together cannot be more than the total, {format_money(total)}.",
                    field=f"payments.{index}.amount",
                    params={"total": format_money(total), "requested": format_money(not_money)},
                )
        tendered += amount
        remaining = max(total - tendered, ZERO)
        if balance is not None and balance != remaining:
            raise DomainError(
                SaleErrorCode.BALANCE_MISMATCH,
                f"After this payment {format_money(remaining)} remains, not {format_money(balance)}.",
                field=f"payments.{index}.balance",
                params={"expected": format_money(remaining), "received": format_money(balance)},
            )
        balances.append(remaining)

    money_now = _sum_amounts(parsed, MONEY_RECEIVED_NOW)
    cash = _sum_amounts(parsed, {PaymentMethod.CASH})
    on_credit = _sum_amounts(parsed, {PaymentMethod.CREDIT})
    shortfall = max(total - tendered, ZERO)
    excess = max(tendered - total, ZERO)  # <= money_now, because not_money <= total
    change = ZERO if keep_change_as_credit else min(excess, cash)
    credit_created = excess - change

    if shortfall > 0:
        _check_shortfall(
            parsed, shortfall, total, has_customer=has_customer, customer_blocked=customer_blocked
        )
    max_change = _setting_amount(max_change_amount, "POS_MAX_CHANGE_AMOUNT")
    if excess > max_change:
        raise DomainError(
            SaleErrorCode.CHANGE_TOO_LARGE,
            f"The payments exceed the total, {format_money(total)}, by {format_money(excess)}; "
            f"at most {format_money(max_change)} may be given as change or kept as credit.",
            field="payments",
            params={
                "total": format_money(total),
                "excess": format_money(excess),
                "max": format_money(max_change),
            },
        )
    if credit_created > 0 and (not has_customer or customer_blocked):
        from_cash = keep_change_as_credit and cash > 0
        message = (
            f"The overpayment of {format_money(credit_created)} can only be kept as credit for a customer"
        )
        if not has_customer:
            reason = "keep_change_as_credit" if from_cash else "non_cash_overpayment"
            raise _customer_required(f"{message}.", reason=reason)
        raise _customer_blocked(
            f"{message} who is not blocked.", field="keepChangeAsCredit" if from_cash else "payments"
        )

    applied = _applied_amounts(parsed, change=change, credit_created=credit_created)
    return TenderResult(
        payments=tuple(
            AppliedPayment(
                index=index, method=method, amount=amount, applied=part, balance=remaining, reference=ref
            )
            for (index, method, amount, _b, ref), part, remaining in zip(
                parsed, applied, balances, strict=True
            )
        ),
        amount_paid=money_now,
        change=change,
        amount_on_account=on_credit + shortfall,
        credit_applied=store_credit_spent,
        credit_created=credit_created,
    )


def normalize_payment_method(value: str, *, field: str) -> PaymentMethod:
    """Map a client method string (case and surrounding spaces ignored) to its canonical value."""
    text = str(value).strip().lower()
    if text in PAYMENT_METHOD_ALIASES:
        return PAYMENT_METHOD_ALIASES[text]
    try:
        return PaymentMethod(text)
    except ValueError:
        accepted = ", ".join([*PaymentMethod.values, *PAYMENT_METHOD_ALIASES])
        raise DomainError(
            SaleErrorCode.INVALID_PAYMENT_METHOD,
            f"Unknown payment method; use one of: {accepted}.",
            field=field,
            params={"accepted": accepted},
        ) from None


_Parsed = tuple[int, PaymentMethod, Decimal, Decimal | None, str]


def _parse_payments(payments: Sequence[TenderInput]) -> list[_Parsed]:
    errors: list[ErrorDetail] = []
    parsed: list[_Parsed] = []
    for index, payment in enumerate(payments):
        path = f"payments.{index}"
        method = _collect(errors, normalize_payment_method, payment.method, field=f"{path}.method")
        amount = _collect(errors, parse_money, payment.amount, field=f"{path}.amount")
        balance = None
        if payment.balance is not None:
            balance = _collect(
                errors, parse_money, payment.balance, field=f"{path}.balance", allow_negative=True
            )
        if method is not None and amount is not None:
            parsed.append((index, method, amount, balance, payment.reference or ""))
    if errors:
        raise DomainError.many(errors)
    return parsed


def _sum_amounts(parsed: list[_Parsed], methods: set[PaymentMethod] | frozenset[PaymentMethod]) -> Decimal:
    return sum((amount for _i, method, amount, _b, _r in parsed if method in methods), ZERO)


def _applied_amounts(parsed: list[_Parsed], *, change: Decimal, credit_created: Decimal) -> list[Decimal]:
    """Take the change out of the cash payments, and the credit created out of the non-cash money
    payments first, then out of what is left of the cash; latest payments first."""
    applied = [amount for _i, _m, amount, _b, _r in parsed]
    cash_slots = [i for i, p in enumerate(parsed) if p[1] == PaymentMethod.CASH]
    other_money_slots = [
        i for i, p in enumerate(parsed) if p[1] in MONEY_RECEIVED_NOW and i not in cash_slots
    ]
    for amount_left, slots in ((change, cash_slots), (credit_created, other_money_slots + cash_slots)):
        for i in reversed(slots):
            if amount_left == 0:
                break
            taken = min(applied[i], amount_left)
            applied[i] -= taken
            amount_left -= taken
    return applied


def _customer_required(message: str, *, reason: str, index: int | None = None) -> DomainError:
    params: dict[str, object] = {"reason": reason}
    if index is not None:
        params["payment"] = index
    return DomainError(SaleErrorCode.CUSTOMER_REQUIRED, message, field="customerId", params=params)


def _check_payment_caps(parsed: list[_Parsed], cap: Decimal) -> None:
    errors = [
        ErrorDetail(
            SaleErrorCode.PAYMENT_TOO_LARGE,
            f"A single payment can be at most {format_money(cap)}.",
            f"payments.{index}.amount",
            {"max": format_money(cap)},
        )
        for index, method, amount, _b, _r in parsed
        if amount > cap and method != PaymentMethod.EXCHANGE
    ]
    if errors:
        raise DomainError.many(errors)


def _check_shortfall(
    parsed: list[_Parsed], shortfall: Decimal, total: Decimal, *, has_customer: bool, customer_blocked: bool
) -> None:
    """An unpaid remainder goes on account only by the client's choice, for a customer who may owe."""
    chosen = [index for index, method, _a, _b, _r in parsed if method in ACCOUNT_METHODS]
    if not chosen:
        raise DomainError(
            SaleErrorCode.PAYMENT_SHORT,
            f"{format_money(shortfall)} of the total, {format_money(total)}, is not paid: take the rest, "
            "or use part_payment or credit to put it on the customer's account.",
            field="payments",
            params={"total": format_money(total), "short": format_money(shortfall)},
        )
    if not has_customer:
        raise _customer_required(
            f"{format_money(shortfall)} remains unpaid: choose a customer to put it on account.",
            reason="unpaid_remainder",
        )
    if customer_blocked:
        raise _customer_blocked(
            f"The customer is blocked: the unpaid {format_money(shortfall)} cannot go on their account.",
            field=f"payments.{chosen[0]}.method",
        )


def _customer_blocked(message: str, *, field: str) -> DomainError:
    return DomainError(SaleErrorCode.CUSTOMER_BLOCKED, message, field=field)


def _setting_amount(value: Decimal | None, name: str) -> Decimal:
    if value is not None:
        return to_decimal(value)
    from django.conf import settings

    return to_decimal(getattr(settings, name))


def _collect(errors: list[ErrorDetail], parse: Callable[..., _T], value: object, **kwargs: Any) -> _T | None:
    """Run one parser; keep its refusal in `errors` so every field error is reported at once."""
    try:
        return parse(value, **kwargs)
    except DomainError as exc:
        errors.extend(exc.errors)
        return None
