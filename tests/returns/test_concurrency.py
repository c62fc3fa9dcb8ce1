"""Two managers approving conflicting returns of one line at once (PostgreSQL)."""

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from products.checks import find_ledger_mismatches
from products.models import Location
from returns import services
from returns.models import Return, ReturnItem
from sales import services as sale_services
from sales.services import PaymentRequest, SaleLineRequest, SaleRequest
from shared.errors import DomainError
from tests.factories import UserFactory
from tests.sales.helpers import stock_of
from tests.shop import make_product

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal


def test_conflicting_approvals_return_at_most_the_sold_quantity():
    Location.objects.get_or_create(is_default=True, defaults={"name": "Main shop"})
    manager = UserFactory(role="manager")
    product = make_product(manager, "RACE", qty="10")
    sale = sale_services.create_sale(
        user=manager,
        request=SaleRequest(
            items=[SaleLineRequest(product.pk, D("2"))], payments=[PaymentRequest("cash", D("20.00"))]
        ),
    ).sale
    item = sale.items.get()
    first = services.create_return(
        user=manager,
        sale_id=sale.pk,
        lines=[services.ReturnLineRequest(item.pk, D("2"))],
        refund_method="cash",
    )
    # A second claim on the same units, as if two tills had raced past the request check.
    second = Return.objects.create(
        return_number="R-RACE-2",
        sale=sale,
        refund_method="cash",
        refund_total=D("20.00"),
        requested_by=manager,
    )
    ReturnItem.objects.create(
        return_request=second, sale_item=item, quantity=D("2"), refund_amount=D("20.00")
    )

    def approve(return_id):
        try:
            return services.approve_return(user=manager, return_id=return_id).status
        except DomainError as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(approve, [first.pk, second.pk]))

    assert outcomes == ["RETURN_QUANTITY_EXCEEDED", "approved"]
    assert stock_of(product) == D("10")
    assert find_ledger_mismatches() == []
