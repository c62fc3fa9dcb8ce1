"""Query budgets of the offline lists: a page costs the same for 2 and 10 rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CustomerFactory
from tests.offline.factories import park_cart, register_device
from tests.tills.factories import make_register

pytestmark = pytest.mark.django_db
DEVICES = """query { devices(first: 20) { totalCount edges { node { name credentialPrefix isRevoked
  register { name location { name } } registeredBy { username } } } } }"""
CARTS = """query { parkedCarts(first: 20) { totalCount edges { node { note expiresAt location { name }
  register { name } customer { name } parkedBy { username } lines { quantity product { name sku } } } } } }"""


def count(client, query, name):
    with CaptureQueriesContext(connection) as captured:
        client(query).payload(name)
    return len(captured)


def make_rows(manager, shop, n, offset):
    for i in range(offset, offset + n):
        register = make_register(manager, f"Till {i}")
        register_device(manager, f"Tablet {i}", register=register)
        park_cart(
            manager, [(shop["soap"], "1"), (shop["rice"], "2")], register=register, customer=CustomerFactory()
        )


def test_devices_and_parked_carts_pages_cost_the_same_for_2_and_10_rows(as_manager, manager, shop):
    make_rows(manager, shop, 2, 0)
    few = (count(as_manager, DEVICES, "devices"), count(as_manager, CARTS, "parkedCarts"))
    make_rows(manager, shop, 8, 2)
    many = (count(as_manager, DEVICES, "devices"), count(as_manager, CARTS, "parkedCarts"))

    # Pinned: auth user, count, page (devices joined to register, location, registrar; carts joined to
    # location, register, customer, parker) and, for carts, one prefetch of the lines with their products.
    assert few == many == (3, 4)
