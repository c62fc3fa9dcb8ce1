"""Pure pricing of the till: no database, no settings writes, Decimal only.

`price_sale` is the one code path behind `createSale` and `priceSale`. It takes what the service
has already looked up (catalogue price and tax rate per line, whether there is a customer and how
much store credit the shop holds for them) and returns every figure the sale stores, or raises
`DomainError` with the GraphQL input path of the offending field. Settling the payments (and the
money rules that go with it) lives in `sales.tender`; its names are re-exported here.

Rounding (CONVENTIONS.md §7): every stored money value is `q()` (half up to the cent) per line;
document totals are sums of the already-rounded line values. The rules are written out, with a
worked example, in docs/sales-pricing.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any, TypeVar

from products.units import check_quantity_precision
from sales.error_codes import SaleErrorCode
from sales.tender import (  # re-exported: pricing is the till's one entry point
    MAX_PAYMENTS,
    AppliedPayment,
    TenderInput,
    TenderResult,
    normalize_payment_method,
    settle_payments,
)
from shared.errors import DomainError, ErrorCode, ErrorDetail
from shared.money import (
    MAX_MONEY,
    ZERO,
    format_money,
    format_quantity,
    parse_money,
    parse_quantity,
    q,
    to_decimal,
)

__all__ = [
    "MAX_PAYMENTS",
    "AppliedPayment",
    "PricedCart",
    "PricedLine",
    "PricedLineInput",
    "PricedSale",
    "TenderInput",
    "TenderResult",
    "allocate_proportionally",
    "check_cashier_limits",
    "discount_percent",
    "normalize_payment_method",
    "price_cart",
    "price_sale",
    "settle_payments",
]

# Enough digits that no product of a price (12 digits) and a quantity (12 digits) or a ratio of
# them is ever rounded before `q()` rounds it on purpose, whatever the caller's decimal context.
_PRECISION = 60
HUNDRED = Decimal("100")
_T = TypeVar("_T")


# --- inputs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PricedLineInput:
    """One cart line as the service hands it over (catalogue values already looked up)."""

    product_id: int
    quantity: Decimal
    catalogue_unit_price: Decimal  # retail or wholesale price by the sale type
    tax_rate: Decimal  # a fraction: Decimal("0.075") is 7.5 %
    unit_price_override: Decimal | None = None  # the client's `unitPrice`, if sent
    line_discount: Decimal = ZERO  # amount off this line, not a percentage
    quantity_decimals: int = 3  # the product's unit precision: 0 when sold by the piece
    product_name: str = "This product"  # names the product in a refusal


# --- outputs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PricedLine:
    index: int  # position in `items`, for error paths and `SaleItem.line_number` (index + 1)
    product_id: int
    quantity: Decimal
    catalogue_unit_price: Decimal
    unit_price: Decimal  # the price charged: the override when sent, else the catalogue price
    is_price_override: bool  # an override that differs from the catalogue price
    tax_rate: Decimal
    subtotal: Decimal  # q(unit_price * quantity)
    line_discount: Decimal  # the discount sent on this line
    sale_discount_share: Decimal  # this line's part of the sale-level discount
    discount: Decimal  # line_discount + sale_discount_share
    tax: Decimal
    total: Decimal  # what the customer pays for the line, tax included

    @property
    def net(self) -> Decimal:
        """Subtotal after every discount (tax included when prices include tax)."""
        return self.subtotal - self.discount


@dataclass(frozen=True)
class PricedCart:
    lines: tuple[PricedLine, ...]
    prices_include_tax: bool
    sale_discount: Decimal  # the sale-level discount sent (already spread over the lines)
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal

    @property
    def has_price_override(self) -> bool:
        return any(line.is_price_override for line in self.lines)


@dataclass(frozen=True)
class PricedSale(PricedCart):
    """A priced cart plus its tender result.

    Invariant: amount_paid - change + credit_applied + amount_on_account - credit_created == total.
    """

    payments: tuple[AppliedPayment, ...]
    amount_paid: Decimal
    change: Decimal
    amount_on_account: Decimal
    credit_applied: Decimal
    credit_created: Decimal


# --- public functions ----------------------------------------------------------------------------


def price_sale(
    lines: Sequence[PricedLineInput],
    *,
    discount: Decimal = ZERO,
    prices_include_tax: bool,
    payments: Sequence[TenderInput],
    keep_change_as_credit: bool = False,
    has_customer: bool,
    customer_store_credit_available: Decimal = ZERO,
    customer_blocked: bool = False,
    max_items: int | None = None,
) -> PricedSale:
    """Price the cart and settle the payments against its total.

    Raises DomainError for the first failing stage: line and discount input (all line errors at
    once), payment input (all at once), then the settlement rules.
    """
    cart = price_cart(lines, discount=discount, prices_include_tax=prices_include_tax, max_items=max_items)
    tender = settle_payments(
        cart.total,
        payments,
        keep_change_as_credit=keep_change_as_credit,
        has_customer=has_customer,
        customer_store_credit_available=customer_store_credit_available,
        customer_blocked=customer_blocked,
    )
    return PricedSale(
        lines=cart.lines,
        prices_include_tax=cart.prices_include_tax,
        sale_discount=cart.sale_discount,
        subtotal=cart.subtotal,
        discount_total=cart.discount_total,
        tax_total=cart.tax_total,
        total=cart.total,
        payments=tender.payments,
        amount_paid=tender.amount_paid,
        change=tender.change,
        amount_on_account=tender.amount_on_account,
        credit_applied=tender.credit_applied,
        credit_created=tender.credit_created,
    )


def price_cart(
    lines: Sequence[PricedLineInput],
    *,
    discount: Decimal = ZERO,
    prices_include_tax: bool,
    max_items: int | None = None,
) -> PricedCart:
    """Price every line, spread the sale discount, compute tax and totals (no payments).

    Line subtotal = q(unit_price * quantity); the line discount may not exceed it. The sale
    discount is spread over the lines in proportion to what is left of each after its own
    discount (`allocate_proportionally`), so the parts sum exactly to the sale discount and no
    line goes below zero. Tax is q(net * rate / (1 + rate)) inside tax-inclusive prices, else
    q(net * rate) on top. Totals are sums of the rounded line values.
    """
    limit = _max_items() if max_items is None else max_items
    if not lines:
        raise DomainError(ErrorCode.INVALID, "Add at least one item to the sale.", field="items")
    if len(lines) > limit:
        raise DomainError(
            ErrorCode.INVALID, f"A sale can have at most {limit} lines.", field="items", params={"max": limit}
        )

    errors: list[ErrorDetail] = []
    sale_discount = _collect(errors, parse_money, discount, field="discount")
    drafts: list[_LineDraft] = []
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        for index, line in enumerate(lines):
            draft = _draft_line(index, line, errors)
            if draft is not None:
                drafts.append(draft)
        if errors:
            raise DomainError.many(errors)
        assert sale_discount is not None

        nets = [draft.subtotal - draft.line_discount for draft in drafts]
        available = sum(nets, ZERO)
        if sale_discount > available:
            raise DomainError(
                ErrorCode.INVALID,
                f"The sale discount cannot be more than {format_money(available)}, "
                "what the items cost after their own discounts.",
                field="discount",
                params={"max": format_money(available)},
            )
        shares = allocate_proportionally(sale_discount, nets)
        priced = tuple(
            _finish_line(draft, share, prices_include_tax)
            for draft, share in zip(drafts, shares, strict=True)
        )

    total = sum((line.total for line in priced), ZERO)
    if total > MAX_MONEY:
        raise DomainError(ErrorCode.INVALID, "The sale total is too large.", field="items")
    return PricedCart(
        lines=priced,
        prices_include_tax=prices_include_tax,
        sale_discount=sale_discount,
        subtotal=sum((line.subtotal for line in priced), ZERO),
        discount_total=sum((line.discount for line in priced), ZERO),
        tax_total=sum((line.tax for line in priced), ZERO),
        total=total,
    )


def allocate_proportionally(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split a cent amount over cent weights; the parts are cents and sum exactly to `amount`.

    Each part is q(amount * weight / sum(weights)); the rounding remainder goes to the largest
    weight (the first one on a tie). When that would take the part below 0 or above its weight
    (possible only with many lines and tiny amounts), the rest spills to the next-largest, so
    0 <= part <= weight always holds for 0 <= amount <= sum(weights).
    """
    parts = [ZERO for _ in weights]
    if amount == 0:
        return parts
    weight_sum = sum(weights, ZERO)
    if amount < 0 or any(weight < 0 for weight in weights) or amount > weight_sum:
        raise ValueError("allocate_proportionally needs 0 <= amount <= sum(weights) and weights >= 0")
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        parts = [q(amount * weight / weight_sum) for weight in weights]
    remainder = amount - sum(parts, ZERO)
    for i in sorted(range(len(weights)), key=lambda i: (-weights[i], i)):
        if remainder == 0:
            break
        step = min(weights[i] - parts[i], remainder) if remainder > 0 else -min(parts[i], -remainder)
        parts[i] += step
        remainder -= step
    return parts


