"""Query budgets: a page of 100 customers costs what a page of 1 costs."""

from decimal import Decimal

import pytest

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
