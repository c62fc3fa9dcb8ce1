"""Query counts: list and scan queries cost a fixed number of queries whatever the page size."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from products import services
from products.models import Category, Location, Supplier
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


# --- every other list of the catalogue and the stock ledger: 100 rows cost what 1 row costs --------


def _grow(client, query, build):
    """Queries for a page of 1 row, then for a page of 100 rows after `build(99)` added the rest."""
    one, first = count_queries(client, query, {"first": 1})
    build(99)
    hundred, response = count_queries(client, query, {"first": 100})
    return one, hundred, first, response


def _sql(client, query):
    with CaptureQueriesContext(connection) as captured:
        client(query, {"first": 100})
    return [q["sql"][:100] for q in captured.captured_queries]


CATEGORIES = """query($first: Int) { categories(first: $first) { totalCount edges { node {
  id name description parent { id name }
} } } }"""


def test_categories_list_costs_the_same_for_1_and_100_rows(as_cashier):
    parent = CategoryFactory(name="Top")

    def build(n):
        Category.objects.bulk_create(Category(name=f"Child {i:03d}", parent=parent) for i in range(n))

    one, hundred, first, page = _grow(as_cashier, CATEGORIES, build)

    assert first.data["categories"]["totalCount"] == 1
    nodes = [e["node"] for e in page.data["categories"]["edges"]]
    assert len(nodes) == 100 and sum(n["parent"] is not None for n in nodes) == 99
    # JWT user lookup + count + page (parent joined)
    assert (one, hundred) == (3, 3), _sql(as_cashier, CATEGORIES)


SUPPLIERS = """query($first: Int) { suppliers(first: $first) { totalCount edges { node {
  id name contactName phone email address isActive
} } } }"""


def test_suppliers_list_costs_the_same_for_1_and_100_rows(as_cashier):
    SupplierFactory()

    def build(n):
        Supplier.objects.bulk_create(Supplier(name=f"Wholesaler {i:03d}", phone="0800") for i in range(n))

    one, hundred, _first, page = _grow(as_cashier, SUPPLIERS, build)

    assert len(page.data["suppliers"]["edges"]) == 100
    # JWT user lookup + count + page
    assert (one, hundred) == (3, 3), _sql(as_cashier, SUPPLIERS)


LOCATIONS = """query($first: Int) { locations(first: $first) { totalCount edges { node {
  id name kind address isDefault isActive
} } } }"""


def test_locations_list_costs_the_same_for_1_and_100_rows(as_cashier, shop):
    def build(n):
        Location.objects.bulk_create(
            Location(name=f"Store room {i:03d}", kind=Location.Kind.STOCK_ROOM) for i in range(n)
        )

    one, hundred, first, page = _grow(as_cashier, LOCATIONS, build)

    assert first.data["locations"]["edges"][0]["node"]["isDefault"] is True  # the shop comes first
    assert page.data["locations"]["totalCount"] == 100
    # JWT user lookup + count + page
    assert (one, hundred) == (3, 3), _sql(as_cashier, LOCATIONS)


STOCK_MOVEMENTS = """query($first: Int) { stockMovements(first: $first) { totalCount edges { node {
  id movementType quantity balanceAfter unitCost affectsStock reason referenceType referenceId reference
  createdAt
  product { id sku name }
  location { id name }
  batch { batchNumber expiryDate }
  user { username }
} } } }"""


def test_stock_movements_list_costs_the_same_for_1_and_100_rows(as_manager, manager, shop, store_room, today):
    def receive(products):
        receipts = [
            services.Receipt(
                product=p,
                location=shop if i % 2 else store_room,
                quantity=Decimal("3"),
                unit_cost=Decimal("1.50"),
                batch_number=f"L{p.pk}" if p.track_batches else None,
                expiry_date=today + timedelta(days=60) if p.track_batches else None,
            )
            for i, p in enumerate(products)
        ]
        services.receive_stock_many(user=manager, receipts=receipts)

    receive([BatchProductFactory()])

    def build(n):
        receive([(BatchProductFactory if i % 2 else ProductFactory)() for i in range(n)])

    one, hundred, _first, page = _grow(as_manager, STOCK_MOVEMENTS, build)

    nodes = [e["node"] for e in page.data["stockMovements"]["edges"]]
    assert len(nodes) == 100 and all(n["user"]["username"] == "manager" for n in nodes)
    assert sum(n["batch"] is not None for n in nodes) == 50
    assert {n["location"]["name"] for n in nodes} == {shop.name, store_room.name}
    # JWT user lookup + count + page (product, location, batch and user joined)
    assert (one, hundred) == (3, 3), _sql(as_manager, STOCK_MOVEMENTS)


LOW_STOCK = """query($first: Int) { lowStockProducts(first: $first) { totalCount edges { node {
  id sku name stockQuantity reorderLevel retailPrice
  category { name parent { name } }
  supplier { name }
  stockByLocation { quantity location { name } }
  batches { batchNumber expiryDate quantity location { name } }
} } } }"""


def test_low_stock_products_list_costs_the_same_for_1_and_100_rows(as_manager, manager, shop, today):
    parent = CategoryFactory(name="Household")
    category = CategoryFactory(name="Cleaning", parent=parent)
    supplier = SupplierFactory()

    def low(n):
        products = [
            (BatchProductFactory if i % 2 else ProductFactory)(
                category=category, supplier=supplier, reorder_level=Decimal("5")
            )
            for i in range(n)
        ]
        receipts = [
            services.Receipt(
                product=p,
                location=shop,
                quantity=Decimal("2"),
                unit_cost=Decimal("1.00"),
                batch_number="LOW" if p.track_batches else None,
                expiry_date=today + timedelta(days=90) if p.track_batches else None,
            )
            for p in products
        ]
        services.receive_stock_many(user=manager, receipts=receipts)

    low(1)
    plenty = ProductFactory(reorder_level=Decimal("5"))  # above its reorder level: not listed
    services.receive_stock(
        user=manager, product=plenty, location=shop, quantity=Decimal("10"), unit_cost=Decimal("1.00")
    )

    one, hundred, first, page = _grow(as_manager, LOW_STOCK, low)

    assert first.data["lowStockProducts"]["totalCount"] == 1
    nodes = [e["node"] for e in page.data["lowStockProducts"]["edges"]]
    assert len(nodes) == 100 and all(n["stockQuantity"] == "2" for n in nodes)
    assert all(n["category"]["parent"]["name"] == "Household" for n in nodes)
    assert sum(len(n["batches"]) for n in nodes) == 49  # every other product of the 99 added
    # JWT user lookup + count + page (category, parent, supplier joined) + stock levels (locations
    # joined) + batches (locations joined)
    assert (one, hundred) == (5, 5), _sql(as_manager, LOW_STOCK)


EXPIRING = """query($first: Int) { expiringBatches(first: $first, withinDays: 30) { totalCount edges { node {
  id batchNumber expiryDate daysToExpiry isExpired quantity unitCost receivedAt
  product { id sku name }
  location { name }
} } } }"""


def test_expiring_batches_list_costs_the_same_for_1_and_100_rows(
    as_manager, manager, shop, store_room, today
):
    def expiring(n):
        receipts = [
            services.Receipt(
                product=BatchProductFactory(),
                location=store_room if i % 2 else shop,
                quantity=Decimal("4"),
                unit_cost=Decimal("2.00"),
                batch_number=f"EXP{i}",
                expiry_date=today + timedelta(days=1 + i % 30),
            )
            for i in range(n)
        ]
        services.receive_stock_many(user=manager, receipts=receipts)

    expiring(1)
    services.receive_stock(  # expires too late to be listed
        user=manager,
        product=BatchProductFactory(),
        location=shop,
        quantity=Decimal("4"),
        unit_cost=Decimal("2.00"),
        batch_number="LATE",
        expiry_date=today + timedelta(days=365),
    )

    one, hundred, first, page = _grow(as_manager, EXPIRING, expiring)

    assert first.data["expiringBatches"]["totalCount"] == 1
    nodes = [e["node"] for e in page.data["expiringBatches"]["edges"]]
    assert len(nodes) == 100 and "LATE" not in {n["batchNumber"] for n in nodes}
    assert {n["location"]["name"] for n in nodes} == {shop.name, store_room.name}
    # JWT user lookup + count + page (product and location joined)
    assert (one, hundred) == (3, 3), _sql(as_manager, EXPIRING)


SEARCH_BOX = """query($first: Int) { products(first: $first) { totalCount edges { node {
  name retailPrice stockQuantity } } } }"""
WITH_FRAGMENT = """query($first: Int) { products(first: $first) { edges { ...row } } }
fragment row on ProductEdge { node { sku ... on Product { batches { batchNumber } } } }"""


@pytest.mark.parametrize("first", [1, 100])
def test_search_box_page_loads_no_relations_it_does_not_show(as_cashier, catalogue, first):
    as_cashier(SEARCH_BOX, {"first": 1})

    count, response = count_queries(as_cashier, SEARCH_BOX, {"first": first})

    # JWT user lookup + count + the page with each product's stock on hand (all locations)
    assert count == 3
    assert all(e["node"]["stockQuantity"] == "10" for e in response.data["products"]["edges"])


def test_relations_asked_through_fragments_are_still_preloaded(as_cashier, catalogue):
    as_cashier(WITH_FRAGMENT, {"first": 1})

    count, response = count_queries(as_cashier, WITH_FRAGMENT, {"first": 100})

    # JWT user lookup + page + batches: one query for every row's batches, not one per row; no count,
    # as totalCount is not selected (4 before issue 15)
    assert count == 3
    assert sum(len(e["node"]["batches"]) for e in response.data["products"]["edges"]) == 12


def test_stock_at_one_location_on_a_page_is_preloaded(as_cashier, catalogue, shop):
    query = """query($first: Int, $loc: ID) { products(first: $first) { edges { node {
      stockQuantity(locationId: $loc) } } } }"""
    variables = {"first": 100, "loc": str(shop.pk)}
    as_cashier(query, variables)

    count, response = count_queries(as_cashier, query, variables)

    assert count == 3  # JWT user lookup + page + stock levels, once; no count: totalCount not selected
    assert {e["node"]["stockQuantity"] for e in response.data["products"]["edges"]} == {"5"}


def test_scan_joins_category_and_supplier_only_when_asked(as_cashier, catalogue):
    product = ProductFactory(barcode="5000000000031", category=CategoryFactory(parent=CategoryFactory()))
    detailed = """query($code: String!) { productByCode(code: $code) {
      name category { name parent { name } } supplier { name } } }"""
    as_cashier(TILL_SCAN, {"code": "warm-up"})

    plain_count, _ = count_queries(as_cashier, TILL_SCAN, {"code": "5000000000031"})
    with CaptureQueriesContext(connection) as plain:
        as_cashier(TILL_SCAN, {"code": "5000000000031"})
    detailed_count, response = count_queries(as_cashier, detailed, {"code": "5000000000031"})

    assert plain_count == detailed_count == 2  # JWT user lookup + the product (joined or not)
    assert "products_category" not in plain.captured_queries[-1]["sql"]
    found = response.data["productByCode"]
    assert found["category"]["parent"]["name"] == product.category.parent.name
    assert found["supplier"] == ({"name": product.supplier.name} if product.supplier else None)


@pytest.mark.postgres
def test_every_branch_of_the_search_has_an_index_on_postgresql(db):
    # The search is name ILIKE OR upper(sku) = OR barcode =: one unindexed branch and PostgreSQL
    # reads every product (and this is the cashier's search-as-you-type box).
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'products_product'")
        definitions = {name: definition for name, definition in cursor.fetchall()}

    assert "gin_trgm_ops" in definitions["product_name_trgm_idx"]
    assert "upper((sku)::text)" in definitions["product_sku_upper_idx"]
    assert any("(barcode)" in d and "UNIQUE" in d for d in definitions.values())


def test_stock_movements_page_without_relations_or_total_count_reads_only_the_movements(
    as_manager, manager, shop
):
    for p in ProductFactory.create_batch(3):
        services.receive_stock_many(
            user=manager,
            receipts=[
                services.Receipt(product=p, location=shop, quantity=Decimal("2"), unit_cost=Decimal("1.00"))
            ],
        )

    with CaptureQueriesContext(connection) as captured:
        page = as_manager(
            "{ stockMovements(first: 2) { edges { node { movementType quantity } } pageInfo { hasNextPage } } }"
        ).payload("stockMovements")
    sql = [q["sql"] for q in captured.captured_queries]

    # auth user + page: no count, nothing joined
    assert len(sql) == 2, sql
    assert "JOIN" not in sql[-1] and "COUNT" not in sql[-1]
    assert (len(page["edges"]), page["pageInfo"]["hasNextPage"]) == (2, True)
