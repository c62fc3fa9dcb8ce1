"""Sale money rules on the return paths: an exchange's new sale obeys them, and a blocked customer
takes no new store credit from a refund (API.md: nothing on a blocked customer's account)."""

from decimal import Decimal

import pytest

from customers import services as customer_services
from returns.models import Return
from sales.models import Sale
from tests.returns.test_exchange import EXCHANGE, exchange_input
from tests.returns.test_services import ask, sell
from tests.sales.helpers import world_state

pytestmark = pytest.mark.django_db
D = Decimal


def everything():
    return {**world_state(), "returns": Return.objects.count()}


def test_exchange_short_cash_for_a_customer_refused_as_payment_short(as_manager, cashier, shop):
    sale = sell(cashier, [(shop["soap"], "2")], [("cash", "20.00")], customer_id=shop["regular"].pk)
    before = everything()

    # Rice costs 25.00; 20.00 comes back as exchanged goods and only 1.00 is paid.
    result = as_manager(
        EXCHANGE,
        exchange_input(sale, shop["soap"], "2", shop["rice"], "1", [{"method": "cash", "amount": "1.00"}]),
    ).payload("createExchange")

    assert [(e["field"], e["code"]) for e in result["errors"]] == [("payments", "PAYMENT_SHORT")]
    assert everything() == before
    assert Sale.objects.get(pk=sale.pk).status == "completed"


def test_exchange_short_with_part_payment_puts_the_rest_on_account(as_manager, cashier, shop):
    customer = shop["regular"]
    sale = sell(cashier, [(shop["soap"], "2")], [("cash", "20.00")], customer_id=customer.pk)

    result = as_manager(
        EXCHANGE,
        exchange_input(
            sale, shop["soap"], "2", shop["rice"], "1", [{"method": "part_payment", "amount": "1.00"}]
        ),
    ).payload("createExchange")

    assert result["success"] is True, result
    customer.refresh_from_db()
    assert customer.balance == D("4.00")


def test_exchange_difference_as_store_credit_for_blocked_customer_refused(as_manager, cashier, manager, shop):
    customer = shop["regular"]
    sale = sell(cashier, [(shop["soap"], "3")], [("cash", "30.00")], customer_id=customer.pk)
    customer_services.update_customer(user=manager, customer_id=customer.pk, status="blocked")
    before = everything()

    result = as_manager(
        EXCHANGE,
        exchange_input(sale, shop["soap"], "3", shop["rice"], "1", differenceRefundMethod="STORE_CREDIT"),
    ).payload("createExchange")

    assert [(e["field"], e["code"]) for e in result["errors"]] == [
        ("differenceRefundMethod", "CUSTOMER_BLOCKED")
    ]
    assert everything() == before


def test_exchange_difference_in_cash_for_blocked_customer_allowed(as_manager, cashier, manager, shop):
    customer = shop["regular"]
    sale = sell(cashier, [(shop["soap"], "3")], [("cash", "30.00")], customer_id=customer.pk)
    customer_services.update_customer(user=manager, customer_id=customer.pk, status="blocked")

    result = as_manager(EXCHANGE, exchange_input(sale, shop["soap"], "3", shop["rice"], "1")).payload(
        "createExchange"
    )

    assert (result["success"], result["refunded"]) == (True, "5.00")


def test_return_as_store_credit_for_blocked_customer_refused(cashier, manager, shop):
    from shared.errors import DomainError

    customer = shop["regular"]
    sale = sell(cashier, [(shop["soap"], "2")], [("cash", "20.00")], customer_id=customer.pk)
    customer_services.update_customer(user=manager, customer_id=customer.pk, status="blocked")
    before = everything()

    with pytest.raises(DomainError) as refused:
        ask(cashier, sale, [(shop["soap"], "1", True)], method="store_credit")

    assert (refused.value.code, refused.value.field) == ("CUSTOMER_BLOCKED", "refundMethod")
    assert everything() == before
    assert ask(cashier, sale, [(shop["soap"], "1", True)], method="cash").status == "pending"
