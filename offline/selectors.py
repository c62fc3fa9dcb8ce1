"""Reads of the offline app: devices (managers), the parked carts still resumable, sync exceptions."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from customers.selectors import CustomerPages, customer_prefetch
from offline.models import Device, ParkedCart, ParkedCartLine, SyncException
from offline.services.carts import expiry_cutoff
from products.selectors import get_default_location


def list_devices(*, include_revoked: bool = False, register_id: int | None = None) -> QuerySet[Device]:
    """Devices by name, with their register and location; revoked ones only when asked for."""
    devices = Device.objects.select_related("register__location", "registered_by", "revoked_by")
    if not include_revoked:
        devices = devices.filter(revoked_at__isnull=True)
    if register_id is not None:
        devices = devices.filter(register_id=register_id)
    return devices


def device_sale_location_id(*, device: Device) -> int:
    """The location a device's synced sales draw from: its register's, else the default location."""
    return device.register.location_id if device.register_id else get_default_location().pk


def _cart_lines() -> Prefetch:
    return Prefetch("lines", queryset=ParkedCartLine.objects.select_related("product").order_by("position"))


def list_parked_carts(
    *, location_id: int | None = None, customer_pages: CustomerPages | None = None
) -> QuerySet[ParkedCart]:
    """Carts still parked and not expired, newest first, with their lines and products.

    `customer_pages`: the pages of each cart's customer's ledger and sales the list shows: the
    customers are then read with them (customers.selectors.customer_prefetch) instead of joined.
    """
    carts = (
        ParkedCart.objects.filter(status=ParkedCart.Status.PARKED, parked_at__gte=expiry_cutoff())
        .select_related("location", "register", "parked_by")
        .prefetch_related(_cart_lines())
    )
    if customer_pages:  # a join would stop the prefetch
        carts = carts.prefetch_related(customer_prefetch(through="customer", pages=customer_pages))
    else:
        carts = carts.select_related("customer")
    if location_id is not None:
        carts = carts.filter(location_id=location_id)
    return carts


def get_cart_with_lines(*, cart_id: int) -> ParkedCart | None:
    """One cart (any status) shaped like the list, for a mutation payload."""
    return (
        ParkedCart.objects.select_related("location", "register", "customer", "parked_by")
        .prefetch_related(_cart_lines())
        .filter(pk=cart_id)
        .first()
    )


def _exceptions() -> QuerySet[SyncException]:
    return SyncException.objects.select_related(
        "sale_sync__device",
        "sale_sync__sale",
        "discrepancy__product",
        "discrepancy__location",
        "resolved_by",
    )


def list_sync_exceptions(*, status: str | None = None, kind: str | None = None) -> QuerySet[SyncException]:
    """Exceptions raised by offline sales, newest first, with their sale, device and discrepancy."""
    exceptions = _exceptions()
    if status:
        exceptions = exceptions.filter(status=status)
    if kind:
        exceptions = exceptions.filter(kind=kind)
    return exceptions.order_by("-created_at", "-pk")


def get_sync_exception(*, exception_id: int) -> SyncException | None:
    """One exception shaped like the list, for a mutation payload."""
    return _exceptions().filter(pk=exception_id).first()
