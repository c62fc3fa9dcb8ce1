"""Concurrent tills (PostgreSQL, real row locks): no oversell, no double charge, no credit overrun."""

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from customers.checks import find_ledger_mismatches as customer_mismatches
from customers.models import Customer
from products.checks import find_ledger_mismatches as stock_mismatches
from products.models import Location, StockMovement
from sales import services
from sales.checks import find_ledger_mismatches as summary_mismatches
from sales.models import DailySales, Sale
from sales.services import PaymentRequest, SaleLineRequest, SaleRequest
from shared.errors import DomainError
from tests.factories import CustomerFactory, UserFactory
from tests.sales.helpers import stock_of
from tests.shop import make_product

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal


def run_concurrently(fn, count, workers=10):
    def wrapped(i):
        try:
            return fn(i)
        except DomainError as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(wrapped, range(count)))


@pytest.fixture
def till():
    Location.objects.get_or_create(is_default=True, defaults={"name": "Main shop"})
    return UserFactory(role="manager")


def test_twenty_concurrent_sales_of_last_ten_units(till):
    product = make_product(till, "LAST", qty="10")

    def sell(i):
        request = SaleRequest(
            items=[SaleLineRequest(product_id=product.pk, quantity=D("1"))],
            payments=[PaymentRequest("cash", D("10.00"))],
        )
        return services.create_sale(user=till, request=request).sale.pk

    results = run_concurrently(sell, 20)

    assert sum(isinstance(r, int) for r in results) == 10
    assert results.count("INSUFFICIENT_STOCK") == 10
    assert stock_of(product) == D("0")
    assert StockMovement.objects.filter(product=product, movement_type="sale").count() == 10
    assert stock_mismatches() == [] and customer_mismatches() == []


def test_ten_concurrent_retries_with_one_key_create_one_sale(till):
    product = make_product(till, "RETRY", qty="10")
    request = SaleRequest(
        items=[SaleLineRequest(product_id=product.pk, quantity=D("1"))],
        payments=[PaymentRequest("cash", D("10.00"))],
        idempotency_key="till-3-000042",
    )

    results = run_concurrently(lambda i: services.create_sale(user=till, request=request).sale.pk, 10)

    assert len(set(results)) == 1 and isinstance(results[0], int)
    assert Sale.objects.count() == 1 and stock_of(product) == D("9")


def test_one_key_sent_with_different_carts_at_once_makes_one_sale_and_refuses_the_others(till):
    # Different products, so nothing but the key's unique index orders these transactions.
    products = [make_product(till, f"KEY{i}", qty="5") for i in range(6)]

    def sell(i):
        request = SaleRequest(
            items=[SaleLineRequest(product_id=products[i].pk, quantity=D("1"))],
            payments=[PaymentRequest("cash", D("10.00"))],
            idempotency_key="till-9-000001",
        )
        return services.create_sale(user=till, request=request).sale.pk

    results = run_concurrently(sell, 6, workers=6)

    assert sum(isinstance(r, int) for r in results) == 1
    assert results.count("IDEMPOTENCY_KEY_REUSED") == 5
    sale = Sale.objects.get()
    assert sorted(stock_of(p) for p in products) == [D("4")] + [D("5")] * 5
    assert sale.items.get().product_id == products[results.index(sale.pk)].pk
    assert stock_mismatches() == [] and customer_mismatches() == []


def test_concurrent_credit_sales_never_exceed_credit_limit(till):
    product = make_product(till, "CREDIT", qty="100")
    customer = CustomerFactory(credit_limit=D("50.00"))

    def sell(i):
        request = SaleRequest(
            items=[SaleLineRequest(product_id=product.pk, quantity=D("1"))],
            payments=[PaymentRequest("credit", D("10.00"))],
            customer_id=customer.pk,
        )
        return services.create_sale(user=till, request=request).sale.pk

    results = run_concurrently(sell, 12)

    assert sum(isinstance(r, int) for r in results) == 5
    assert results.count("CREDIT_LIMIT_EXCEEDED") == 7
    assert Customer.objects.get(pk=customer.pk).balance == D("50.00")
    assert stock_of(product) == D("95")
    assert stock_mismatches() == [] and customer_mismatches() == []


def test_concurrent_sales_are_numbered_without_gaps_even_when_some_are_refused(till):
    plenty = make_product(till, "PLENTY", qty="100")
    scarce = make_product(till, "SCARCE", qty="5")

    def sell(i):
        # Every other till also wants the scarce product: those past the fifth are refused after
        # their sale row was written, so a number taken early would be lost with them.
        items = [SaleLineRequest(product_id=plenty.pk, quantity=D("1"))]
        if i % 2:
            items.append(SaleLineRequest(product_id=scarce.pk, quantity=D("1")))
        request = SaleRequest(items=items, payments=[PaymentRequest("cash", D("20.00"))])
        return services.create_sale(user=till, request=request).sale.transaction_id

    results = run_concurrently(sell, 20)

    numbers = sorted(r for r in results if isinstance(r, str) and r.startswith("S"))
    assert results.count("INSUFFICIENT_STOCK") == 5 and len(numbers) == 15
    year = numbers[0][1:5]
    assert numbers == [f"S{year}-{n:06d}" for n in range(1, 16)]
    assert not Sale.objects.filter(transaction_id__startswith="PENDING").exists()
    assert not StockMovement.objects.filter(reference__startswith="PENDING").exists()


def test_concurrent_sales_and_voids_share_the_summary_rows_without_deadlock_or_lost_update(till):
    first, second = make_product(till, "SUMA", qty="100"), make_product(till, "SUMB", qty="100")
    earlier = [
        services.create_sale(
            user=till,
            request=SaleRequest(
                items=[SaleLineRequest(product_id=first.pk, quantity=D("1"))],
                payments=[PaymentRequest("cash", D("10.00"))],
            ),
        ).sale.pk
        for _ in range(5)
    ]

    def work(i):
        if i < 5:  # voids of the earlier sales: the same day's rows, taken back
            return services.void_sale(user=till, sale_id=earlier[i], reason="test").pk
        # Lines in both orders and two tenders: every sale adds to the same sales and tender rows.
        products = [first, second] if i % 2 else [second, first]
        request = SaleRequest(
            items=[SaleLineRequest(product_id=p.pk, quantity=D("1")) for p in products],
            payments=[PaymentRequest("card", D("5.00")), PaymentRequest("cash", D("20.00"))],
        )
        return services.create_sale(user=till, request=request).sale.pk

    results = run_concurrently(work, 25)

    assert all(isinstance(r, int) for r in results), results
    row = DailySales.objects.get()
    assert (row.sale_count, row.total) == (20, D("400.00"))
    assert summary_mismatches() == [] and stock_mismatches() == []
