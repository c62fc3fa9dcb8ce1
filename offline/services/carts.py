"""Park a cart on the server, resume it at any till of the same location, or discard it.

A parked cart is a note of intent, not a sale: it reserves no stock and fixes no price (the sale
made from it is priced and stock-checked by createSale when it is rung up). A cart parked longer
than POS_PARKED_CART_TTL_HOURS ago is expired: not listed and not resumable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from customers.models import Customer
from offline.error_codes import OfflineErrorCode
from offline.models import ParkedCart, ParkedCartLine
from offline.services.registers import active_register
from products import selectors as product_selectors
from products.models import Location, Product
from shared import clock
from shared.errors import DomainError, ErrorCode, ErrorDetail, check_length, not_found
from shared.money import parse_quantity
from shared.roles import Role, has_role
from tills.models import Register

MAX_CART_LINES = 200


@dataclass(frozen=True)
class CartLineInput:
    product_id: int
    quantity: Decimal


def expiry_cutoff(now: datetime | None = None) -> datetime:
    """Carts parked before this moment are expired."""
    return (now or clock.now()) - timedelta(hours=settings.POS_PARKED_CART_TTL_HOURS)


def _location(location_id: int | None, register: Register | None) -> Location:
    if register is not None:
        if location_id is not None and location_id != register.location_id:
            raise DomainError(
                OfflineErrorCode.CART_WRONG_LOCATION,
                f"{register.name} is not at that location.",
                field="locationId",
            )
        return register.location
    if location_id is None:
        return product_selectors.get_default_location()
    location = Location.objects.filter(pk=location_id, is_active=True).first()
    if location is None:
        raise not_found("Location", "locationId")
    return location


def _customer(customer_id: int | None) -> Customer | None:
    if customer_id is None:
        return None
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise not_found("Customer", "customerId")
    if customer.status == Customer.Status.ARCHIVED:
        raise DomainError(ErrorCode.INVALID, f"{customer.name} is archived.", field="customerId")
    return customer


def _lines(lines: list[CartLineInput]) -> list[tuple[int, Decimal]]:
    """Validated (product_id, quantity) pairs in the order given; every bad line reported at once."""
    if not lines:
        raise DomainError(ErrorCode.REQUIRED, "A parked cart needs at least one line.", field="lines")
    if len(lines) > MAX_CART_LINES:
        raise DomainError(ErrorCode.INVALID, f"A cart holds at most {MAX_CART_LINES} lines.", field="lines")
    products = Product.objects.in_bulk({line.product_id for line in lines})
    parsed, errors = [], []
    for index, line in enumerate(lines):
        product = products.get(line.product_id)
        if product is None or not product.is_active:
            errors.append(
                ErrorDetail(
                    code=ErrorCode.NOT_FOUND,
                    message="Product not found or archived.",
                    field=f"lines.{index}.productId",
                )
            )
            continue
        try:
            parsed.append((product.pk, parse_quantity(line.quantity, field=f"lines.{index}.quantity")))
        except DomainError as exc:
            errors.extend(exc.errors)
    if errors:
        raise DomainError.many(errors)
    return parsed


@transaction.atomic
def park_cart(
    *,
    user,
    lines: list[CartLineInput],
    register_id: int | None = None,
    location_id: int | None = None,
    customer_id: int | None = None,
    note: str = "",
) -> ParkedCart:
    """Hold a cart on the server at a location (the register's, else the given or default one)."""
    register = active_register(register_id)
    location = _location(location_id, register)
    customer = _customer(customer_id)
    parsed = _lines(lines)
    cart = ParkedCart(
        location=location,
        register=register,
        customer=customer,
        note=check_length((note or "").strip(), limit=500, field="note"),
        parked_by=user,
        parked_at=clock.now(),
    )
    cart.full_clean()
    cart.save()
    ParkedCartLine.objects.bulk_create(
        ParkedCartLine(cart=cart, position=position, product_id=product_id, quantity=quantity)
        for position, (product_id, quantity) in enumerate(parsed, start=1)
    )
    return cart


def _lock_parked(cart_id: int) -> ParkedCart:
    cart = ParkedCart.objects.select_for_update(of=("self",), no_key=True).filter(pk=cart_id).first()
    if cart is None:
        raise not_found("Parked cart", "cartId")
    if cart.status != ParkedCart.Status.PARKED:
        raise DomainError(
            OfflineErrorCode.CART_NOT_PARKED,
            f"This cart was already {cart.status.lower()}.",
            field="cartId",
        )
    return cart


@transaction.atomic
def resume_cart(*, user, cart_id: int, register_id: int | None = None) -> ParkedCart:
    """Take a parked cart back to a till of the same location; it can be resumed only once.

    Locks the cart row, so two tills resuming the same cart at once get it exactly once
    (the other is refused with CART_NOT_PARKED).
    """
    register = active_register(register_id)
    cart = _lock_parked(cart_id)
    now = clock.now()
    if cart.parked_at < expiry_cutoff(now):
        raise DomainError(
            OfflineErrorCode.CART_EXPIRED,
            "This parked cart has expired; ring the sale up again.",
            field="cartId",
        )
    if register is not None and register.location_id != cart.location_id:
        raise DomainError(
            OfflineErrorCode.CART_WRONG_LOCATION,
            "This cart was parked at another location.",
            field="registerId",
        )
    cart.status = ParkedCart.Status.RESUMED
    cart.closed_by = user
    cart.closed_at = now
    cart.resumed_register = register
    cart.save(update_fields=["status", "closed_by", "closed_at", "resumed_register"])
    return cart


@transaction.atomic
def discard_cart(*, user, cart_id: int) -> ParkedCart:
    """Throw a parked cart away (its parker, or a manager); expired carts may be discarded too."""
    cart = _lock_parked(cart_id)
    if cart.parked_by_id != user.pk and not has_role(user, Role.MANAGER):
        raise DomainError(
            OfflineErrorCode.NOT_YOUR_CART,
            "Only the cashier who parked it or a manager can discard it.",
            field="cartId",
        )
    cart.status = ParkedCart.Status.DISCARDED
    cart.closed_by = user
    cart.closed_at = clock.now()
    cart.save(update_fields=["status", "closed_by", "closed_at"])
    return cart
