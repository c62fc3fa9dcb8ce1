"""A register closing while tills sell (PostgreSQL, real row locks): every sale is in the Z or refused."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from products.models import Location
from sales import services as sale_services
from sales.models import Sale
from sales.services import PaymentRequest, SaleLineRequest, SaleRequest
from shared.errors import DomainError
from tests.factories import UserFactory
from tests.shop import make_product
from tests.tills.factories import make_register, open_shift
from tills import selectors, services
from tills.models import Shift, ShiftPosting

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal
SALES_PER_TILL = 6


def test_close_racing_eight_selling_tills_every_sale_in_the_z_or_refused():
    Location.objects.get_or_create(is_default=True, defaults={"name": "Main shop"})
    manager = UserFactory(role="manager")
    product = make_product(manager, "RACE", qty="1000")
    closing_cashier = UserFactory(username="closing")
    closing_shift = open_shift(closing_cashier, make_register(manager, "Till 0"), "100.00")
    # Four tills sell as the closing cashier (the shift being closed), four at their own registers.
    others = [UserFactory(username=f"other{i}") for i in range(4)]
    other_shifts = [
        open_shift(user, make_register(manager, f"Till {i + 1}"), "0.00") for i, user in enumerate(others)
    ]
    sellers = [closing_cashier] * 4 + others
    started = threading.Barrier(len(sellers) + 1)

    def sell(index):
        user = sellers[index]
        outcomes = []
        started.wait()
        try:
            for _ in range(SALES_PER_TILL):
                request = SaleRequest(
                    items=[SaleLineRequest(product_id=product.pk, quantity=D("1"))],
                    payments=[PaymentRequest("cash", D("10.00"))],
                )
                try:
                    outcomes.append(sale_services.create_sale(user=user, request=request).sale.pk)
                except DomainError as exc:
                    outcomes.append(exc.errors[0].code)
            return outcomes
        finally:
            connection.close()

    def close():
        started.wait()
        time.sleep(0.05)  # let some sales land first
        try:
            return services.close_shift(
                user=closing_cashier, shift_id=closing_shift.pk, counted_cash=D("0.00")
            )
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(sellers) + 1) as pool:
        closer = pool.submit(close)
        results = list(pool.map(sell, range(len(sellers))))
        closed = closer.result()

    closing_results = [r for outcomes in results[:4] for r in outcomes]
    landed = [r for r in closing_results if isinstance(r, int)]
    refused = [r for r in closing_results if not isinstance(r, int)]
    assert set(refused) <= {"NO_OPEN_SHIFT"}
    assert len(landed) + len(refused) == 4 * SALES_PER_TILL
    in_z = set(
        ShiftPosting.objects.filter(shift=closing_shift, kind="SALE").values_list("reference_id", flat=True)
    )
    assert in_z == set(landed)  # nothing lost, nothing posted after the close
    z = Shift.objects.get(pk=closing_shift.pk)
    assert z.z_report["kinds"]["SALE"]["count"] == len(landed)
    assert z.expected_cash == D("100.00") + D("10.00") * len(landed)
    assert selectors.shift_summary(shift=z).expected_cash == z.expected_cash
    assert closed.z_number == 1
    for outcomes, shift in zip(results[4:], other_shifts, strict=True):
        assert all(isinstance(r, int) for r in outcomes)
        assert selectors.shift_summary(shift=shift).kind("SALE").count == SALES_PER_TILL
    assert Sale.objects.count() == len(landed) + 4 * SALES_PER_TILL
