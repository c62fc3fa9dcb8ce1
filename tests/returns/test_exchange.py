from decimal import Decimal

import pytest

from customers.checks import find_ledger_mismatches as customer_mismatches
from products.checks import find_ledger_mismatches as stock_mismatches
from sales.checks import find_ledger_mismatches as summary_mismatches
from sales.models import Sale
from tests.returns.test_services import sell
from tests.sales.helpers import stock_of, world_state

pytestmark = pytest.mark.django_db
D = Decimal
EXCHANGE = """mutation($input: CreateExchangeInput!) { createExchange(input: $input) {
  success message errors { field code message } refunded
  return { status refundTotal exchangeAmount cashRefundAmount creditRefundAmount }
  sale { total change amountPaid payments { method amount } } } }"""


def exchange_input(sale, product_back, qty_back, product_new, qty_new, payments=(), **extra):
    item = sale.items.get(product=product_back)
    return {
        "input": {
            "saleId": str(sale.pk),
            "returnItems": [{"saleItemId": str(item.pk), "quantity": qty_back}],
            "items": [{"productId": str(product_new.pk), "quantity": qty_new}],
            "payments": list(payments),
            **extra,
        }
    }


def test_exchange_customer_pays_the_difference(as_manager, cashier, shop):
    sale = sell(cashier, [(shop["soap"], "2")], [("cash", "20.00")])

    result = as_manager(
        EXCHANGE,
        exchange_input(sale, shop["soap"], "2", shop["rice"], "1", [{"method": "cash", "amount": "5.00"}]),
    ).payload("createExchange")

    assert result["success"] is True, result
    assert result["refunded"] == "0.00"
    assert result["return"]["exchangeAmount"] == "20.00"
    assert result["sale"]["payments"] == [
        {"method": "exchange", "amount": "20.00"},
        {"method": "cash", "amount": "5.00"},
    ]
    assert result["sale"]["amountPaid"] == "5.00"
    assert stock_of(shop["soap"]) == D("50") and stock_of(shop["rice"]) == D("49")
    assert stock_mismatches() == [] and customer_mismatches() == [] and summary_mismatches() == []


def test_exchange_difference_refunded_in_cash(as_manager, cashier, shop):
    sale = sell(cashier, [(shop["soap"], "3")], [("cash", "30.00")])

    result = as_manager(EXCHANGE, exchange_input(sale, shop["soap"], "3", shop["rice"], "1")).payload(
        "createExchange"
    )

    assert result["refunded"] == "5.00"
    assert result["return"] == {
        "status": "APPROVED",
        "refundTotal": "30.00",
        "exchangeAmount": "25.00",
        "cashRefundAmount": "5.00",
        "creditRefundAmount": "0.00",
    }


def test_exchange_difference_as_store_credit(as_manager, cashier, shop):
    customer = shop["regular"]
    sale = sell(cashier, [(shop["soap"], "3")], [("cash", "30.00")], customer_id=customer.pk)

    result = as_manager(
        EXCHANGE,
        exchange_input(sale, shop["soap"], "3", shop["rice"], "1", differenceRefundMethod="STORE_CREDIT"),
    ).payload("createExchange")

    customer.refresh_from_db()
    assert result["return"]["creditRefundAmount"] == "5.00" and customer.balance == D("-5.00")
    assert customer_mismatches() == [] and summary_mismatches() == []


def test_exchange_refused_as_a_whole_when_replacement_lacks_stock(as_manager, cashier, shop):
    sale = sell(cashier, [(shop["soap"], "1")], [("cash", "10.00")])
    before = world_state()

    paid = [{"method": "cash", "amount": "12490.00"}]
    result = as_manager(EXCHANGE, exchange_input(sale, shop["soap"], "1", shop["rice"], "500", paid)).payload(
        "createExchange"
    )

    assert result["success"] is False and result["errors"][0]["code"] == "INSUFFICIENT_STOCK", result
    assert world_state() == before
    assert Sale.objects.get(pk=sale.pk).status == "completed"


def test_cashier_cannot_exchange(as_cashier, cashier, shop):
    sale = sell(cashier, [(shop["soap"], "1")], [("cash", "10.00")])

    assert as_cashier(EXCHANGE, exchange_input(sale, shop["soap"], "1", shop["rice"], "1")).error_codes() == [
        "FORBIDDEN"
    ]


def test_clients_cannot_tender_exchange_directly(as_cashier, shop):
    variables = {
        "input": {
            "items": [{"productId": str(shop["soap"].pk), "quantity": 1}],
            "payments": [{"method": "exchange", "amount": "10.00"}],
        }
    }

    result = as_cashier(
        "mutation($input: SaleInput!) { createSale(input: $input) { success errors { code field } } }",
        variables,
    )

    assert result.payload("createSale")["errors"] == [
        {"code": "INVALID_PAYMENT_METHOD", "field": "payments.0.method"}
    ]
    assert Sale.objects.count() == 0
