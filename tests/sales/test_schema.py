"""createSale, voidSale, priceSale, sales and receipts over GraphQL."""

from decimal import Decimal

import pytest
from django.test import Client
from graphql_jwt.shortcuts import get_token

from sales.models import Sale
from tests.sales.helpers import stock_of, world_state

D = Decimal
RESULT = "success message errors { field code message }"

SEED_EXAMPLE = """
mutation {
  createSale(input: {
    customerId: "1"
    items: [{productId: "1", quantity: 2, unitPrice: "10.00"}]
    payments: {method: "cash", amount: "20.00", balance: "0.00"}
  }) {
    success
    message
    sale { transactionId total }
  }
}
"""
CREATE = f"""mutation($input: SaleInput!) {{ createSale(input: $input) {{ {RESULT} replayed
  sale {{ id transactionId total change amountOnAccount creditCreated customerBalance status
         items {{ lineNumber quantity unitPrice total }} payments {{ method amount }} }} }} }}"""
VOID = f"mutation($input: VoidSaleInput!) {{ voidSale(input: $input) {{ {RESULT} sale {{ status voidReason }} }} }}"
PRICE = f"""query($input: SaleInput!) {{ priceSale(input: $input) {{ {RESULT}
  quote {{ total taxTotal change amountOnAccount shortages {{ productId requested available }} }} }} }}"""
SALES = "query($n: Int!) { sales(first: $n) { totalCount edges { node { transactionId total customer { name } items { quantity total } payments { method amount } } } } }"


def sale_input(product, qty=1, amount="10.00", **extra):
    return {
        "items": [{"productId": str(product.pk), "quantity": qty}],
        "payments": [{"method": "cash", "amount": amount}],
        **extra,
    }


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_seed_example_from_api_md_works_verbatim(gql, manager, cashier):
    from products.models import Location
    from tests.factories import CustomerFactory
    from tests.shop import make_product

    Location.objects.get_or_create(is_default=True, defaults={"name": "Main shop"})
    product = make_product(manager, "SEED", price="10.00")
    customer = CustomerFactory()
    assert (product.pk, customer.pk) == (1, 1)

    result = gql(cashier)(SEED_EXAMPLE).payload("createSale")

    assert result["success"] is True, result
    assert result["sale"]["total"] == "20.00"
    assert result["sale"]["transactionId"].startswith("S")
    assert stock_of(product) == D("48")


@pytest.mark.django_db
def test_create_sale_split_tender_list(as_cashier, shop):
    variables = {
        "input": {
            "items": [
                {"productId": str(shop["soap"].pk), "quantity": "2"},
                {"productId": str(shop["rice"].pk), "quantity": 1},
            ],
            "payments": [
                {"method": "credit_card", "amount": "30.00"},
                {"method": "cash", "amount": "20.00", "balance": "0.00"},
            ],
        }
    }

    sale = as_cashier(CREATE, variables).payload("createSale")["sale"]

    assert (sale["total"], sale["change"]) == ("45.00", "5.00")
    assert sale["payments"] == [{"method": "card", "amount": "30.00"}, {"method": "cash", "amount": "20.00"}]
    assert [i["lineNumber"] for i in sale["items"]] == [1, 2]


@pytest.mark.django_db
def test_create_sale_part_payment_shows_new_customer_balance(as_cashier, shop):
    variables = {"input": {**sale_input(shop["soap"], 5, "20.00"), "customerId": str(shop["regular"].pk)}}
    variables["input"]["payments"][0]["method"] = "part_payment"

    sale = as_cashier(CREATE, variables).payload("createSale")["sale"]

    assert (sale["amountOnAccount"], sale["customerBalance"]) == ("30.00", "30.00")


@pytest.mark.django_db
def test_create_sale_refusal_is_payload_error_and_changes_nothing(as_cashier, shop):
    before = world_state()

    result = as_cashier(CREATE, {"input": sale_input(shop["soap"], 51, "510.00")}).payload("createSale")

    assert result["success"] is False and result["sale"] is None
    assert result["errors"][0]["code"] == "INSUFFICIENT_STOCK" and result["errors"][0]["field"] == "items"
    assert "Soap" in result["message"]
    assert world_state() == before


@pytest.mark.django_db
def test_create_sale_unknown_global_id_is_not_found(as_cashier, shop):
    variables = {"input": sale_input(shop["soap"])}
    variables["input"]["items"][0]["productId"] = "bm90LWEtcHJvZHVjdA=="

    result = as_cashier(CREATE, variables).payload("createSale")

    assert result["errors"][0] == {
        "field": "items.0.productId",
        "code": "NOT_FOUND",
        "message": "Product not found.",
    }