def discount_percent(priced: PricedCart) -> Decimal:
    """The whole discount as a percentage of the subtotal, rounded half up to two places."""
    if priced.subtotal == 0:
        return ZERO
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return q(priced.discount_total * HUNDRED / priced.subtotal)


def check_cashier_limits(
    priced: PricedCart, *, max_discount_percent: Decimal, overrides_present: bool, is_manager: bool
) -> None:
    """Refuse what only a manager may do: price overrides, and discounts above the cashier cap.

    The cap applies to each line's own discount (against the line subtotal) and to the whole
    discount of the sale (against the sale subtotal). A discount passes when it is at most the cap
    amount rounded half up to the cent, so "10 %" of 9.99 typed at the till (1.00) is allowed
    under a 10 % cap. The sale-level share of a line is not checked per line, so a sale discount
    whose cents land unevenly on the lines is never refused line by line.
    """
    if is_manager:
        return
    errors: list[ErrorDetail] = []
    cap = to_decimal(max_discount_percent)
    override_lines = [line for line in priced.lines if line.is_price_override]
    for line in override_lines:
        errors.append(
            ErrorDetail(
                code=SaleErrorCode.PRICE_OVERRIDE_NOT_ALLOWED,
                message="Only a manager can change a price.",
                field=f"items.{line.index}.unitPrice",
            )
        )
    if overrides_present and not override_lines:
        errors.append(
            ErrorDetail(
                code=SaleErrorCode.PRICE_OVERRIDE_NOT_ALLOWED,
                message="Only a manager can change a price.",
                field="items",
            )
        )
    line_refused = False
    for line in priced.lines:
        if line.line_discount > _cap_amount(cap, line.subtotal):
            line_refused = True
            errors.append(_discount_not_allowed(cap, field=f"items.{line.index}.discount"))
    if not line_refused and priced.discount_total > _cap_amount(cap, priced.subtotal):
        errors.append(_discount_not_allowed(cap, field="discount" if priced.sale_discount > 0 else "items"))
    if errors:
        raise DomainError.many(errors)


