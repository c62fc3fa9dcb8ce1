"""Issue 17's done-when: 500 sales made offline on 3 tills for a day, synced in shuffled, repeated and
interrupted batches, end as exactly 500 sales with the right stock, clean ledgers and the exceptions."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from offline import services
from offline.models import Device, SaleSync, StockDiscrepancy, SyncException
from products.models import StockLevel
from sales.models import Sale
from tests.offline.factories import register_device
from tests.offline.till import SimulatedTill
from tests.shop import make_product

D = Decimal
SALES = 500


def _tills(manager, products):
    tills = []
    for name in ("T1", "T2", "T3"):
        device = register_device(manager, name).device
        Device.objects.filter(pk=device.pk).update(created_at=timezone.now() - timedelta(days=30))
        device.refresh_from_db()
        tills.append(
            SimulatedTill(device=device, prefix=name, prices={p.pk: p.retail_price for p in products})
        )
    return tills


def _interrupted(till, user, batch, cut_after, monkeypatch):
    real, done = services.sync.sync_sale, []

    def cut(**kwargs):
        if len(done) == cut_after:
            raise ConnectionError("connection lost")
        done.append(1)
        return real(**kwargs)

    monkeypatch.setattr(services.sync, "sync_sale", cut)
    with pytest.raises(ConnectionError):
        till.sync(user, batch)
    monkeypatch.setattr(services.sync, "sync_sale", real)


def test_500_offline_sales_on_3_tills_sync_exactly_once(cashier, manager, shop, monkeypatch):
    rng = random.Random(17)
    products = [shop["soap"]] + [
        make_product(manager, f"SIM{i}", price="5.00", cost="3.00", qty=str(qty))
        for i, qty in enumerate([400, 150, 60, 20])
    ]
    initial = {p.pk: StockLevel.objects.get(product=p).quantity for p in products}
    tills = _tills(manager, products)
    start = timezone.now() - timedelta(hours=24)
    sold: dict[int, Decimal] = defaultdict(Decimal)
    for n in range(SALES):
        till = tills[n % 3]
        lines = [(p, str(rng.randint(1, 3))) for p in rng.sample(products, rng.randint(1, 2))]
        for product, qty in lines:
            sold[product.pk] += D(qty)
        on_account = n in (100, 101, 102)  # three charges of up to 30.00 past a 100.00 limit
        till.sell(
            lines,
            sold_at=start + timedelta(minutes=2 * n),
            customer=shop["regular"] if on_account else None,
            on_account=on_account,
        )
    shop["regular"].credit_limit = D("20.00")
    shop["regular"].save(update_fields=["credit_limit"])

    # T1: shuffled batches of 37, every batch sent twice.
    t1 = list(tills[0].outbox)
    rng.shuffle(t1)
    for i in range(0, len(t1), 37):
        tills[0].sync(cashier, t1[i : i + 37])
        tills[0].sync(cashier, t1[i : i + 37])
    # T2: a connection cut after 20 sales of the first batch, then everything resent.
    _interrupted(tills[1], cashier, tills[1].outbox[:50], 20, monkeypatch)
    assert SaleSync.objects.filter(device=tills[1].device).count() == 20
    tills[1].sync(cashier, batch=100)
    # T3: the second half first, then the whole outbox again.
    tills[2].sync(cashier, tills[2].outbox[83:])
    results = tills[2].sync(cashier, batch=100)

    assert Sale.objects.count() == SALES == SaleSync.objects.count()
    for till in tills:
        (mark, highest, gaps) = services.high_water_mark(device=till.device)
        assert (mark, highest, gaps) == (len(till.outbox), len(till.outbox), [])
    assert results[-1].high_water_mark == len(tills[2].outbox)
    for product in products:
        expected_short = max(D(0), sold[product.pk] - initial[product.pk])
        level = StockLevel.objects.get(product=product).quantity
        assert level == max(D(0), initial[product.pk] - sold[product.pk])
        short = sum(StockDiscrepancy.objects.filter(product=product).values_list("quantity", flat=True), D(0))
        assert short == expected_short
    assert StockDiscrepancy.objects.exists()
    kinds = set(SyncException.objects.values_list("kind", flat=True))
    assert kinds == {"STOCK_SHORTAGE", "CREDIT_LIMIT"}
    call_command("check_ledgers")
