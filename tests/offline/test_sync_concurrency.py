"""PostgreSQL only: sale sync under concurrent batches (threads, real transactions and row locks)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from offline.models import Device, SaleSync, StockDiscrepancy
from products.models import Location, StockLevel
from sales.models import Sale
from tests.factories import UserFactory
from tests.offline.factories import register_device
from tests.offline.till import SimulatedTill
from tests.shop import make_product

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal


def _till(manager, name, products):
    device = register_device(manager, name).device
    Device.objects.filter(pk=device.pk).update(created_at=timezone.now() - timedelta(days=1))
    device.refresh_from_db()
    return SimulatedTill(device=device, prefix=name, prices={p.pk: p.retail_price for p in products})


def _run_together(jobs):
    started = threading.Barrier(len(jobs))

    def run(job):
        started.wait()
        try:
            return job()
        finally:
            connection.close()

    with ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(run, jobs))


@pytest.fixture
def products():
    Location.objects.get_or_create(is_default=True, defaults={"name": "Main shop"})
    manager = UserFactory(role="manager")
    return manager, [make_product(manager, "RACE-A", qty="30"), make_product(manager, "RACE-B", qty="30")]


def test_same_batch_sent_twice_at_once_records_each_sale_once(products):
    manager, items = products
    cashier = UserFactory()
    till = _till(manager, "T1", items)
    for i in range(20):
        till.sell([(items[i % 2], "3"), (items[(i + 1) % 2], "1")])

    results = _run_together([lambda: till.sync(cashier)[0], lambda: till.sync(cashier)[0]])

    assert Sale.objects.count() == 20 == SaleSync.objects.count()
    outcomes = [o.outcome for r in results for o in r.outcomes]
    assert outcomes.count("ALREADY_SYNCED") == 20  # each sale: once recorded, once replayed
    assert max(r.high_water_mark for r in results) == 20
    # 40 of each product sold from 30: 10 short each, drawn to zero, never below.
    assert set(StockLevel.objects.values_list("quantity", flat=True)) == {D(0)}
    assert sum(StockDiscrepancy.objects.values_list("quantity", flat=True), D(0)) == D(20)
    call_command("check_ledgers")


def test_two_devices_syncing_at_once_over_the_same_stock(products):
    manager, items = products
    tills = [_till(manager, "T1", items), _till(manager, "T2", items)]
    cashiers = [UserFactory(), UserFactory()]
    for till in tills:
        for i in range(15):
            till.sell([(items[i % 2], "1"), (items[(i + 1) % 2], "2")])  # opposite orders in the cart

    results = _run_together([lambda i=i: tills[i].sync(cashiers[i])[0] for i in range(2)])

    assert [r.high_water_mark for r in results] == [15, 15]
    assert all(o.outcome != "REFUSED" for r in results for o in r.outcomes), results
    assert Sale.objects.count() == 30
    # 44 of one and 46 of the other sold from 30 each: 30 short in all.
    assert set(StockLevel.objects.values_list("quantity", flat=True)) == {D(0)}
    assert sum(StockDiscrepancy.objects.values_list("quantity", flat=True), D(0)) == D(30)
    call_command("check_ledgers")
