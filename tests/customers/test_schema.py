"""Customers over GraphQL: round trips, role refusals, domain errors that change nothing."""

from decimal import Decimal

import pytest
from graphql_relay import to_global_id

from customers import services
from customers.models import Customer, CustomerLedgerEntry
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
D = Decimal
RESULT = "success message errors { field code message }"

CREATE = f"""mutation($input: CreateCustomerInput!) {{
  createCustomer(input: $input) {{ {RESULT} customer {{ id name type creditLimit balance availableCredit }} }}
}}"""
UPDATE = f"""mutation($input: UpdateCustomerInput!) {{
  updateCustomer(input: $input) {{ {RESULT} customer {{ name creditLimit status }} }}
}}"""
ARCHIVE = f"mutation($input: CustomerIdInput!) {{ archiveCustomer(input: $input) {{ {RESULT} customer {{ status }} }} }}"
DELETE = f"mutation($input: CustomerIdInput!) {{ deleteCustomer(input: $input) {{ {RESULT} deletedId }} }}"
PAY = f"""mutation($input: RecordPaymentInput!) {{
  recordPayment(input: $input) {{ {RESULT} newBalance payment {{ amount method }} customer {{ balance outstandingDebt creditHeld }} }}
}}"""
ADJUST = f"""mutation($input: AdjustCustomerBalanceInput!) {{
  adjustCustomerBalance(input: $input) {{ {RESULT} entry {{ amount balanceAfter entryType note }} }}
}}"""
CUSTOMER = """query($id: ID!) { customer(id: $id) {
  name balance outstandingDebt availableCredit creditLimit totalPurchases lastPurchaseAt
  ledger(first: 10) { totalCount edges { node { amount balanceAfter entryType } } }
} }"""
STATEMENT = """query($id: ID!, $from: Date!, $to: Date!) { customerStatement(customerId: $id, dateFrom: $from, dateTo: $to) {
  openingBalance closingBalance totalCharged totalCredited entries { amount }
} }"""


def test_cashier_creates_customer(as_cashier):
    result = as_cashier(
        CREATE, {"input": {"name": "Ada Obi", "phone": "0803 111 0001", "type": "WHOLESALE"}}
    ).payload("createCustomer")

    assert result["success"] is True and result["errors"] == []
    assert result["customer"]["type"] == "WHOLESALE"
    assert result["customer"]["creditLimit"] == "0.00" and result["customer"]["balance"] == "0.00"


def test_cashier_cannot_create_with_credit_limit(as_cashier):
    result = as_cashier(CREATE, {"input": {"name": "Ada", "creditLimit": "100.00"}}).payload("createCustomer")

    assert result["success"] is False
    assert (
        result["errors"][0]["code"] == "PERMISSION_DENIED" and result["errors"][0]["field"] == "creditLimit"
    )
    assert Customer.objects.count() == 0


def test_create_customer_validation_errors_use_graphql_field_names(as_cashier):
    result = as_cashier(CREATE, {"input": {"name": "", "email": "nope"}}).payload("createCustomer")

    assert {e["field"] for e in result["errors"]} == {"name", "email"}
    assert Customer.objects.count() == 0


def test_anonymous_cannot_create(anon):
    response = anon(CREATE, {"input": {"name": "Ada"}})

    assert response.error_codes() == ["UNAUTHENTICATED"]
    assert Customer.objects.count() == 0


def test_manager_sets_limit_and_blocks(as_manager):
    customer = CustomerFactory()

    result = as_manager(
        UPDATE,
        {
            "input": {
                "customerId": to_global_id("Customer", customer.pk),
                "creditLimit": "250.00",
                "status": "BLOCKED",
            }
        },
    ).payload("updateCustomer")

    assert result["customer"] == {"name": customer.name, "creditLimit": "250.00", "status": "BLOCKED"}


def test_cashier_cannot_change_limit(as_cashier):
    customer = CustomerFactory()

    result = as_cashier(UPDATE, {"input": {"customerId": str(customer.pk), "creditLimit": "250.00"}}).payload(
        "updateCustomer"
    )

    assert result["errors"][0]["code"] == "PERMISSION_DENIED"
    customer.refresh_from_db()
    assert customer.credit_limit == D("0.00")


