"""PostgreSQL: every multi-product stock writer takes its stock levels in one global order (level pk).

Stock levels are created here in the reverse of product order, so a writer that locked in product
order while sales lock in level order would deadlock with them (PostgreSQL then aborts one of the
two after deadlock_timeout). Sales, voids, return approvals and a stocktake finalize race on the
same two products; every one must succeed.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from customers.checks import find_ledger_mismatches as customer_mismatches
from products.checks import find_ledger_mismatches as stock_mismatches
from products.models import Location, StockLevel
from products.services import stock as stock_services
from returns import services as return_services
from returns.services import ReturnLineRequest
from sales import services as sale_services
from sales.services import PaymentRequest, SaleLineRequest, SaleRequest
from tests.factories import UserFactory
from tests.shop import make_product

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal
ROUNDS = 12


def _sale(user, first, second):
    request = SaleRequest(
        items=[SaleLineRequest(product_id=first.pk, quantity=D("1")), SaleLineRequest(second.pk, D("1"))],
        payments=[PaymentRequest("cash", D("100.00"))],
    )
    return sale_services.create_sale(user=user, request=request).sale


@pytest.fixture
def two_products():
    Location.objects.get_or_create(is_default=True, defaults={"name": "Main shop"})
    manager = UserFactory(role="manager")
    low, high = make_product(manager, "LOW", qty=None), make_product(manager, "HIGH", qty=None)
    for product in (high, low):  # levels in the reverse of product order
        stock_services.receive_stock(
            user=manager, product=product, location=None, quantity="500", unit_cost="1"
        )
    levels = dict(StockLevel.objects.values_list("product_id", "pk"))
    assert levels[high.pk] < levels[low.pk]
    return manager, low, high


def test_sales_voids_and_return_approvals_on_the_same_products_never_deadlock(two_products):
    manager, low, high = two_products
    to_void = [_sale(manager, low, high) for _ in range(ROUNDS)]
    to_return = []
    for _ in range(ROUNDS):
        sale = _sale(manager, high, low)
        items = list(sale.items.order_by("pk"))
        to_return.append(
            return_services.create_return(
                user=manager,
                sale_id=sale.pk,
                lines=[ReturnLineRequest(item.pk, D("1")) for item in items],
                refund_method="cash",
            )
        )
    start = threading.Barrier(3)

    def run(kind):
        start.wait()
        outcomes = []
        try:
            for i in range(ROUNDS):
                try:
                    if kind == "sell":
                        _sale(manager, high if i % 2 else low, low if i % 2 else high)
                    elif kind == "void":
                        sale_services.void_sale(user=manager, sale_id=to_void[i].pk, reason="test")
                    else:
                        return_services.approve_return(user=manager, return_id=to_return[i].pk)
                    outcomes.append("ok")
                except Exception as exc:  # a deadlock is an OperationalError or BUSY_TRY_AGAIN
                    outcomes.append(f"{type(exc).__name__}: {getattr(exc, 'code', exc)}")
        finally:
            connection.close()
        return outcomes

    with ThreadPoolExecutor(3) as pool:
        results = dict(
            zip(("sell", "void", "approve"), pool.map(run, ("sell", "void", "approve")), strict=True)
        )

    failures = [outcome for outcomes in results.values() for outcome in outcomes if outcome != "ok"]
    assert failures == []
    assert stock_mismatches() == [] and customer_mismatches() == []
