"""Query budgets: a page of purchase orders or stocktakes costs the same for 2 rows as for 10."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from products import services as product_services
from purchasing import services
from tests.products.factories import LocationFactory, ProductFactory, SupplierFactory
from tests.purchasing.factories import D, ordered, receive

pytestmark = pytest.mark.django_db

ORDERS = """{ purchaseOrders(first: 50) { totalCount edges { node {
  id number status total expectedOn note orderedAt createdAt
  supplier { name } location { name } createdBy { username } orderedBy { username }
  lines { id quantity unitCost receivedQuantity outstandingQuantity lineTotal product { sku name } }
  receipts { id supplierInvoice landedCost createdAt receivedBy { username }
    lines { lineId quantity unitCost invoiceUnitCost landedCostAmount priceVarianceAmount batchNumber
      product { sku } } }
} } } }"""
STOCKTAKES = """{ stocktakes(first: 50) { totalCount edges { node {
  id label status scope uncounted createdAt finalizedAt
  location { name } category { name } startedBy { username } finalizedBy { username }
  counts { counted quantityAtCount lastMovementId product { sku } batch { batchNumber } countedBy { username } }
  lines { counted difference varianceAmount product { sku } batch { batchNumber } movement { id } }
} } } }"""


def _orders(manager, n):
    """`n` orders of two lines, each with one delivery of part of both lines."""
    for _ in range(n):
        purchase_order = ordered(
            manager, lines=[(ProductFactory(), "10", "2.00"), (ProductFactory(), "5", "1.00")]
        )
        first, second = purchase_order.lines.order_by("pk")
        receive(manager, purchase_order, [(first, "4"), (second, "5")], landed_cost=D("1.00"))


def _stocktakes(manager, location, n):
    for _ in range(n):
        products = [ProductFactory(), ProductFactory()]
        for product in products:
            product_services.receive_stock(
                user=manager, product=product, location=location, quantity=D("5"), unit_cost=D("1.00")
            )
        stocktake = services.start_stocktake(
            user=manager, scope="products", product_ids=[p.pk for p in products]
        )
        for product in products:
            services.record_count(
                user=manager, stocktake_id=stocktake.pk, product_id=product.pk, counted=D("4")
            )
        services.finalize_stocktake(user=manager, stocktake_id=stocktake.pk, uncounted="leave")


def _count(client, query, name):
    with CaptureQueriesContext(connection) as captured:
        page = client(query).payload(name)
    return len(captured), page


def test_purchase_orders_list_costs_the_same_for_2_and_10_orders(as_manager, manager, location):
    _orders(manager, 2)
    two, first = _count(as_manager, ORDERS, "purchaseOrders")

    _orders(manager, 8)
    ten, page = _count(as_manager, ORDERS, "purchaseOrders")

    assert (first["totalCount"], page["totalCount"]) == (2, 10)
    nodes = [edge["node"] for edge in page["edges"]]
    assert all(n["status"] == "PARTIALLY_RECEIVED" and len(n["receipts"][0]["lines"]) == 2 for n in nodes)
    # auth user + count + page (supplier, location, created_by, ordered_by joined) + lines (products
    # joined) + receipts (received_by joined) + receipt lines (order lines and products joined)
    assert (two, ten) == (6, 6)


def test_stocktakes_list_costs_the_same_for_2_and_10_stocktakes(as_manager, manager, location):
    _stocktakes(manager, location, 2)
    two, first = _count(as_manager, STOCKTAKES, "stocktakes")

    _stocktakes(manager, location, 8)
    ten, page = _count(as_manager, STOCKTAKES, "stocktakes")

    assert (first["totalCount"], page["totalCount"]) == (2, 10)
    assert all(len(edge["node"]["lines"]) == 2 for edge in page["edges"])
    # auth user + count + page (location, category, users joined) + counts + lines
    assert (two, ten) == (5, 5)


TRANSFERS = """{ stockTransfers(first: 50) { totalCount edges { node {
  id label status fromLocation { name } toLocation { name } sentBy { username } receivedBy { username }
  lines { quantitySent quantityReceived discrepancy value product { sku } batch { batchNumber } }
} } } }"""
SUPPLIER_RETURNS = """{ supplierReturns(first: 50) { totalCount edges { node {
  id label creditExpectedAmount supplier { name } location { name } createdBy { username }
  lines { quantity creditAmount reason product { sku } batch { batchNumber } }
} } } }"""


def _transfers_and_returns(manager, location, n):
    for _ in range(n):
        products = [ProductFactory(), ProductFactory()]
        for product in products:
            product_services.receive_stock(
                user=manager, product=product, location=location, quantity=D("5"), unit_cost=D("1.00")
            )
        services.send_transfer(
            user=manager,
            from_location_id=None,
            to_location_id=LocationFactory().pk,
            lines=[services.TransferLineRequest(p.pk, D("1")) for p in products],
        )
        services.return_to_supplier(
            user=manager,
            supplier_id=SupplierFactory().pk,
            lines=[services.SupplierReturnLineRequest(p.pk, D("1"), "damaged") for p in products],
        )


def test_transfers_and_supplier_returns_lists_cost_the_same_for_2_and_10_rows(as_manager, manager, location):
    _transfers_and_returns(manager, location, 2)
    two = [
        _count(as_manager, TRANSFERS, "stockTransfers")[0],
        _count(as_manager, SUPPLIER_RETURNS, "supplierReturns")[0],
    ]

    _transfers_and_returns(manager, location, 8)
    transfers, transfer_page = _count(as_manager, TRANSFERS, "stockTransfers")
    returns, return_page = _count(as_manager, SUPPLIER_RETURNS, "supplierReturns")

    assert (transfer_page["totalCount"], return_page["totalCount"]) == (10, 10)
    # auth user + count + page (locations and users joined) + lines (products and batches joined)
    assert two == [transfers, returns] == [4, 4]


REORDER = "{ reorderSuggestions { product { sku name } supplier { name } onHand onOrder suggestedQuantity } }"


def _low_products(manager, location, n):
    for _ in range(n):
        product = ProductFactory(supplier=SupplierFactory(), reorder_level=D("10"))
        product_services.receive_stock(
            user=manager, product=product, location=location, quantity=D("1"), unit_cost=D("1.00")
        )


def test_reorder_suggestions_cost_the_same_for_2_and_10_products(as_manager, manager, location):
    _low_products(manager, location, 2)
    two, first = _count(as_manager, REORDER, "reorderSuggestions")

    _low_products(manager, location, 8)
    ten, rows = _count(as_manager, REORDER, "reorderSuggestions")

    assert (len(first), len(rows)) == (2, 10)
    # auth user + default location + the figures (one statement) + their products (suppliers joined)
    assert (two, ten) == (4, 4)
