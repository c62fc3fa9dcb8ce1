"""Query budgets: createSale grows by a small constant per line; a page of sales costs a fixed count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.shop import make_product

pytestmark = pytest.mark.django_db
CREATE = """mutation($input: SaleInput!) { createSale(input: $input) { success errors { code message }
  sale { transactionId total customerBalance items { quantity total batches { quantity } } payments { method amount } } } }"""
SALES = """query($n: Int!) { sales(first: $n) { totalCount edges { node {
  transactionId total customer { name } cashier { username }
  items { quantity total batches { quantity batch { batchNumber expiryDate location { name } } } }
  payments { method amount } } } } }"""


def create_sale_queries(client, products, customer=None):
    items = [{"productId": str(p.pk), "quantity": 1} for p in products]
    variables = {
        "input": {"items": items, "payments": [{"method": "credit", "amount": f"{10 * len(products)}.00"}]}
    }
    variables["input"]["customerId"] = str(customer.pk)
    with CaptureQueriesContext(connection) as captured:
        result = client(CREATE, variables).payload("createSale")
    assert result["success"], result
    return len(captured)


def test_create_sale_queries_do_not_grow_with_lines(as_cashier, manager, shop):
    products = [make_product(manager, f"P{i}") for i in range(7)]
    customer = shop["regular"]
    create_sale_queries(as_cashier, products[6:], customer)  # the year's first sale creates its counter

    one = create_sale_queries(as_cashier, products[:1], customer)
    three = create_sale_queries(as_cashier, products[1:4], customer)

    # Pinned: a sale charged to a customer's account costs 25 queries whatever its number of lines:
    # auth user; customer, location, whether the location has a register (tills), products; the sale (under a provisional id); lock the stock
    # levels, one UPDATE for all of them, the movements; items, batch draws, payments; lock the
    # customer, update the balance, the ledger row; last, the sale number (one UPDATE ... RETURNING)
    # and three UPDATEs putting it on the sale, its movements and its ledger row; 6 savepoint
    # statements (the mutation's and the nested services'). The payload is built from the rows just
    # written: no re-read.
    assert (one, three) == (25, 25)


def test_sales_page_costs_the_same_for_1_and_100_rows(as_manager, gql, cashier, shop):
    sell = gql(cashier)
    for _ in range(12):
        sell(
            CREATE.replace("credit", "cash"),
            {
                "input": {
                    "items": [
                        {"productId": str(shop["soap"].pk), "quantity": 1},
                        {"productId": str(shop["syrup"].pk), "quantity": 1},
                    ],
                    "payments": [{"method": "cash", "amount": "22.00"}],
                    "customerId": str(shop["regular"].pk),
                }
            },
        )

    with CaptureQueriesContext(connection) as one:
        as_manager(SALES, {"n": 1}).payload("sales")
    with CaptureQueriesContext(connection) as many:
        page = as_manager(SALES, {"n": 100}).payload("sales")

    assert page["totalCount"] == 12 and len(page["edges"]) == 12
    # auth user, count, page (customer, cashier joined), items, item batches, payments, returns
    assert len(one) == len(many) == 7, [q["sql"][:80] for q in many.captured_queries]
