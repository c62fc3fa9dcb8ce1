from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from offline import catalogue, services
from offline.models import Device
from tests.offline.till import SimulatedTill


def register_device(manager, name: str = "Front till tablet", register=None) -> services.RegisteredDevice:
    return services.register_device(user=manager, name=name, register_id=register.pk if register else None)


def park_cart(user, products, *, register=None, customer=None, note: str = ""):
    return services.park_cart(
        user=user,
        lines=[services.CartLineInput(product_id=p.pk, quantity=Decimal(qty)) for p, qty in products],
        register_id=register.pk if register else None,
        customer_id=customer.pk if customer else None,
        note=note,
    )


def sync_all(since=None, first=100):
    """Follow catalogue pages until hasMore is false; returns (pages, the last cursor)."""
    pages = []
    while True:
        page = catalogue.catalogue_changes(since=since, first=first)
        pages.append(page)
        since = page.next_cursor
        if not page.has_more:
            return pages, since


def make_till(manager, shop, *, register=None, products=("soap", "rice", "syrup")) -> SimulatedTill:
    """A simulated till on a new device that predates the tests' sales (an older sale is a wrong clock)."""
    device = register_device(manager, register=register).device
    Device.objects.filter(pk=device.pk).update(created_at=timezone.now() - timedelta(days=30))
    device.refresh_from_db()
    return SimulatedTill(
        device=device, prefix="T1", prices={shop[name].pk: shop[name].retail_price for name in products}
    )
