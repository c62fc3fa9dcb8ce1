"""Unit precision: how finely a product's quantities may be split (whole pieces or weighed goods).

Pure functions, no database: the till's pricing (sales/pricing.py) and every stock service call
`check_quantity_precision` with the product's `quantity_decimals`.
"""

from __future__ import annotations

from decimal import Decimal

from shared.errors import DomainError, ErrorCode

MAX_QUANTITY_DECIMALS = 3
# Units whose goods are weighed or measured: new products in them default to three decimals.
MEASURED_UNITS = frozenset({"kg", "g", "mg", "lb", "oz", "l", "ml", "cl", "m", "cm", "m2", "m3"})


def default_quantity_decimals(unit: str | None) -> int:
    """Three decimals for weighed or measured units (kg, l, m, ...), whole pieces for everything else."""
    return MAX_QUANTITY_DECIMALS if (unit or "").strip().lower() in MEASURED_UNITS else 0


def check_quantity_precision(quantity: Decimal, *, decimals: int, product_name: str, field: str) -> Decimal:
    """Refuse a quantity finer than the product's unit precision (INVALID on `field`)."""
    step = Decimal(1).scaleb(-decimals)
    if quantity == quantity.quantize(step):
        return quantity
    if decimals == 0:
        message = f"{product_name} is sold by the piece: enter a whole number."
    else:
        message = f"{product_name} is sold in steps of {step}: enter at most {decimals} decimal places."
    raise DomainError(ErrorCode.INVALID, message, field=field, params={"quantityDecimals": decimals})
