"""returnableSale: a sale found by receipt number with what each line can still be returned (issue 18)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from returns import services
from sales import services as sale_services
from tests.returns.test_services import ask, sell
from tests.shop import make_product

pytestmark = pytest.mark.django_db
D = Decimal
RETURNABLE = """query($t: String!) { returnableSale(transactionId: $t) {
  sale { transactionId status total customer { name } payments { method amount } }
  lines { sold returned pending returnable saleItem { id quantity total product { name } } }
} }"""
CREATE = """mutation($input: CreateReturnInput!) { createReturn(input: $input) {
  success message errors { field code message } return { returnNumber refundTotal } } }"""


def returnable(client, transaction_id):
    return client(RETURNABLE, {"t": transaction_id}).payload("returnableSale")


def test_returnable_sale_counts_approved_and_pending_claims_per_line(as_cashier, cashier, manager, shop):
    sale = sell(cashier, [(shop["soap"], "5"), (shop["rice"], "1.5")], [("cash", "90.00")])
    approved = ask(cashier, sale, [(shop["soap"], "1", True)])
    services.approve_return(user=manager, return_id=approved.pk)
    ask(cashier, sale, [(shop["soap"], "2", True)])
    rejected = ask(cashier, sale, [(shop["rice"], "1", True)])
    services.reject_return(user=manager, return_id=rejected.pk, reason="Opened")

    found = returnable(as_cashier, sale.transaction_id.lower())

    assert found["sale"]["transactionId"] == sale.transaction_id
    assert [
        (
            line["saleItem"]["product"]["name"],
            line["sold"],
            line["returned"],
            line["pending"],
            line["returnable"],
        )
        for line in found["lines"]
    ] == [("Soap", "5", "1", "2", "2"), ("Rice 1kg", "1.5", "0", "0", "1.5")]


def test_returnable_sale_quantity_is_what_create_return_accepts(as_cashier, cashier, shop):
    sale = sell(cashier, [(shop["soap"], "3")], [("cash", "30.00")])
    line = returnable(as_cashier, sale.transaction_id)["lines"][0]

    def request(quantity):
        return as_cashier(
            CREATE,
            {
                "input": {
                    "transactionId": sale.transaction_id,
                    "items": [{"saleItemId": line["saleItem"]["id"], "quantity": quantity}],
                    "refundMethod": "CASH",
                }
            },
        ).payload("createReturn")

    too_many = request("4")
    accepted = request(line["returnable"])
    after = returnable(as_cashier, sale.transaction_id)["lines"][0]

    assert too_many["errors"][0]["code"] == "RETURN_QUANTITY_EXCEEDED"
    assert accepted["success"] is True and accepted["return"]["refundTotal"] == "30.00"
    assert (after["pending"], after["returnable"]) == ("3", "0")


def test_returnable_sale_voided_sale_has_nothing_returnable(as_cashier, cashier, manager, shop):
    sale = sell(cashier, [(shop["soap"], "2")], [("cash", "20.00")])
    sale_services.void_sale(user=manager, sale_id=sale.pk, reason="Mistake")

    found = returnable(as_cashier, sale.transaction_id)

    assert found["sale"]["status"] == "VOIDED"
    assert [(line["sold"], line["returnable"]) for line in found["lines"]] == [("2", "0")]


def test_returnable_sale_unknown_receipt_is_null(as_cashier, shop):
    assert returnable(as_cashier, "S1999-000001") is None


def test_returnable_sale_anonymous_refused(anon, cashier, shop):
    sale = sell(cashier, [(shop["soap"], "1")], [("cash", "10.00")])

    response = anon(RETURNABLE, {"t": sale.transaction_id})

    assert response.error_codes() == ["UNAUTHENTICATED"] and response.data["returnableSale"] is None


def test_returnable_sale_costs_the_same_for_2_and_10_lines(as_cashier, cashier, manager, shop):
    products = [make_product(manager, f"P{i}", name=f"Item {i}") for i in range(10)]
    few = sell(cashier, [(p, "2") for p in products[:2]], [("cash", "40.00")])
    many = sell(cashier, [(p, "2") for p in products], [("cash", "200.00")])
    for sale in (few, many):
        ask(cashier, sale, [(p, "1", True) for p in products[:2]])

    def count(sale):
        with CaptureQueriesContext(connection) as captured:
            found = returnable(as_cashier, sale.transaction_id)
        assert found["lines"][0]["pending"] == "1"
        return len(captured)

    # Pinned: auth user, the sale (customer joined), its items with products, its payments and the
    # claims aggregate; batch draws and returns are not selected, so not read (was 7 before).
    assert count(few) == count(many) == 5


FULL = """query($t: String!) { returnableSale(transactionId: $t) {
  sale { transactionId status total customer { name } location { name } cashier { username }
    items { quantity product { name } batches { quantity } } payments { method amount }
    returns { returnNumber } }
  lines { sold returned pending returnable saleItem { id quantity product { name } batches { quantity } } }
} }"""
SALE_ONLY = """query($t: String!) { returnableSale(transactionId: $t) { sale { transactionId total } } }"""
LINES_ONLY = """query($t: String!) { returnableSale(transactionId: $t) { lines { sold saleItem { id } } } }"""


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # auth user + the sale, nothing joined or preloaded
        (SALE_ONLY, 2),
        # auth user + the sale + its items (the lines); no claims aggregate when no claim is shown
        (LINES_ONLY, 3),
        # auth user, the sale (customer, location, cashier joined), items with products, their batch
        # draws, payments, returns and the claims aggregate
        (FULL, 7),
    ],
)
def test_returnable_sale_reads_only_what_is_selected(as_cashier, cashier, manager, shop, query, expected):
    products = [make_product(manager, f"P{i}", name=f"Item {i}") for i in range(3)]
    sale = sell(cashier, [(p, "2") for p in products], [("cash", "60.00")])
    ask(cashier, sale, [(products[0], "1", True)])

    with CaptureQueriesContext(connection) as captured:
        found = as_cashier(query, {"t": sale.transaction_id}).payload("returnableSale")

    assert len(captured) == expected, [q["sql"][:80] for q in captured.captured_queries]
    if query != SALE_ONLY:
        assert [line["sold"] for line in found["lines"]] == ["2", "2", "2"]
    if query == FULL:
        assert [line["returnable"] for line in found["lines"]] == ["1", "2", "2"]
        assert found["sale"]["returns"][0]["returnNumber"]