@pytest.mark.django_db
def test_create_sale_float_money_refused(as_cashier, shop):
    variables = {"input": sale_input(shop["soap"])}
    variables["input"]["payments"][0]["amount"] = 10.0

    response = as_cashier(CREATE, variables)

    assert response.errors and Sale.objects.count() == 0


@pytest.mark.django_db
def test_create_sale_idempotent_replay(as_cashier, shop):
    variables = {"input": {**sale_input(shop["soap"]), "idempotencyKey": "k-1"}}

    first = as_cashier(CREATE, variables).payload("createSale")
    second = as_cashier(CREATE, variables).payload("createSale")

    assert (first["replayed"], second["replayed"]) == (False, True)
    assert first["sale"]["id"] == second["sale"]["id"] and Sale.objects.count() == 1


@pytest.mark.django_db
def test_void_sale_manager_only(as_cashier, as_manager, shop):
    sale_id = as_cashier(CREATE, {"input": sale_input(shop["soap"])}).payload("createSale")["sale"]["id"]

    assert as_cashier(VOID, {"input": {"id": sale_id, "reason": "x"}}).error_codes() == ["FORBIDDEN"]
    result = as_manager(VOID, {"input": {"id": sale_id, "reason": "Rang up twice"}}).payload("voidSale")
    again = as_manager(VOID, {"input": {"id": sale_id, "reason": "Again"}}).payload("voidSale")

    assert result["sale"] == {"status": "VOIDED", "voidReason": "Rang up twice"}
    assert again["errors"][0]["code"] == "SALE_ALREADY_VOIDED"
    assert stock_of(shop["soap"]) == D("50")


@pytest.mark.django_db
def test_void_by_transaction_id(as_cashier, as_manager, shop):
    transaction_id = as_cashier(CREATE, {"input": sale_input(shop["soap"])}).payload("createSale")["sale"][
        "transactionId"
    ]

    result = as_manager(VOID, {"input": {"id": transaction_id, "reason": "Test"}}).payload("voidSale")

    assert result["success"] is True


@pytest.mark.django_db
def test_price_sale_quote_and_shortages(as_cashier, shop):
    variables = {"input": sale_input(shop["soap"], 60, "700.00")}

    result = as_cashier(PRICE, variables).payload("priceSale")

    assert result["success"] is True
    assert result["quote"]["total"] == "600.00" and result["quote"]["change"] == "100.00"
    assert result["quote"]["shortages"] == [
        {"productId": str(shop["soap"].pk), "requested": "60", "available": "50"}
    ]
    assert Sale.objects.count() == 0


@pytest.mark.django_db
def test_price_sale_refusal_in_payload(as_cashier, shop):
    variables = {"input": {**sale_input(shop["soap"]), "customerId": None}}
    variables["input"]["payments"][0]["method"] = "credit"

    result = as_cashier(PRICE, variables).payload("priceSale")

    assert result["success"] is False and result["errors"][0]["code"] == "CUSTOMER_REQUIRED"


@pytest.mark.django_db
def test_cashier_sees_only_own_sales_manager_sees_all(gql, cashier, manager, shop):
    gql(cashier)(CREATE, {"input": sale_input(shop["soap"])})
    gql(manager)(CREATE, {"input": sale_input(shop["soap"])})

    assert gql(cashier)(SALES, {"n": 10}).payload("sales")["totalCount"] == 1
    assert gql(manager)(SALES, {"n": 10}).payload("sales")["totalCount"] == 2


@pytest.mark.django_db
def test_receipt_text_and_html(as_cashier, cashier, shop, settings):
    settings.SHOP_NAME = "Mama Put Stores"
    sale = as_cashier(CREATE, {"input": sale_input(shop["soap"], 2, "50.00")}).payload("createSale")["sale"]

    text = as_cashier(
        "query($t: String!) { receipt(transactionId: $t, format: TEXT_42) }", {"t": sale["transactionId"]}
    ).payload("receipt")
    page = Client().get(f"/receipts/{sale['transactionId']}/", HTTP_AUTHORIZATION=f"JWT {get_token(cashier)}")
    anonymous = Client().get(f"/receipts/{sale['transactionId']}/")

    lines = text.splitlines()
    assert all(len(line) <= 42 for line in lines)
    assert "Mama Put Stores" in text and sale["transactionId"] in text
    assert any(line.startswith("Change") and line.endswith("30.00") for line in lines)
    assert page.status_code == 200 and b"Mama Put Stores" in page.content
    assert anonymous.status_code == 401
