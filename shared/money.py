"""Exact money and quantity arithmetic. `float` never appears."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from shared.errors import DomainError, ErrorCode

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
QTY_STEP = Decimal("0.001")
MAX_MONEY = Decimal("9999999999.99")  # fits DecimalField(max_digits=12, decimal_places=2)
MAX_QUANTITY = Decimal("999999999.999")  # fits DecimalField(max_digits=12, decimal_places=3)


def q(value: Decimal) -> Decimal:
    """Round to the cent, half up (the rule for every stored money value)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def to_decimal(value: object) -> Decimal:
    """Convert a str/int/Decimal to Decimal; floats are refused so no binary rounding sneaks in."""
    if isinstance(value, bool | float):
        raise InvalidOperation("floats are not accepted")
    result = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    if not result.is_finite():
        raise InvalidOperation("not a finite number")
    return result


def parse_money(
    value: object, *, field: str, allow_zero: bool = True, allow_negative: bool = False
) -> Decimal:
    """Validate a money input: a finite number with at most two decimal places, in range."""
    try:
        amount = to_decimal(value)
    except (InvalidOperation, ValueError):
        raise DomainError(ErrorCode.INVALID, 'Enter an amount such as "10.00".', field=field) from None
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(CENT):
        raise DomainError(ErrorCode.INVALID, "Amounts can have at most two decimal places.", field=field)
    if amount < 0 and not allow_negative:
        raise DomainError(ErrorCode.INVALID, "Amount cannot be negative.", field=field)
    if amount == 0 and not allow_zero:
        raise DomainError(ErrorCode.INVALID, "Amount must be greater than zero.", field=field)
    if abs(amount) > MAX_MONEY:
        raise DomainError(ErrorCode.INVALID, "Amount is too large.", field=field)
    return amount.quantize(CENT)


def parse_quantity(
    value: object, *, field: str, allow_zero: bool = False, allow_negative: bool = False
) -> Decimal:
    """Validate a quantity input: positive by default, at most three decimal places."""
    try:
        qty = to_decimal(value)
    except (InvalidOperation, ValueError):
        raise DomainError(ErrorCode.INVALID, 'Enter a quantity such as 2 or "1.5".', field=field) from None
    if qty != qty.quantize(QTY_STEP):
        raise DomainError(ErrorCode.INVALID, "Quantities can have at most three decimal places.", field=field)
    if qty < 0 and not allow_negative:
        raise DomainError(ErrorCode.INVALID, "Quantity cannot be negative.", field=field)
    if qty == 0 and not allow_zero:
        raise DomainError(ErrorCode.INVALID, "Quantity must be greater than zero.", field=field)
    if abs(qty) > MAX_QUANTITY:
        raise DomainError(ErrorCode.INVALID, "Quantity is too large.", field=field)
    return qty.quantize(QTY_STEP)


def format_money(value: Decimal) -> str:
    return f"{q(value):.2f}"


def format_quantity(value: Decimal) -> str:
    """Show a quantity without trailing zeros: 2, 1.5, 0.125."""
    normalized = Decimal(value).quantize(QTY_STEP).normalize()
    return f"{normalized:f}"
