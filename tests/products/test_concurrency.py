"""Real row locks on PostgreSQL: concurrent tills never oversell and the ledger always reconciles."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from products import selectors, services
from products.checks import find_ledger_mismatches
from products.models import Location, ProductCode, StockLevel, StockMovement
from products.services import StockRequest
from shared.errors import DomainError
from tests.factories import UserFactory
from tests.products.factories import BatchProductFactory, ProductFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def default_location():
    # transaction=True tests flush the tables, including the migration's default location.
    location, _created = Location.objects.get_or_create(is_default=True, defaults={"name": "Main shop"})
    return location


def run_in_threads(count, work):
    """Run `work()` in `count` threads released together; return (successes, error codes)."""
    barrier = threading.Barrier(count)
    successes, codes, lock = [], [], threading.Lock()

    def target():
        try:
            barrier.wait()
            result = work()
            with lock:
                successes.append(result)
        except DomainError as exc:
            with lock:
                codes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=target) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return successes, codes


def test_twenty_tills_deduct_one_unit_from_ten_exactly_ten_succeed():
    manager = UserFactory(role="manager")
    shop = default_location()
    product = ProductFactory()
    services.receive_stock(
        user=manager, product=product, location=shop, quantity=10, unit_cost=Decimal("2.00")
    )

    successes, codes = run_in_threads(
        20,
        lambda: services.deduct_stock(
            user=manager,
            location=shop,
            requests=[StockRequest(product.pk, Decimal("1"))],
            reference_type="sale",
            reference_id=None,
        ),
    )

    assert len(successes) == 10
    assert codes == ["INSUFFICIENT_STOCK"] * 10
    assert StockLevel.objects.get(product=product, location=shop).quantity == Decimal("0")
    assert StockMovement.objects.filter(product=product, movement_type="sale").count() == 10
    balances = sorted(
        StockMovement.objects.filter(movement_type="sale").values_list("balance_after", flat=True)
    )
    assert balances == [Decimal(n) for n in range(10)]
    assert find_ledger_mismatches() == []


def test_concurrent_batch_sales_and_receipts_keep_ledger_consistent():
    from datetime import timedelta

    manager = UserFactory(role="manager")
    shop = default_location()
    product = BatchProductFactory()
    expiry = selectors.today() + timedelta(days=60)
    services.receive_stock(
        user=manager,
        product=product,
        location=shop,
        quantity=5,
        unit_cost=Decimal("1.00"),
        batch_number="B1",
        expiry_date=expiry,
    )
    counter = iter(range(100))

    def work():
        n = next(counter)
        if n % 2:
            return services.receive_stock(
                user=manager,
                product=product,
                location=shop,
                quantity=1,
                unit_cost=Decimal("3.00"),
                batch_number=f"R{n}",
                expiry_date=expiry,
            )
        return services.deduct_stock(
            user=manager,
            location=shop,
            requests=[StockRequest(product.pk, Decimal("2"))],
            reference_type="sale",
            reference_id=n,
        )

    successes, codes = run_in_threads(12, work)

    assert set(codes) <= {"INSUFFICIENT_STOCK"}
    assert len(successes) + len(codes) == 12
    assert find_ledger_mismatches() == []
    level = StockLevel.objects.get(product=product, location=shop).quantity
    assert level == sum(b.quantity for b in product.batches.all())
    assert level >= 0


def test_two_writers_racing_for_one_code_only_one_gets_it():
    manager = UserFactory(role="manager")
    claims = iter([{"sku": "cola"}, {"sku": "OTHER", "barcode": "COLA"}])
    lock = threading.Lock()

    def claim():
        with lock:
            values = next(claims)
        return services.create_product(user=manager, name="Racer", retail_price="1.00", **values)

    successes, codes = run_in_threads(2, claim)

    assert len(successes) == 1
    assert codes == ["CODE_IN_USE"]
    assert ProductCode.objects.filter(code="COLA").count() == 1
