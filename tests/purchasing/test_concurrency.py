"""Counting while tills sell, with real row locks (PostgreSQL)."""

import threading
import time

import pytest
from django.db import connection
from django.db.models import Sum

from products import services as product_services
from products.checks import find_ledger_mismatches
from products.models import Location, StockLevel, StockMovement
from products.services import StockRequest
from purchasing import services
from purchasing.models import StocktakeCount
from tests.factories import UserFactory
from tests.products.factories import ProductFactory
from tests.purchasing.factories import D

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_stocktake_counted_and_finalized_while_tills_sell_ends_at_counted_minus_sold_after_the_count():
    manager = UserFactory(role="manager")
    cashier = UserFactory(role="cashier")
    location, _ = Location.objects.get_or_create(is_default=True, defaults={"name": "Main shop"})
    tea = ProductFactory()
    product_services.receive_stock(
        user=manager, product=tea, location=location, quantity=D("100"), unit_cost=D("2.00")
    )
    stocktake = services.start_stocktake(user=manager)
    sellers = 12
    barrier = threading.Barrier(sellers + 1)
    failures = []

    def sell():
        try:
            barrier.wait()
            for _ in range(2):
                product_services.deduct_stock(
                    user=cashier,
                    location=location,
                    requests=[StockRequest(tea.pk, D("1"))],
                    reference_type="sale",
                    reference_id=None,
                )
        except Exception as exc:  # noqa: BLE001 - a thread must report, not swallow, what broke
            failures.append(exc)
        finally:
            connection.close()

    def count_then_finalize():
        try:
            barrier.wait()
            services.record_count(user=cashier, stocktake_id=stocktake.pk, product_id=tea.pk, counted=D("90"))
            time.sleep(0.05)
            services.finalize_stocktake(user=manager, stocktake_id=stocktake.pk, uncounted="leave")
        except Exception as exc:  # noqa: BLE001
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sell) for _ in range(sellers)]
    threads.append(threading.Thread(target=count_then_finalize))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    count = StocktakeCount.objects.get()
    sales = StockMovement.objects.filter(product=tea, movement_type="sale")
    sold_before = -(sales.filter(pk__lte=count.last_movement_id).aggregate(s=Sum("quantity"))["s"] or 0)
    sold_after = -(sales.filter(pk__gt=count.last_movement_id).aggregate(s=Sum("quantity"))["s"] or 0)
    assert sold_before + sold_after == D("24")
    assert count.quantity_at_count == D("100") - sold_before
    assert StockLevel.objects.get(product=tea, location=location).quantity == D("90") - sold_after
    assert find_ledger_mismatches() == []


def test_finalize_while_tills_sell_the_same_two_products_never_deadlocks():
    manager = UserFactory(role="manager")
    location, _ = Location.objects.get_or_create(is_default=True, defaults={"name": "Main shop"})
    first, second = ProductFactory(), ProductFactory()
    # Levels created in the reverse order of the products: level pk order != product pk order.
    for product in (second, first):
        product_services.receive_stock(
            user=manager, product=product, location=location, quantity=D("100"), unit_cost=D("1.00")
        )
    stocktake = services.start_stocktake(user=manager)
    for product in (first, second):
        services.record_count(user=manager, stocktake_id=stocktake.pk, product_id=product.pk, counted=D("90"))
    barrier = threading.Barrier(5)
    failures = []

    def sell():
        try:
            barrier.wait()
            for _ in range(5):
                product_services.deduct_stock(
                    user=manager,
                    location=location,
                    requests=[StockRequest(first.pk, D("1")), StockRequest(second.pk, D("1"))],
                    reference_type="sale",
                    reference_id=None,
                )
        except Exception as exc:  # noqa: BLE001 - a deadlock would surface here
            failures.append(exc)
        finally:
            connection.close()

    def finalize():
        try:
            barrier.wait()
            services.finalize_stocktake(user=manager, stocktake_id=stocktake.pk, uncounted="leave")
        except Exception as exc:  # noqa: BLE001
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sell) for _ in range(4)] + [threading.Thread(target=finalize)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    for product in (first, second):  # -10 posted, 20 sold after the counts
        assert StockLevel.objects.get(product=product, location=location).quantity == D("70")
    assert find_ledger_mismatches() == []
