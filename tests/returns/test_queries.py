"""Query budgets: a page of 100 returns, with their lines, costs what a page of 1 costs."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from products.services import stock
from returns import services
from returns.models import Return
from returns.services import ReturnLineRequest
from tests.customers.test_queries import _post_entries
from tests.returns.test_services import sell
from tests.shop import make_product

pytestmark = pytest.mark.django_db
RETURNS = """query($n: Int!) { returns(first: $n) { totalCount edges { node {
  id returnNumber status refundMethod refundTotal cashRefundAmount creditRefundAmount debtReductionAmount
  requestedAt decidedAt note decisionNote
  sale { id transactionId createdAt total cashier { username } location { name } customer { name } }
  exchangeSale { transactionId }
  customer { name }
  requestedBy { username }
  decidedBy { username }
  items { id quantity refundAmount reason restock saleItem {
    id quantity unitPrice product { id sku name } batches { quantity }
  } }
} } } }"""


@pytest.fixture
def two_sales(manager, cashier, shop):
    """A walk-in sale and a sale to a known customer, each of 100 tea and 100 batch-tracked sugar."""
    tea = make_product(manager, "TEA", name="Tea", qty="500")
    sugar = make_product(manager, "SUGAR", name="Sugar", price="5.00", track_batches=True, qty=None)
    stock.receive_stock(
        user=manager,
        product=sugar,
        location=None,
        quantity=Decimal("500"),
        unit_cost=Decimal("3.00"),
        batch_number="SUGAR-1",
        expiry_date=timezone.localdate() + timedelta(days=365),
    )
    lines = [(tea, "100"), (sugar, "100")]
    return [
        sell(cashier, lines, [("cash", "1500.00")]),
        sell(cashier, lines, [("cash", "1500.00")], customer_id=shop["regular"].pk),
    ]


def _returns(sales, cashier, manager, n):
    """`n` two-line returns over both sales: by turns pending, approved and rejected."""
    for i in range(n):
        sale = sales[i % 2]
        ret = services.create_return(
            user=cashier,
            sale_id=sale.pk,
            lines=[ReturnLineRequest(item.pk, Decimal("1"), reason="faulty") for item in sale.items.all()],
            refund_method="cash",
        )
        if i % 3 == 1:
            services.approve_return(user=manager, return_id=ret.pk)
        elif i % 3 == 2:
            services.reject_return(user=manager, return_id=ret.pk, reason="opened")
    # Returns against the walk-in sale link the other sale as if it were their exchange: only the
    # link matters to the query count, and real exchanges cost a sale each to build.
    Return.objects.filter(sale=sales[0]).update(exchange_sale=sales[1])


def _count(client):
    with CaptureQueriesContext(connection) as captured:
        page = client(RETURNS, {"n": 100}).payload("returns")
    return len(captured), page, [q["sql"][:100] for q in captured.captured_queries]


def test_returns_list_costs_the_same_for_1_and_100_returns(as_manager, two_sales, cashier, manager):
    _returns(two_sales, cashier, manager, 1)
    one, first, _ = _count(as_manager)

    _returns(two_sales, cashier, manager, 99)
    hundred, page, sql = _count(as_manager)

    assert (first["totalCount"], page["totalCount"], len(page["edges"])) == (1, 100, 100)
    nodes = [e["node"] for e in page["edges"]]
    assert {n["status"] for n in nodes} == {"PENDING", "APPROVED", "REJECTED"}
    assert sum(n["customer"] is not None for n in nodes) == 49
    assert sum(n["decidedBy"] is not None for n in nodes) == 66
    assert sum(n["exchangeSale"] is not None for n in nodes) == 51
    assert all(n["sale"]["cashier"]["username"] == "cashier" for n in nodes)
    assert all(
        [[b["quantity"] for b in i["saleItem"]["batches"]] for i in n["items"]] == [["100"], ["100"]]
        for n in nodes
    )
    assert all(
        [i["saleItem"]["product"]["name"] for i in n["items"]] == ["Tea", "Sugar"]
        and n["refundTotal"] == "15.00"
        for n in nodes
    )
    # auth user + count + page (sale with its cashier, location and customer, exchange sale,
    # customer, requested_by and decided_by joined) + items (sale items and their products joined)
    # + the sale items' batch draws
    assert (one, hundred) == (5, 5), sql


def test_returns_page_selecting_numbers_and_totals_reads_only_the_returns(
    as_manager, two_sales, cashier, manager
):
    _returns(two_sales, cashier, manager, 3)

    with CaptureQueriesContext(connection) as captured:
        page = as_manager(
            "{ returns(first: 2) { edges { node { returnNumber refundTotal } } pageInfo { hasNextPage } } }"
        ).payload("returns")
    sql = [q["sql"] for q in captured.captured_queries]
    _, full, _ = _count(as_manager)

    # auth user, the page: no count, no joins, no lines
    assert len(sql) == 2, sql
    assert "COUNT" not in sql[-1] and "JOIN" not in sql[-1]
    assert page["edges"] == [
        {"node": {"returnNumber": e["node"]["returnNumber"], "refundTotal": "15.00"}}
        for e in full["edges"][:2]
    ]
    assert page["pageInfo"]["hasNextPage"] is True


RETURNS_WITH_SALES = """query($n: Int!) { returns(first: $n) { edges { node { returnNumber
  sale { transactionId items { quantity product { name } } payments { method amount } }
  exchangeSale { transactionId items { quantity } }
} } } }"""


def test_returns_list_with_their_sales_lines_costs_the_same_for_1_and_20_returns(
    as_manager, two_sales, cashier, manager
):
    _returns(two_sales, cashier, manager, 20)

    with CaptureQueriesContext(connection) as one:
        first = as_manager(RETURNS_WITH_SALES, {"n": 1}).payload("returns")
    with CaptureQueriesContext(connection) as twenty:
        page = as_manager(RETURNS_WITH_SALES, {"n": 20}).payload("returns")

    nodes = [e["node"] for e in page["edges"]]
    assert len(first["edges"]) == 1 and len(nodes) == 20
    assert all([i["product"]["name"] for i in n["sale"]["items"]] == ["Tea", "Sugar"] for n in nodes)
    assert all(n["sale"]["payments"] == [{"method": "cash", "amount": "1500.00"}] for n in nodes)
    assert sum(n["exchangeSale"] is not None and len(n["exchangeSale"]["items"]) == 2 for n in nodes) == 10
    # auth user + page (sale and exchange sale joined) + the sales' items (products joined) + their
    # payments + the exchange sales' items (was 3 more per return)
    assert len(one) == len(twenty) == 5, [q["sql"][:100] for q in twenty.captured_queries]


SALES_WITH_RETURNS = """query($n: Int!) { sales(first: $n) { edges { node { transactionId
  returns { returnNumber status requestedBy { username } items { quantity saleItem { product { name } } } }
} } } }"""


def test_sales_list_with_their_returns_and_lines_costs_the_same_for_1_and_2_sales(
    as_manager, two_sales, cashier, manager
):
    _returns(two_sales, cashier, manager, 12)

    with CaptureQueriesContext(connection) as one:
        first = as_manager(SALES_WITH_RETURNS, {"n": 1}).payload("sales")
    with CaptureQueriesContext(connection) as both:
        page = as_manager(SALES_WITH_RETURNS, {"n": 2}).payload("sales")

    assert [len(e["node"]["returns"]) for e in first["edges"]] == [6]
    assert [len(e["node"]["returns"]) for e in page["edges"]] == [6, 6]
    assert all(
        r["requestedBy"]["username"] == "cashier"
        and [i["saleItem"]["product"]["name"] for i in r["items"]] == ["Tea", "Sugar"]
        for e in page["edges"]
        for r in e["node"]["returns"]
    )
    # auth user + page + returns + their requesters + their items + the items' sale lines + those
    # lines' products (was 3 more per return)
    assert len(one) == len(both) == 7, [q["sql"][:100] for q in both.captured_queries]


RETURNS_WITH_CUSTOMER_LEDGER = """query($n: Int!) { returns(first: $n) { edges { node { returnNumber
  customer { name ledger(first: 3) { totalCount edges { node { reference } } } }
} } } }"""


def test_returns_list_showing_each_customers_ledger_costs_the_same_for_1_and_20_returns(
    as_manager, two_sales, cashier, manager, shop
):
    _returns(two_sales, cashier, manager, 20)
    _post_entries(shop["regular"], [cashier], 5)
    ledger = list(shop["regular"].ledger_entries.order_by("pk").values_list("reference", flat=True))

    with CaptureQueriesContext(connection) as one:
        as_manager(RETURNS_WITH_CUSTOMER_LEDGER, {"n": 1}).payload("returns")
    with CaptureQueriesContext(connection) as twenty:
        page = as_manager(RETURNS_WITH_CUSTOMER_LEDGER, {"n": 20}).payload("returns")

    customers = [e["node"]["customer"] for e in page["edges"] if e["node"]["customer"]]
    assert len(customers) == 10 and len(ledger) == 5
    assert all(
        c["ledger"]["totalCount"] == len(ledger)
        and [e["node"]["reference"] for e in c["ledger"]["edges"]] == ledger[:3]
        for c in customers
    )
    # auth user + page + the customers (the ledger count a subquery) + their ledger pages (was 1 more
    # per return with a customer, counted and read)
    assert len(one) == len(twenty) == 4, [q["sql"][:100] for q in twenty.captured_queries]


RETURNS_WITH_SALE_CUSTOMER_PAGES = """query($n: Int!) { returns(first: $n) { edges { node { returnNumber
  sale { transactionId cashier { username } customer { name
    ledger(first: 2) { totalCount edges { node { reference } } }
    sales(first: 1) { edges { node { transactionId } } } } }
} } } }"""


def test_returns_list_showing_each_sales_customers_pages_costs_the_same_for_1_and_20_returns(
    as_manager, two_sales, cashier, manager, shop
):
    _returns(two_sales, cashier, manager, 20)
    _post_entries(shop["regular"], [cashier], 5)
    ledger = list(shop["regular"].ledger_entries.order_by("pk").values_list("reference", flat=True))

    with CaptureQueriesContext(connection) as one:
        as_manager(RETURNS_WITH_SALE_CUSTOMER_PAGES, {"n": 1}).payload("returns")
    with CaptureQueriesContext(connection) as twenty:
        page = as_manager(RETURNS_WITH_SALE_CUSTOMER_PAGES, {"n": 20}).payload("returns")

    sales = [e["node"]["sale"] for e in page["edges"]]
    customers = [sale["customer"] for sale in sales if sale["customer"]]
    assert len(customers) == 10 and all(sale["cashier"]["username"] == cashier.username for sale in sales)
    assert all(
        c["ledger"]["totalCount"] == len(ledger)
        and [e["node"]["reference"] for e in c["ledger"]["edges"]] == ledger[:2]
        and [e["node"]["transactionId"] for e in c["sales"]["edges"]] == [two_sales[1].transaction_id]
        for c in customers
    )
    # auth user + page (the sales and cashiers joined) + the sales' customers (the ledger count a
    # subquery) + their ledger pages + their sales pages (was 2 more per return with a customer)
    assert len(one) == len(twenty) == 5, [q["sql"][:100] for q in twenty.captured_queries]


def test_a_connection_below_a_preloaded_relation_is_not_preloaded_whole(
    as_manager, two_sales, cashier, manager
):
    _returns(two_sales, cashier, manager, 4)
    query = """{ sales(first: 2) { edges { node { transactionId
      returns { customer { name sales(first: 1) { edges { node { transactionId } } } } } } } } }"""

    with CaptureQueriesContext(connection) as captured:
        page = as_manager(query).payload("sales")
    sql = [q["sql"] for q in captured.captured_queries]

    newest = two_sales[1].transaction_id  # the sale to the known customer, sold last
    customers = [r["customer"] for e in page["edges"] for r in e["node"]["returns"] if r["customer"]]
    assert len(customers) == 2
    assert all([s["node"]["transactionId"] for s in c["sales"]["edges"]] == [newest] for c in customers)
    # The returns' customers are preloaded, their sales are not: every customer's sales read is a page.
    assert not any('"sales_sale"."customer_id" IN' in s and "LIMIT" not in s for s in sql), sql