def test_archive_is_manager_only(as_cashier, as_manager):
    customer = CustomerFactory()

    assert as_cashier(ARCHIVE, {"input": {"customerId": str(customer.pk)}}).error_codes() == ["FORBIDDEN"]
    result = as_manager(ARCHIVE, {"input": {"customerId": str(customer.pk)}}).payload("archiveCustomer")

    assert result["customer"]["status"] == "ARCHIVED"


def test_delete_with_history_refused(as_manager, cashier):
    customer = CustomerFactory()
    services.record_payment(
        user=cashier, customer_id=customer.pk, amount=D("1.00"), method="cash", keep_excess_as_credit=True
    )

    result = as_manager(DELETE, {"input": {"customerId": str(customer.pk)}}).payload("deleteCustomer")

    assert result["errors"][0]["code"] == "CUSTOMER_HAS_HISTORY"
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_record_payment_returns_new_balance(as_cashier, cashier):
    customer = CustomerFactory(credit_limit=D("100.00"))
    services.charge_to_account(
        user=cashier, customer_id=customer.pk, amount=D("30.00"), reference_type="sale", reference_id=1
    )

    result = as_cashier(
        PAY,
        {
            "input": {
                "customerId": str(customer.pk),
                "amount": "45.00",
                "method": "TRANSFER",
                "keepExcessAsCredit": True,
            }
        },
    ).payload("recordPayment")

    assert result["newBalance"] == "-15.00"
    assert result["payment"] == {"amount": "45.00", "method": "TRANSFER"}
    assert result["customer"] == {"balance": "-15.00", "outstandingDebt": "0.00", "creditHeld": "15.00"}


def test_record_payment_zero_amount_refused(as_cashier):
    customer = CustomerFactory()

    result = as_cashier(
        PAY, {"input": {"customerId": str(customer.pk), "amount": "0.00", "method": "CASH"}}
    ).payload("recordPayment")

    assert result["errors"][0]["field"] == "amount" and result["errors"][0]["code"] == "INVALID"
    assert CustomerLedgerEntry.objects.count() == 0


def test_record_payment_float_amount_is_a_graphql_error(as_cashier):
    customer = CustomerFactory()

    response = as_cashier(PAY, {"input": {"customerId": str(customer.pk), "amount": 10.5, "method": "CASH"}})

    assert "string" in response.errors[0]["message"]
    assert CustomerLedgerEntry.objects.count() == 0


def test_adjust_balance_manager_only(as_cashier, as_manager):
    customer = CustomerFactory()
    variables = {"input": {"customerId": str(customer.pk), "amount": "-12.00", "reason": "Goodwill"}}

    assert as_cashier(ADJUST, variables).error_codes() == ["FORBIDDEN"]
    result = as_manager(ADJUST, variables).payload("adjustCustomerBalance")

    assert result["entry"] == {
        "amount": "-12.00",
        "balanceAfter": "-12.00",
        "entryType": "ADJUSTMENT",
        "note": "Goodwill",
    }


def test_customer_detail_with_ledger(as_cashier, cashier):
    customer = CustomerFactory(credit_limit=D("100.00"))
    services.charge_to_account(
        user=cashier, customer_id=customer.pk, amount=D("30.00"), reference_type="sale", reference_id=1
    )

    data = as_cashier(CUSTOMER, {"id": str(customer.pk)}).payload("customer")

    assert (data["balance"], data["outstandingDebt"], data["availableCredit"]) == ("30.00", "30.00", "70.00")
    assert data["totalPurchases"] == "0.00" and data["lastPurchaseAt"] is None
    assert data["ledger"]["totalCount"] == 1
    assert data["ledger"]["edges"][0]["node"] == {
        "amount": "30.00",
        "balanceAfter": "30.00",
        "entryType": "SALE_CHARGE",
    }


def test_statement_over_graphql(as_cashier, cashier):
    customer = CustomerFactory(credit_limit=D("100.00"))
    services.charge_to_account(
        user=cashier, customer_id=customer.pk, amount=D("30.00"), reference_type="sale", reference_id=1
    )
    services.record_payment(user=cashier, customer_id=customer.pk, amount=D("10.00"), method="cash")

    data = as_cashier(STATEMENT, {"id": str(customer.pk), "from": "2020-01-01", "to": "2099-12-31"}).payload(
        "customerStatement"
    )

    assert data == {
        "openingBalance": "0.00",
        "closingBalance": "20.00",
        "totalCharged": "30.00",
        "totalCredited": "10.00",
        "entries": [{"amount": "30.00"}, {"amount": "-10.00"}],
    }
