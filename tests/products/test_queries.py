"""Query counts: list and scan queries cost a fixed number of queries whatever the page size."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from products import services
from tests.products.factories import BatchProductFactory, CategoryFactory, ProductFactory, SupplierFactory

PRODUCTS_PAGE = """
query($first: Int) {
  products(first: $first) {
    totalCount
    edges { node {
      id sku name retailPrice stockQuantity
      category { name parent { name } }
      supplier { name }
      stockByLocation { quantity location { name } }
      batches { batchNumber expiryDate quantity isExpired location { name } }
    } }
  }
}"""
PRODUCT_BY_CODE = """
query($code: String!) { productByCode(code: $code) {
  sku stockQuantity category { name } stockByLocation { quantity location { name } } batches { batchNumber }
} }"""
# JWT user lookup + count + products + stock levels (with locations) + batches (with locations)
PINNED_PRODUCTS_QUERIES = 5
# JWT user lookup + product + stock levels + batches
PINNED_BY_CODE_QUERIES = 4


@pytest.fixture
def catalogue(manager, shop, store_room, today):
    parent = CategoryFactory(name="Health")
    category = CategoryFactory(name="Medicine", parent=parent)
    supplier = SupplierFactory()
    for n in range(12):
        factory = BatchProductFactory if n % 2 else ProductFactory
        product = factory(category=category, supplier=supplier)
        for location in (shop, store_room):
            services.receive_stock(
                user=manager,
                product=product,
                location=location,
                quantity=5,
                unit_cost=Decimal("1.00"),
                batch_number=f"B{n}" if product.track_batches else None,
                expiry_date=today + timedelta(days=n + 1) if product.track_batches else None,
            )


def count_queries(client, query, variables):
    with CaptureQueriesContext(connection) as captured:
        response = client(query, variables)
    assert not response.errors, response.errors
    return len(captured), response


@pytest.mark.parametrize("first", [1, 2, 10, 100])
def test_products_page_costs_a_fixed_number_of_queries(as_cashier, catalogue, first):
    as_cashier(PRODUCTS_PAGE, {"first": 1})  # warm caches (query parsing, content types)

    count, response = count_queries(as_cashier, PRODUCTS_PAGE, {"first": first})

    assert len(response.data["products"]["edges"]) == min(first, 12)
    assert count == PINNED_PRODUCTS_QUERIES


def test_products_page_pinned_with_django_assert_num_queries(
    as_cashier, catalogue, django_assert_num_queries
):
    as_cashier(PRODUCTS_PAGE, {"first": 1})

    with django_assert_num_queries(PINNED_PRODUCTS_QUERIES):
        response = as_cashier(PRODUCTS_PAGE, {"first": 100})

    nodes = [e["node"] for e in response.data["products"]["edges"]]
    assert len(nodes) == 12
    assert all(n["category"]["parent"]["name"] == "Health" for n in nodes)
    assert all(n["stockQuantity"] == "10" for n in nodes)
    assert sum(len(n["batches"]) for n in nodes) == 12  # 6 batch products x 2 locations


def test_product_by_code_is_a_fixed_number_of_queries(as_cashier, catalogue, django_assert_num_queries):
    product = BatchProductFactory(barcode="4006381333931")
    as_cashier(PRODUCT_BY_CODE, {"code": "warm-up"})

    with django_assert_num_queries(PINNED_BY_CODE_QUERIES):
        response = as_cashier(PRODUCT_BY_CODE, {"code": "4006381333931"})

    assert response.data["productByCode"]["sku"] == product.sku


def test_product_by_code_uses_unique_indexes(db):
    from products.models import Product

    unique_columns = {f.name for f in Product._meta.fields if f.unique}

    assert {"sku", "barcode"} <= unique_columns


TILL_SCAN = "query($code: String!) { productByCode(code: $code) { name retailPrice stockQuantity } }"


def test_till_scan_is_two_queries_and_counts_every_location(
    as_cashier, manager, shop, store_room, django_assert_num_queries
):
    product = ProductFactory(barcode="5000000000017")
    for location, quantity in ((shop, 3), (store_room, 4)):
        services.receive_stock(
            user=manager, product=product, location=location, quantity=quantity, unit_cost=Decimal("1.00")
        )
    as_cashier(TILL_SCAN, {"code": "warm-up"})

    # JWT user lookup + the product with its stock on hand: levels and batches are read only if asked
    with django_assert_num_queries(2):
        response = as_cashier(TILL_SCAN, {"code": "5000000000017"})

    assert response.data["productByCode"]["stockQuantity"] == "7"


def test_single_product_shows_only_live_batches_first_expiry_first(as_cashier, manager, shop, today):
    product = BatchProductFactory(barcode="5000000000024")
    for number, days, quantity in (("LATE", 90, 2), ("SOON", 10, 3), ("GONE", 5, 1)):
        services.receive_stock(
            user=manager,
            product=product,
            location=shop,
            quantity=quantity,
            unit_cost=Decimal("1.00"),
            batch_number=number,
            expiry_date=today + timedelta(days=days),
        )
    gone = product.batches.get(batch_number="GONE")
    services.adjust_stock(user=manager, product=product, location=shop, reason="broken", delta=-1, batch=gone)

    response = as_cashier(PRODUCT_BY_CODE, {"code": "5000000000024"})

    found = response.data["productByCode"]
    assert [b["batchNumber"] for b in found["batches"]] == ["SOON", "LATE"]
    assert found["stockQuantity"] == "5" and [s["quantity"] for s in found["stockByLocation"]] == ["5"]