# --- internals -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _LineDraft:
    index: int
    source: PricedLineInput
    quantity: Decimal
    catalogue_unit_price: Decimal
    unit_price: Decimal
    tax_rate: Decimal
    subtotal: Decimal
    line_discount: Decimal


def _draft_line(index: int, line: PricedLineInput, errors: list[ErrorDetail]) -> _LineDraft | None:
    path = f"items.{index}"
    catalogue = _catalogue_price(line)
    tax_rate = _tax_rate(line)
    quantity = _collect(errors, parse_quantity, line.quantity, field=f"{path}.quantity")
    if quantity is not None:
        quantity = _collect(
            errors,
            check_quantity_precision,
            quantity,
            decimals=line.quantity_decimals,
            product_name=line.product_name,
            field=f"{path}.quantity",
        )
    unit_price = catalogue
    if line.unit_price_override is not None:
        unit_price = _collect(errors, parse_money, line.unit_price_override, field=f"{path}.unitPrice")
    line_discount = _collect(errors, parse_money, line.line_discount, field=f"{path}.discount")
    if quantity is None or unit_price is None or line_discount is None:
        return None
    subtotal = q(unit_price * quantity)
    if subtotal > MAX_MONEY:
        errors.append(ErrorDetail(ErrorCode.INVALID, "This line's total is too large.", f"{path}.quantity"))
        return None
    if subtotal == 0 and unit_price > 0:
        # Stock would leave the shelf for nothing: a quantity too small to cost a cent.
        errors.append(
            ErrorDetail(
                SaleErrorCode.LINE_TOTAL_ZERO,
                f"{format_quantity(quantity)} at {format_money(unit_price)} comes to 0.00; "
                "sell a quantity worth at least 0.01.",
                f"{path}.quantity",
                {"unit_price": format_money(unit_price)},
            )
        )
        return None
    if line_discount > subtotal:
        errors.append(
            ErrorDetail(
                ErrorCode.INVALID,
                f"The discount cannot be more than the line's subtotal, {format_money(subtotal)}.",
                f"{path}.discount",
                {"max": format_money(subtotal)},
            )
        )
        return None
    return _LineDraft(
        index=index,
        source=line,
        quantity=quantity,
        catalogue_unit_price=catalogue,
        unit_price=unit_price,
        tax_rate=tax_rate,
        subtotal=subtotal,
        line_discount=line_discount,
    )


