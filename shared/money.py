"""Exact money and quantity arithmetic, and the one parser every entry point uses. `float` never appears.

GraphQL scalars, services, CSV imports and the admin all read numbers through `to_decimal`, so
"1e2", "1_0", "１０", "١٠", " 1 0", booleans and floats are refused the same way everywhere.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings

from shared.errors import DomainError, ErrorCode

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
QTY_STEP = Decimal("0.001")
# What the columns can hold: DecimalField(12, 2) for money, (12, 3) for quantities. Running totals
# (a sale total, a balance) are checked against these; single inputs against the smaller
# settings.INPUT_MAX_AMOUNT / INPUT_MAX_QUANTITY, which leave headroom for those totals.
MAX_MONEY = Decimal("9999999999.99")
MAX_QUANTITY = Decimal("999999999.999")

# ASCII digits only ([0-9], not \d, which matches every script's digits), one optional point,
# no exponent, no underscores, no inner spaces. 15 integer digits is more than any column holds
# and keeps every later quantize() within the decimal context's 28 digits.
_NUMBER = re.compile(r"(?P<sign>[+-]?)(?P<int>[0-9]{1,15})(?:\.(?P<frac>[0-9]{1,12}))?", re.ASCII)


def q(value: Decimal) -> Decimal:
    """Round to the cent, half up (the rule for every stored money value)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def to_decimal(value: object, *, allow_sign: bool = True) -> Decimal:
    """Read a plain decimal number: a str such as "10.50" or "-2", an int, or a Decimal.

    Raises `InvalidOperation` for anything else: floats, booleans, exponents ("1e2"), underscores
    ("1_0"), non-ASCII digits ("１０"), inner spaces, NaN/Infinity, more than 15 integer digits.
    Surrounding spaces are tolerated (CSV cells). With `allow_sign=False` a "+" or "-" is refused.
    """
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidOperation("not a finite number")
        return value
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidOperation("only strings, integers and Decimals are numbers here")
    text = str(value).strip(" \t")
    match = _NUMBER.fullmatch(text)
    if match is None or (match["sign"] and not allow_sign):
        raise InvalidOperation("not a plain decimal number")
    return Decimal(text)


def input_max_amount() -> Decimal:
    """The largest single amount (price, cost, payment, discount, limit) any input may carry."""
    return Decimal(settings.INPUT_MAX_AMOUNT)


def input_max_quantity() -> Decimal:
    """The largest single quantity (sold, received, counted, moved) any input may carry."""
    return Decimal(settings.INPUT_MAX_QUANTITY)


def out_of_range(what: str, limit: Decimal, *, field: str) -> DomainError:
    return DomainError(
        ErrorCode.OUT_OF_RANGE,
        f"{what} cannot be more than {limit:,f}.",
        field=field,
        params={"limit": str(limit)},
    )


def parse_money(
    value: object, *, field: str, allow_zero: bool = True, allow_negative: bool = False
) -> Decimal:
    """Validate a money input: a plain number with at most two decimal places, in range.

    Syntax errors are `INVALID`; a magnitude above settings.INPUT_MAX_AMOUNT is `OUT_OF_RANGE`.
    """
    try:
        amount = to_decimal(value, allow_sign=True)
    except InvalidOperation:
        raise DomainError(ErrorCode.INVALID, 'Enter an amount such as "10.00".', field=field) from None
    if amount < 0 and not allow_negative:
        raise DomainError(ErrorCode.INVALID, "Amount cannot be negative.", field=field)
    limit = input_max_amount()
    if abs(amount) > limit:
        raise out_of_range("An amount", limit, field=field)
    if amount != amount.quantize(CENT):
        raise DomainError(ErrorCode.INVALID, "Amounts can have at most two decimal places.", field=field)
    if amount == 0 and not allow_zero:
        raise DomainError(ErrorCode.INVALID, "Amount must be greater than zero.", field=field)
    return amount.quantize(CENT)


def parse_quantity(
    value: object, *, field: str, allow_zero: bool = False, allow_negative: bool = False
) -> Decimal:
    """Validate a quantity input: positive by default, at most three decimal places, in range.

    Syntax errors are `INVALID`; a magnitude above settings.INPUT_MAX_QUANTITY is `OUT_OF_RANGE`.
    """
    try:
        qty = to_decimal(value, allow_sign=True)
    except InvalidOperation:
        raise DomainError(ErrorCode.INVALID, 'Enter a quantity such as 2 or "1.5".', field=field) from None
    if qty < 0 and not allow_negative:
        raise DomainError(ErrorCode.INVALID, "Quantity cannot be negative.", field=field)
    limit = input_max_quantity()
    if abs(qty) > limit:
        raise out_of_range("A quantity", limit, field=field)
    if qty != qty.quantize(QTY_STEP):
        raise DomainError(ErrorCode.INVALID, "Quantities can have at most three decimal places.", field=field)
    if qty == 0 and not allow_zero:
        raise DomainError(ErrorCode.INVALID, "Quantity must be greater than zero.", field=field)
    return qty.quantize(QTY_STEP)


def format_money(value: Decimal) -> str:
    rounded = (value if type(value) is Decimal else Decimal(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{rounded:.2f}"


def format_quantity(value: Decimal) -> str:
    """Show a quantity without trailing zeros: 2, 1.5, 0.125."""
    normalized = Decimal(value).quantize(QTY_STEP).normalize()
    return f"{normalized:f}"
