"""Query budgets: a page of 100 customers costs what a page of 1 costs."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers import services
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
QUERY = """query($n: Int!) { customers(first: $n) { totalCount edges { node {
  name balance outstandingDebt availableCredit creditLimit totalPurchases lastPurchaseAt
} } } }"""


def test_customers_list_query_count_is_constant(as_cashier, django_assert_num_queries):
    CustomerFactory.create_batch(100, credit_limit=Decimal("50.00"))

    # auth user + count + page (purchases are correlated subqueries in the same statement)
    with django_assert_num_queries(3):
        one = as_cashier(QUERY, {"n": 1}).payload("customers")
    with django_assert_num_queries(3):
        hundred = as_cashier(QUERY, {"n": 100}).payload("customers")

    assert (len(one["edges"]), len(hundred["edges"]), hundred["totalCount"]) == (1, 100, 100)


# --- a customer's account: 100 ledger entries cost what 1 entry costs -----------------------------

ENTRY_FIELDS = (
    "id entryType amount balanceAfter referenceType referenceId reference note createdAt user { displayName }"
)
LEDGER = f"""query($id: ID!, $n: Int!) {{ customerLedger(customerId: $id, first: $n) {{
  totalCount edges {{ node {{ {ENTRY_FIELDS} }} }}
}} }}"""
CUSTOMER_LEDGER = f"""query($id: ID!, $n: Int!) {{ customer(id: $id) {{
  name balance outstandingDebt availableCredit totalPurchases
  ledger(first: $n) {{ totalCount edges {{ node {{ {ENTRY_FIELDS} }} }} }}
}} }}"""
STATEMENT = f"""query($id: ID!, $day: Date!) {{
  customerStatement(customerId: $id, dateFrom: $day, dateTo: $day) {{
    dateFrom dateTo openingBalance totalCharged totalCredited closingBalance
    customer {{ name balance }}
    entries {{ {ENTRY_FIELDS} }}
  }}
}}"""


def _post_entries(customer, users, n):
    """`n` account entries by turns of `users`: a charge, then a payment that pays it off."""
    for i in range(n):
        user = users[i % len(users)]
        if i % 2 == 0:
            services.charge_to_account(
                user=user,
                customer_id=customer.pk,
                amount=Decimal("5.00"),
                reference_type="sale",
                reference_id=None,
                reference=f"S-{i}",
            )
        else:
            services.record_payment(
                user=user, customer_id=customer.pk, amount=Decimal("5.00"), method="cash", reference=f"P-{i}"
            )


def _count(client, query, variables, name):
    with CaptureQueriesContext(connection) as captured:
        data = client(query, variables).payload(name)
    return len(captured), data, [q["sql"][:100] for q in captured.captured_queries]


@pytest.fixture
def account(cashier, manager):
    customer = CustomerFactory(credit_limit=Decimal("500.00"))
    _post_entries(customer, [cashier], 1)
    return customer


def test_customer_ledger_costs_the_same_for_1_and_100_entries(as_cashier, account, cashier, manager):
    variables = {"id": str(account.pk), "n": 100}

    one, first, _ = _count(as_cashier, LEDGER, variables, "customerLedger")
    _post_entries(account, [manager, cashier], 99)
    hundred, page, sql = _count(as_cashier, LEDGER, variables, "customerLedger")

    assert (first["totalCount"], page["totalCount"], len(page["edges"])) == (1, 100, 100)
    assert {e["node"]["user"]["displayName"] for e in page["edges"]} == {
        manager.get_full_name() or "manager",
        cashier.get_full_name() or "cashier",
    }
    # auth user + count + page (user joined)
    assert (one, hundred) == (3, 3), sql


def test_customer_ledger_field_costs_the_same_for_1_and_100_entries(as_cashier, account, cashier, manager):
    variables = {"id": str(account.pk), "n": 100}

    one, first, _ = _count(as_cashier, CUSTOMER_LEDGER, variables, "customer")
    _post_entries(account, [manager, cashier], 99)
    hundred, found, sql = _count(as_cashier, CUSTOMER_LEDGER, variables, "customer")

    assert (first["ledger"]["totalCount"], len(found["ledger"]["edges"])) == (1, 100)
    # auth user + the customer (purchases are subqueries in the same statement) + ledger count +
    # ledger page (user joined)
    assert (one, hundred) == (4, 4), sql


def test_customer_statement_costs_the_same_for_1_and_100_entries(as_cashier, account, cashier, manager):
    variables = {"id": str(account.pk), "day": timezone.localdate().isoformat()}

    one, first, _ = _count(as_cashier, STATEMENT, variables, "customerStatement")
    _post_entries(account, [manager, cashier], 99)
    hundred, statement, sql = _count(as_cashier, STATEMENT, variables, "customerStatement")

    assert (len(first["entries"]), len(statement["entries"])) == (1, 100)
    assert (statement["totalCharged"], statement["totalCredited"], statement["closingBalance"]) == (
        "255.00",
        "245.00",
        "10.00",
    )
    # auth user + the customer + opening balance (one SUM) + the period's entries (user joined)
    assert (one, hundred) == (4, 4), sql


def test_customers_page_without_purchases_or_total_count_reads_only_the_customers(as_cashier):
    CustomerFactory.create_batch(3)

    with CaptureQueriesContext(connection) as captured:
        page = as_cashier("{ customers(first: 2) { edges { node { name balance } } } }").payload("customers")
    sql = [q["sql"] for q in captured.captured_queries]
    with CaptureQueriesContext(connection) as captured:
        as_cashier(QUERY, {"n": 2}).payload("customers")
    full = captured.captured_queries[-1]["sql"]

    # auth user + page: no count, no correlated subqueries over the sales
    assert len(sql) == 2, sql
    assert "sales_sale" not in sql[-1] and "COUNT" not in sql[-1]
    assert "sales_sale" in full
    assert len(page["edges"]) == 2
