"""Concurrent tills on one customer (PostgreSQL: real row locks)."""

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from customers import services
from customers.checks import find_ledger_mismatches
from customers.models import Customer, CustomerLedgerEntry
from shared.errors import DomainError
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal


def _in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        except DomainError as exc:
            return exc.code
        finally:
            connection.close()

    return run


def test_concurrent_payments_and_charges_keep_balance_equal_to_ledger():
    user = UserFactory()
    customer = CustomerFactory(credit_limit=D("1000.00"))

    def work(i):
        if i % 2:
            # A payment may run before any charge: keep such an excess as credit.
            return services.record_payment(
                user=user,
                customer_id=customer.pk,
                amount=D("7.00"),
                method="cash",
                keep_excess_as_credit=True,
            )
        return services.charge_to_account(
            user=user, customer_id=customer.pk, amount=D("10.00"), reference_type="sale", reference_id=i
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(_in_thread(work), range(20)))

    assert not [r for r in results if isinstance(r, str)]
    customer.refresh_from_db()
    assert customer.balance == D("30.00")  # 10 x 10.00 - 10 x 7.00
    assert CustomerLedgerEntry.objects.filter(customer=customer).count() == 20
    assert find_ledger_mismatches() == []


def test_concurrent_charges_never_exceed_the_credit_limit():
    user = UserFactory()
    customer = CustomerFactory(credit_limit=D("50.00"))

    def work(i):
        return services.charge_to_account(
            user=user, customer_id=customer.pk, amount=D("10.00"), reference_type="sale", reference_id=i
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(_in_thread(work), range(20)))

    assert results.count("CREDIT_LIMIT_EXCEEDED") == 15
    assert Customer.objects.get(pk=customer.pk).balance == D("50.00")
    assert find_ledger_mismatches() == []


def test_concurrent_payments_of_the_whole_debt_settle_it_once():
    """Each till read a 60.00 debt; under the row lock only the first payment fits, the rest are
    OVERPAYMENT: two cashiers taking the same debt can never turn the second into silent credit."""
    user = UserFactory()
    customer = CustomerFactory(credit_limit=D("100.00"))
    services.charge_to_account(
        user=user, customer_id=customer.pk, amount=D("60.00"), reference_type="sale", reference_id=1
    )

    def work(_i):
        return services.record_payment(user=user, customer_id=customer.pk, amount=D("60.00"), method="cash")

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(_in_thread(work), range(6)))

    assert results.count("OVERPAYMENT") == 5
    assert Customer.objects.get(pk=customer.pk).balance == D("0.00")
    assert find_ledger_mismatches() == []