def _finish_line(draft: _LineDraft, share: Decimal, prices_include_tax: bool) -> PricedLine:
    discount = draft.line_discount + share
    net = draft.subtotal - discount
    if prices_include_tax:
        tax = q(net * draft.tax_rate / (1 + draft.tax_rate))
        total = net
    else:
        tax = q(net * draft.tax_rate)
        total = net + tax
    return PricedLine(
        index=draft.index,
        product_id=draft.source.product_id,
        quantity=draft.quantity,
        catalogue_unit_price=draft.catalogue_unit_price,
        unit_price=draft.unit_price,
        is_price_override=draft.unit_price != draft.catalogue_unit_price,
        tax_rate=draft.tax_rate,
        subtotal=draft.subtotal,
        line_discount=draft.line_discount,
        sale_discount_share=share,
        discount=discount,
        tax=tax,
        total=total,
    )


def _catalogue_price(line: PricedLineInput) -> Decimal:
    """Catalogue data is trusted input: a bad value is a programming error, not a refusal."""
    price = to_decimal(line.catalogue_unit_price)
    if price < 0 or price != q(price):
        raise ValueError(f"catalogue price of product {line.product_id} must be >= 0 with two places")
    return q(price)


def _tax_rate(line: PricedLineInput) -> Decimal:
    rate = to_decimal(line.tax_rate)
    if not 0 <= rate <= 1:
        raise ValueError(f"tax rate of product {line.product_id} must be a fraction in [0, 1], got {rate}")
    return rate


def _cap_amount(cap_percent: Decimal, subtotal: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return q(subtotal * cap_percent / HUNDRED)


def _discount_not_allowed(cap: Decimal, *, field: str) -> ErrorDetail:
    return ErrorDetail(
        code=SaleErrorCode.DISCOUNT_NOT_ALLOWED,
        message=f"A discount above {cap.normalize():f} % needs a manager.",
        field=field,
        params={"max_percent": f"{cap.normalize():f}"},
    )


def _collect(errors: list[ErrorDetail], parse: Callable[..., _T], value: object, **kwargs: Any) -> _T | None:
    """Run one parser; keep its refusal in `errors` so every field error is reported at once."""
    try:
        return parse(value, **kwargs)
    except DomainError as exc:
        errors.extend(exc.errors)
        return None


def _max_items() -> int:
    from django.conf import settings

    return int(settings.MAX_SALE_ITEMS)
