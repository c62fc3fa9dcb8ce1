"""A customer's ledger and sales inside the customers list: one query per page for the whole list
(shared.nested_pages), and the same pages, cursors and counts as a customer read on its own."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sales import services as sale_services
from sales.services import PaymentRequest, SaleLineRequest, SaleRequest
from tests.customers.test_queries import _post_entries
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
D = Decimal

LEDGER_PAGE = """totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  edges { cursor node { id amount reference user { username } } }"""
SALES_PAGE = """totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  edges { cursor node { transactionId total customer { name } } }"""
PAGES = f"""ledger(first: $first, after: $after, offset: $offset) {{ {LEDGER_PAGE} }}
  sales(first: $first, after: $after, offset: $offset) {{ {SALES_PAGE} }}"""
ARGS = "$first: Int, $after: String, $offset: Int"
IN_LIST = f"""query($n: Int!, {ARGS}) {{ customers(first: $n) {{ edges {{ node {{ id {PAGES} }} }} }} }}"""
ON_ITS_OWN = f"""query($id: ID!, {ARGS}) {{ customer(id: $id) {{ id {PAGES} }} }}"""

EVERYTHING = """query($n: Int!) { customers(first: $n) { edges { node { name
  ledger(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { amount user { username } } } }
  sales(first: 2) { totalCount pageInfo { hasNextPage } edges { node {
    transactionId total amountPaid customerBalance customer { name } cashier { username } location { name }
    items { quantity product { sku } batches { quantity } } payments { method amount }
  } } }
} } } }"""


def _entries_of(i: int) -> int:
    return 3 - i % 4


def _sales_of(i: int) -> int:
    return 2 - i % 3


@pytest.fixture
def customers(shop, cashier, manager):
    """20 customers by name C00..C19: C00 has 3 ledger entries and 2 sales, C01 2 and 1, C02 1 and
    none, C03 none and 2, and so on round (the first customer of a list has both, as others)."""
    rows = []
    for i in range(20):
        customer = CustomerFactory(name=f"C{i:02d}", credit_limit=D("500.00"))
        _post_entries(customer, [cashier, manager], _entries_of(i))
        for k in range(_sales_of(i)):
            request = SaleRequest(
                items=[SaleLineRequest(product_id=shop["soap"].pk, quantity=D(k + 1))],
                payments=[PaymentRequest(method="cash", amount=D("10.00") * (k + 1))],
                customer_id=customer.pk,
            )
            sale_services.create_sale(user=cashier, request=request)
        rows.append(customer)
    return rows


def _queries(client, query, variables):
    with CaptureQueriesContext(connection) as captured:
        data = client(query, variables).payload("customers")
    return len(captured), data, [q["sql"][:120] for q in captured.captured_queries]


def test_customers_list_with_ledger_and_sales_costs_the_same_for_1_and_20_customers(as_manager, customers):
    one, first, _ = _queries(as_manager, EVERYTHING, {"n": 1})
    twenty, page, sql = _queries(as_manager, EVERYTHING, {"n": 20})

    assert (len(first["edges"]), len(page["edges"])) == (1, 20)
    assert [len(e["node"]["sales"]["edges"]) for e in page["edges"]] == [_sales_of(i) for i in range(20)]
    assert [len(e["node"]["ledger"]["edges"]) for e in page["edges"]] == [
        min(_entries_of(i), 2) for i in range(20)
    ]
    # auth user, customers (ledger and sales counts are subqueries in the same statement), the ledger
    # pages of every customer (user joined), the sales pages of every customer, then one query each
    # for the sales' cashiers, locations, items, items' products, items' batches and payments (the
    # sale's customer is the row the page hangs from). Was 2 + 2 per customer (+ 6 per sale).
    assert (one, twenty) == (10, 10), sql


def test_two_aliases_with_different_pages_cost_one_query_each(as_manager, customers):
    query = """query($n: Int!) { customers(first: $n) { edges { node { name
      a: ledger(first: 1) { edges { node { reference } } }
      b: ledger(first: 3) { pageInfo { hasNextPage } edges { node { reference } } }
    } } } }"""

    one, _, _ = _queries(as_manager, query, {"n": 1})
    twenty, page, sql = _queries(as_manager, query, {"n": 20})

    # auth user, customers, one ledger read per window (first 1, first 3)
    assert (one, twenty) == (4, 4), sql
    full = next(e["node"] for e in page["edges"] if e["node"]["name"] == "C00")
    assert [e["node"]["reference"] for e in full["a"]["edges"]] == ["S-0"]
    assert [e["node"]["reference"] for e in full["b"]["edges"]] == ["S-0", "P-1", "S-2"]
    assert full["b"]["pageInfo"]["hasNextPage"] is False


def test_nested_ledger_pages_are_the_oldest_entries_first_and_continue_after_the_cursor(
    as_manager, customers
):
    query = f"""query($after: String) {{ customers(first: 20) {{ edges {{ node {{ name
      ledger(first: 2, after: $after) {{ {LEDGER_PAGE} }} }} }} }} }}"""

    first = {e["node"]["name"]: e["node"]["ledger"] for e in as_manager(query).payload("customers")["edges"]}
    cursor = first["C00"]["pageInfo"]["endCursor"]
    second = {
        e["node"]["name"]: e["node"]["ledger"]
        for e in as_manager(query, {"after": cursor}).payload("customers")["edges"]
    }

    full = first["C00"]
    assert [e["node"]["reference"] for e in full["edges"]] == ["S-0", "P-1"]
    assert [e["node"]["user"]["username"] for e in full["edges"]] == ["cashier", "manager"]
    assert (full["totalCount"], full["pageInfo"]["hasNextPage"]) == (3, True)
    assert [e["node"]["reference"] for e in second["C00"]["edges"]] == ["S-2"]
    assert second["C00"]["pageInfo"]["hasNextPage"] is False
    assert (first["C01"]["pageInfo"]["hasNextPage"], len(first["C01"]["edges"])) == (False, 2)
    assert (first["C03"]["totalCount"], first["C03"]["edges"], first["C03"]["pageInfo"]["hasNextPage"]) == (
        0,
        [],
        False,
    )


def test_nested_sales_pages_are_newest_first_and_each_customers_own(as_manager, customers):
    query = (
        f"""{{ customers(first: 20) {{ edges {{ node {{ name sales(first: 1) {{ {SALES_PAGE} }} }} }} }} }}"""
    )

    found = {e["node"]["name"]: e["node"]["sales"] for e in as_manager(query).payload("customers")["edges"]}

    two = found["C00"]  # two sales: 10.00, then 20.00
    assert [e["node"]["total"] for e in two["edges"]] == ["20.00"]
    assert (two["totalCount"], two["pageInfo"]["hasNextPage"]) == (2, True)
    assert (found["C01"]["totalCount"], found["C01"]["pageInfo"]["hasNextPage"]) == (1, False)
    assert found["C02"]["edges"] == [] and found["C02"]["totalCount"] == 0
    assert all(e["node"]["customer"]["name"] == name for name, page in found.items() for e in page["edges"])


@pytest.mark.parametrize(
    "page",
    [
        {"first": 2},
        {"first": 1, "after": "YXJyYXljb25uZWN0aW9uOjA="},  # after position 0
        {"first": 1, "offset": 2},
        {"first": 2, "after": "YXJyYXljb25uZWN0aW9uOjA=", "offset": 1},
        {},  # no first: the largest page
        {"first": 0},
        {"first": 2, "after": "YXJyYXljb25uZWN0aW9uOjk="},  # past the end
    ],
)
def test_nested_pages_in_the_list_match_each_customer_read_on_its_own(as_manager, customers, page):
    listed = as_manager(IN_LIST, {"n": 20, **page}).payload("customers")["edges"]

    for edge in listed:
        alone = as_manager(ON_ITS_OWN, {"id": edge["node"]["id"], **page}).payload("customer")
        assert edge["node"] == alone


LAST_PAGES = f"""ledger(last: $last) {{ {LEDGER_PAGE} }} sales(last: $last) {{ {SALES_PAGE} }}"""


@pytest.mark.parametrize("last", [0, 1, 2, 5])
def test_last_pages_cost_the_same_for_1_and_20_customers_and_match_each_customer_alone(
    as_manager, customers, last
):
    in_list = f"""query($n: Int!, $last: Int) {{ customers(first: $n) {{ edges {{ node {{ id name
      {LAST_PAGES} }} }} }} }}"""
    alone = f"""query($id: ID!, $last: Int) {{ customer(id: $id) {{ id name {LAST_PAGES} }} }}"""

    one, _, _ = _queries(as_manager, in_list, {"n": 1, "last": last})
    twenty, page, sql = _queries(as_manager, in_list, {"n": 20, "last": last})

    for edge in page["edges"]:
        assert edge["node"] == as_manager(alone, {"id": edge["node"]["id"], "last": last}).payload("customer")
    c00 = page["edges"][0]["node"]
    assert c00["name"] == "C00" and c00["ledger"]["totalCount"] == 3
    assert [e["node"]["reference"] for e in c00["ledger"]["edges"]] == ["S-0", "P-1", "S-2"][
        3 - min(last, 3) :
    ]
    assert c00["ledger"]["pageInfo"]["hasPreviousPage"] is (last < 3)
    # auth user + customers (counts as subqueries) + the ledger's last rows (users joined) + the
    # sales' last rows (was 4 more per customer: a count and a page each); `last: 0` reads no rows
    assert one == twenty == (4 if last else 2), sql


def test_a_backward_page_with_a_cursor_is_read_per_customer_and_still_right(as_manager, customers):
    query = """{ customers(first: 20) { edges { node { name
      ledger(last: 1, before: "YXJyYXljb25uZWN0aW9uOjI=") { pageInfo { hasPreviousPage } edges { node { reference } } } } } } }"""

    found = {e["node"]["name"]: e["node"]["ledger"] for e in as_manager(query).payload("customers")["edges"]}

    assert [e["node"]["reference"] for e in found["C00"]["edges"]] == ["P-1"]
    assert found["C00"]["pageInfo"]["hasPreviousPage"] is True


def test_nested_page_with_a_foreign_cursor_is_refused_with_a_coded_error(as_manager, customers):
    query = (
        """{ customers(first: 2) { edges { node { name ledger(after: "nope") { edges { cursor } } } } } }"""
    )

    response = as_manager(query)

    assert "INVALID" in response.error_codes()


SALES_WITH_CUSTOMER_PAGES = f"""query($n: Int!) {{ sales(first: $n) {{ edges {{ node {{ transactionId customerBalance
  customer {{ id name ledger(first: 2) {{ {LEDGER_PAGE} }} sales(first: 1) {{ {SALES_PAGE} }} }}
}} }} }} }}"""


def test_sales_list_showing_each_customers_pages_costs_the_same_for_1_and_20_sales(as_manager, customers):
    one, _, _ = _sales_queries(as_manager, 1)
    twenty, page, sql = _sales_queries(as_manager, 20)
    alone = {
        c.name: as_manager(ON_ITS_OWN, {"id": str(c.pk), "first": 2}).payload("customer") for c in customers
    }

    assert len(page["edges"]) == 20
    for edge in page["edges"]:
        customer = edge["node"]["customer"]
        assert customer["ledger"] == alone[customer["name"]]["ledger"]
        assert customer["sales"]["totalCount"] == alone[customer["name"]]["sales"]["totalCount"]
        assert customer["sales"]["edges"] == alone[customer["name"]]["sales"]["edges"][:1]
    # auth user + the sales page + their customers (ledger and sales counts as subqueries) + the
    # customers' ledger pages (users joined) + their sales pages (was 2 more per sale)
    assert (one, twenty) == (5, 5), sql


def _sales_queries(client, n):
    with CaptureQueriesContext(connection) as captured:
        data = client(SALES_WITH_CUSTOMER_PAGES, {"n": n}).payload("sales")
    return len(captured), data, [q["sql"][:120] for q in captured.captured_queries]


PURCHASES_IN_SALES = """query($n: Int!) { sales(first: $n) { edges { node { transactionId
  customer { name totalPurchases lastPurchaseAt } } } } }"""


def test_purchase_figures_of_a_sales_customers_are_theirs_and_cost_the_same_for_1_and_20_sales(
    as_manager, customers
):
    from sales.models import Sale

    def read(n):
        with CaptureQueriesContext(connection) as captured:
            data = as_manager(PURCHASES_IN_SALES, {"n": n}).payload("sales")
        return len(captured), [e["node"]["customer"] for e in data["edges"]]

    (one, _), (twenty, rows) = read(1), read(20)

    assert one == twenty
    expected = {}
    for sale in Sale.objects.exclude(customer=None).select_related("customer"):
        total, last = expected.get(sale.customer.name, (D("0"), None))
        expected[sale.customer.name] = (total + sale.total, max(filter(None, [last, sale.created_at])))
    assert len(rows) == 20
    for row in rows:
        total, last = expected[row["name"]]
        assert D(row["totalPurchases"]) == total > 0
        assert row["lastPurchaseAt"] == last.isoformat()


def test_a_customer_reached_through_one_sale_has_its_real_purchase_figures(as_manager, customers):
    from sales.models import Sale

    sale = Sale.objects.filter(customer=customers[0]).order_by("pk").first()
    query = """query($t: String!) { sale(transactionId: $t) { customer { totalPurchases } } }"""

    data = as_manager(query, {"t": sale.transaction_id}).data["sale"]

    assert D(data["customer"]["totalPurchases"]) == sum(s.total for s in customers[0].sales.all()) > 0
