"""recordPayment rules (API.md "Customer payments"): no silent credit, a cap, blocked accounts may pay off debt."""

from decimal import Decimal

import pytest

from customers import services
from customers.models import Customer, CustomerLedgerEntry, CustomerPayment
from shared.errors import DomainError
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
D = Decimal
PAY = """mutation($input: RecordPaymentInput!) { recordPayment(input: $input) {
  success message errors { field code message } newBalance customer { balance creditHeld }
} }"""


def owing(user, amount: str, **fields) -> Customer:
    customer = CustomerFactory(credit_limit=D("500.00"), **fields)
    services.charge_to_account(
        user=user, customer_id=customer.pk, amount=D(amount), reference_type="sale", reference_id=1
    )
    customer.refresh_from_db()
    return customer


def state(customer: Customer):
    customer.refresh_from_db()
    return (
        customer.balance,
        CustomerLedgerEntry.objects.filter(customer=customer).count(),
        CustomerPayment.objects.filter(customer=customer).count(),
    )


def pay(user, customer, amount: str, **kwargs):
    return services.record_payment(
        user=user, customer_id=customer.pk, amount=D(amount), method="cash", **kwargs
    )


def test_record_payment_up_to_the_balance_owed_is_accepted(cashier):
    customer = owing(cashier, "70.00")

    pay(cashier, customer, "70.00")

    assert state(customer) == (D("0.00"), 2, 1)


def test_record_payment_above_the_balance_owed_refused_with_overpayment(cashier):
    customer = owing(cashier, "70.00")
    before = state(customer)

    with pytest.raises(DomainError) as refused:
        pay(cashier, customer, "100.00")

    error = refused.value.errors[0]
    assert (error.code, error.field) == ("OVERPAYMENT", "amount")
    assert "owes 70.00" in error.message and "30.00 more" in error.message
    assert error.params == {"balance": "70.00", "owed": "70.00", "excess": "30.00"}
    assert state(customer) == before


def test_record_payment_from_a_customer_in_credit_refused_with_balance_stated(cashier):
    customer = CustomerFactory()
    pay(cashier, customer, "20.00", keep_excess_as_credit=True)
    before = state(customer)

    with pytest.raises(DomainError) as refused:
        pay(cashier, customer, "5.00")

    assert refused.value.code == "OVERPAYMENT"
    assert "owes 0.00" in refused.value.message
    assert state(customer) == before


def test_record_payment_keep_excess_as_credit_turns_the_excess_into_credit(cashier):
    customer = owing(cashier, "70.00")

    pay(cashier, customer, "100.00", keep_excess_as_credit=True)

    assert state(customer) == (D("-30.00"), 2, 1)


def test_record_payment_above_the_cap_refused(cashier, settings):
    settings.POS_MAX_PAYMENT_AMOUNT = "1000.00"
    customer = owing(cashier, "70.00")
    before = state(customer)

    with pytest.raises(DomainError) as refused:
        pay(cashier, customer, "1000.01", keep_excess_as_credit=True)

    assert (refused.value.code, refused.value.field) == ("PAYMENT_TOO_LARGE", "amount")
    assert refused.value.errors[0].params == {"max": "1000.00"}
    assert state(customer) == before


def test_record_payment_default_cap_refuses_an_amount_just_above_it(cashier):
    customer = CustomerFactory()

    with pytest.raises(DomainError) as refused:
        pay(cashier, customer, "10000000.01", keep_excess_as_credit=True)

    assert refused.value.code == "PAYMENT_TOO_LARGE"
    assert state(customer) == (D("0.00"), 0, 0)


def test_blocked_customer_can_pay_off_debt(cashier, manager):
    customer = owing(cashier, "70.00")
    services.update_customer(user=manager, customer_id=customer.pk, status="blocked")

    pay(cashier, customer, "70.00")

    assert state(customer) == (D("0.00"), 2, 1)


def test_blocked_customer_cannot_keep_excess_as_credit(cashier, manager):
    customer = owing(cashier, "70.00")
    services.update_customer(user=manager, customer_id=customer.pk, status="blocked")
    before = state(customer)

    with pytest.raises(DomainError) as refused:
        pay(cashier, customer, "100.00", keep_excess_as_credit=True)

    assert (refused.value.code, refused.value.field) == ("CUSTOMER_BLOCKED", "keepExcessAsCredit")
    assert state(customer) == before


def test_graphql_record_payment_overpayment_is_a_payload_error(as_cashier, cashier):
    customer = owing(cashier, "70.00")
    before = state(customer)

    result = as_cashier(
        PAY, {"input": {"customerId": str(customer.pk), "amount": "100.00", "method": "CASH"}}
    ).payload("recordPayment")

    assert result["success"] is False
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("amount", "OVERPAYMENT")]
    assert "70.00" in result["message"]
    assert state(customer) == before


def test_graphql_record_payment_keep_excess_as_credit(as_cashier, cashier):
    customer = owing(cashier, "70.00")

    result = as_cashier(
        PAY,
        {
            "input": {
                "customerId": str(customer.pk),
                "amount": "100.00",
                "method": "CASH",
                "keepExcessAsCredit": True,
            }
        },
    ).payload("recordPayment")

    assert (result["success"], result["newBalance"]) == (True, "-30.00")
    assert result["customer"] == {"balance": "-30.00", "creditHeld": "30.00"}


def test_graphql_record_payment_blocked_customer_excess_refused(as_cashier, cashier, manager):
    customer = owing(cashier, "10.00")
    services.update_customer(user=manager, customer_id=customer.pk, status="blocked")

    result = as_cashier(
        PAY,
        {
            "input": {
                "customerId": str(customer.pk),
                "amount": "15.00",
                "method": "CARD",
                "keepExcessAsCredit": True,
            }
        },
    ).payload("recordPayment")

    assert [(e["field"], e["code"]) for e in result["errors"]] == [("keepExcessAsCredit", "CUSTOMER_BLOCKED")]
    assert state(customer) == (D("10.00"), 1, 0)


def test_apply_store_credit_refuses_a_blocked_customer_under_the_lock(cashier, manager):
    customer = CustomerFactory()
    pay(cashier, customer, "20.00", keep_excess_as_credit=True)
    services.update_customer(user=manager, customer_id=customer.pk, status="blocked")
    before = state(customer)

    with pytest.raises(DomainError) as refused:
        services.apply_store_credit(
            user=cashier, customer_id=customer.pk, amount=D("5.00"), reference_type="sale", reference_id=1
        )

    assert refused.value.code == "CUSTOMER_BLOCKED"
    assert state(customer) == before


def test_overpayment_credit_refused_for_a_blocked_customer_but_refunds_still_reach_them(cashier, manager):
    customer = CustomerFactory()
    services.update_customer(user=manager, customer_id=customer.pk, status="blocked")

    with pytest.raises(DomainError) as refused:
        services.credit_account(
            user=cashier,
            customer_id=customer.pk,
            amount=D("5.00"),
            entry_type="overpayment_credit",
            reference_type="sale",
            reference_id=1,
        )
    services.credit_account(
        user=cashier,
        customer_id=customer.pk,
        amount=D("5.00"),
        entry_type="void_reversal",
        reference_type="void",
        reference_id=1,
    )

    assert refused.value.code == "CUSTOMER_BLOCKED"
    assert state(customer) == (D("-5.00"), 1, 0)
