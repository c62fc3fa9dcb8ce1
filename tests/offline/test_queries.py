"""Query budgets of the offline lists: a page costs the same for 2 and 10 rows."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Customer
from offline.models import ParkedCart
from tests.customers.test_queries import _post_entries
from tests.factories import CustomerFactory
from tests.offline.factories import park_cart, register_device
from tests.shop import make_product
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


CARTS_WITH_CUSTOMER_PAGES = """query { parkedCarts(first: 20) { edges { node { note
  customer { name ledger(first: 2) { totalCount edges { node { entryType } } } sales(first: 1) { edges { node { id } } } }
} } } }"""


def test_parked_carts_showing_their_customers_pages_cost_the_same_for_2_and_10_carts(
    as_manager, manager, shop
):
    make_rows(manager, shop, 2, 0)
    few = count(as_manager, CARTS_WITH_CUSTOMER_PAGES, "parkedCarts")
    make_rows(manager, shop, 8, 2)
    newest = ParkedCart.objects.order_by("-parked_at", "-pk").first().customer
    Customer.objects.filter(pk=newest.pk).update(credit_limit=Decimal("100.00"))
    _post_entries(newest, [manager], 3)
    with CaptureQueriesContext(connection) as captured:
        page = as_manager(CARTS_WITH_CUSTOMER_PAGES).payload("parkedCarts")

    customers = {edge["node"]["customer"]["name"]: edge["node"]["customer"] for edge in page["edges"]}
    assert len(customers) == 10
    assert [c["ledger"]["totalCount"] for c in customers.values()].count(0) == 9
    assert customers[newest.name]["ledger"]["totalCount"] == 3
    assert len(customers[newest.name]["ledger"]["edges"]) == 2
    # Pinned: auth user, count, page, the lines with their products, the customers (the ledger count
    # a subquery), their ledger pages and their sales pages (was 2 more per cart).
    assert few == len(captured) == 7, [q["sql"][:100] for q in captured.captured_queries]


DEVICE_LOCATIONS = "query { devices(first: 20) { edges { node { name saleLocationId } } } }"


def test_devices_sale_location_costs_one_query_for_2_and_10_devices_without_register(
    as_manager, manager, shop
):
    for i in range(2):
        register_device(manager, f"Tablet {i}")
    few = count(as_manager, DEVICE_LOCATIONS, "devices")
    for i in range(2, 10):
        register_device(manager, f"Tablet {i}")
    many = count(as_manager, DEVICE_LOCATIONS, "devices")

    # Pinned: auth user, count, page, and the default location once for the whole page.
    assert few == many == 4


SYNC = """query($since: String) { catalogueChanges(since: $since, first: 100) { nextCursor hasMore
  products { sku retailPrice } stockLevels { quantity } customers { name allowedOnAccount } } }"""


def _sync_cost(client, credential, since):
    with CaptureQueriesContext(connection) as captured:
        page = client(SYNC, {"since": since}, HTTP_X_POS_DEVICE=credential).payload("catalogueChanges")
    # PostgreSQL only: BEGIN/COMMIT of the read's transaction (it goes to the primary) and the horizon.
    extras = ("BEGIN", "COMMIT", "\nWITH snap")
    return len([q for q in captured.captured_queries if not q["sql"].startswith(extras)]), page["nextCursor"]


@pytest.mark.django_db(transaction=True)
def test_catalogue_delta_costs_the_same_for_2_and_10_changes(as_manager, manager, shop):
    credential = register_device(manager).credential
    since = None
    while True:
        page = as_manager(SYNC, {"since": since}, HTTP_X_POS_DEVICE=credential).payload("catalogueChanges")
        since = page["nextCursor"]
        if not page["hasMore"]:
            break

    def change(n):
        for _ in range(n):
            CustomerFactory()
            make_product(manager, f"P{CustomerFactory().pk}", qty="1")

    change(2)
    few, since = _sync_cost(as_manager, credential, since)
    change(10)
    many, _since = _sync_cost(as_manager, credential, since)

    # Pinned: auth user, device, change-log page, one query each for the products, stock levels and
    # customers it names, then the prune mark (read after the page; see catalogue._check_not_pruned).
    assert few == many == 7
