from datetime import timedelta
from decimal import Decimal

import pytest

from products import selectors, services
from products.models import Location
from tests.products.factories import BatchProductFactory, LocationFactory, ProductFactory


@pytest.fixture
def shop(db):
    """The default location (created by the data migration; recreated after a flush by
    transactional tests, which wipe migration data)."""
    location, _created = Location.objects.get_or_create(
        is_default=True, defaults={"name": "Main shop", "kind": Location.Kind.SHOP}
    )
    return location


@pytest.fixture
def store_room(db):
    return LocationFactory(name="Store room")


@pytest.fixture
def today():
    return selectors.today()


@pytest.fixture
def stocked(manager, shop):
    """`stocked(qty, cost=...)`: a plain product with `qty` received at the shop."""

    def make(quantity="10", unit_cost="4.00", location=None, **product_fields):
        product = ProductFactory(**product_fields)
        services.receive_stock(
            user=manager,
            product=product,
            location=location or shop,
            quantity=Decimal(quantity),
            unit_cost=Decimal(unit_cost),
        )
        product.refresh_from_db()
        return product

    return make


@pytest.fixture
def medicine(manager, shop, today):
    """A batch-tracked product with three batches at the shop: expired, soon, later."""
    product = BatchProductFactory()
    for number, days, qty, cost in (
        ("OLD", -1, "5", "1.00"),
        ("LATE", 200, "5", "3.00"),
        ("SOON", 10, "4", "2.00"),
    ):
        # OLD is received while still valid, then "ages" past its expiry below.
        batch_expiry = today + timedelta(days=5 if days < 0 else days)
        services.receive_stock(
            user=manager,
            product=product,
            location=shop,
            quantity=Decimal(qty),
            unit_cost=Decimal(cost),
            batch_number=number,
            expiry_date=batch_expiry,
        )
    # Age the OLD batch past its expiry (as time would).
    product.batches.filter(batch_number="OLD").update(expiry_date=today - timedelta(days=1))
    product.refresh_from_db()
    return product
