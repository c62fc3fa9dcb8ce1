"""An archived product or a blocked customer the till did not know of: recorded and flagged, not refused."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.management import call_command

from customers.models import Customer
from offline import services
from offline.models import SyncException
from products.models import Product, StockLevel, StockMovement
from products.services import catalogue as product_catalogue
from sales.models import Sale
from sales.services import PaymentRequest
from shared.errors import DomainError

pytestmark = pytest.mark.django_db
D = Decimal


def _archive(manager, product):
    product_catalogue.archive_product(user=manager, product=Product.objects.get(pk=product.pk))


def _block(customer):
    Customer.objects.filter(pk=customer.pk).update(status=Customer.Status.BLOCKED)


def test_archived_product_sold_offline_is_recorded_drawn_and_flagged(cashier, manager, shop, till):
    till.sell([(shop["soap"], "2"), (shop["rice"], "1")])
    _archive(manager, shop["soap"])

    (result,) = till.sync(cashier)

    outcome = result.outcomes[0]
    assert outcome.outcome == "SYNCED_WITH_EXCEPTIONS"
    (exception,) = outcome.exceptions
    assert exception.kind == "PRODUCT_ARCHIVED"
    assert exception.details["lines"] == [{"line": 1, "product_id": shop["soap"].pk, "quantity": "2.000"}]
    assert StockLevel.objects.get(product=shop["soap"]).quantity == D("48")
    call_command("check_ledgers")


def test_archived_product_sold_beyond_its_stock_is_covered_like_any_shortage(cashier, manager, shop, till):
    till.sell([(shop["soap"], "53")])  # 50 on hand
    _archive(manager, shop["soap"])

    (result,) = till.sync(cashier)

    kinds = sorted(e.kind for e in result.outcomes[0].exceptions)
    assert kinds == ["PRODUCT_ARCHIVED", "STOCK_SHORTAGE"]
    assert StockLevel.objects.get(product=shop["soap"]).quantity == 0
    assert StockMovement.objects.filter(movement_type="offline_shortage").get().quantity == D("3")
    call_command("check_ledgers")


def test_blocked_customers_account_charge_is_recorded_and_flagged(cashier, shop, till):
    regular = shop["regular"]
    till.sell([(shop["soap"], "3")], customer=regular, on_account=True)
    _block(regular)

    (result,) = till.sync(cashier)

    (exception,) = result.outcomes[0].exceptions
    assert exception.kind == "CUSTOMER_BLOCKED"
    assert exception.details["amount_on_account"] == "30.00"
    regular.refresh_from_db()
    assert regular.balance == D("30.00")
    call_command("check_ledgers")


def test_blocked_customers_store_credit_spent_offline_is_recorded_and_flagged(cashier, shop, till):
    in_credit = shop["in_credit"]  # 30.00 held
    request = till.sell([(shop["soap"], "2")], customer=in_credit)
    till.outbox[-1] = replace(
        request, sale=replace(request.sale, payments=[PaymentRequest("store_credit", D("20.00"))])
    )
    _block(in_credit)

    (result,) = till.sync(cashier)

    assert [e.kind for e in result.outcomes[0].exceptions] == ["CUSTOMER_BLOCKED"]
    in_credit.refresh_from_db()
    assert in_credit.balance == D("-10.00")


def test_blocked_customer_paying_now_is_not_flagged(cashier, shop, till):
    till.sell([(shop["soap"], "1")], customer=shop["regular"])
    _block(shop["regular"])

    (result,) = till.sync(cashier)

    assert [o.outcome for o in result.outcomes] == ["SYNCED"]


def test_unknown_product_is_still_refused(cashier, shop, till):
    request = till.sell([(shop["soap"], "1")])
    till.outbox[-1] = replace(
        request, sale=replace(request.sale, items=[replace(request.sale.items[0], product_id=999999)])
    )

    (result,) = till.sync(cashier)

    assert [e.code for e in result.outcomes[0].errors] == ["NOT_FOUND"]
    assert Sale.objects.count() == 0


def test_archived_and_blocked_exceptions_are_settled_as_accepted(cashier, manager, shop, till):
    till.sell([(shop["soap"], "1")], customer=shop["regular"], on_account=True)
    _archive(manager, shop["soap"])
    _block(shop["regular"])
    till.sync(cashier)

    for exception in SyncException.objects.all():
        with pytest.raises(DomainError):
            services.resolve_sync_exception(user=manager, exception_id=exception.pk, resolution="WRITE_OFF")
        services.resolve_sync_exception(user=manager, exception_id=exception.pk, resolution="ACCEPTED")

    assert sorted(SyncException.objects.values_list("kind", "status")) == [
        ("CUSTOMER_BLOCKED", "RESOLVED"),
        ("PRODUCT_ARCHIVED", "RESOLVED"),
    ]


def test_live_sale_still_refuses_archived_products_and_blocked_accounts(cashier, manager, shop):
    from sales.services import SaleLineRequest, SaleRequest, create_sale

    _archive(manager, shop["soap"])
    _block(shop["regular"])

    with pytest.raises(DomainError) as archived:
        create_sale(
            user=manager,
            request=SaleRequest(
                items=[SaleLineRequest(product_id=shop["soap"].pk, quantity=D("1"))],
                payments=[PaymentRequest("cash", D("10.00"))],
            ),
        )
    with pytest.raises(DomainError) as blocked:
        create_sale(
            user=manager,
            request=SaleRequest(
                items=[SaleLineRequest(product_id=shop["rice"].pk, quantity=D("1"))],
                payments=[PaymentRequest("credit", D("25.00"))],
                customer_id=shop["regular"].pk,
            ),
        )

    assert archived.value.code == "PRODUCT_ARCHIVED" and blocked.value.code == "CUSTOMER_BLOCKED"


def test_admin_lists_the_new_exception_kinds_and_the_price_history(client, admin_user, cashier, shop, till):
    till.sell([(shop["soap"], "1")], customer=shop["regular"], on_account=True)
    _block(shop["regular"])
    till.sync(cashier)
    client.force_login(admin_user)

    exceptions = client.get("/admin/offline/syncexception/?kind__exact=CUSTOMER_BLOCKED")
    history = client.get("/admin/offline/pricehistory/")

    assert len(exceptions.context["cl"].result_list) == 1
    assert history.status_code == 200 and len(history.context["cl"].result_list) == 3
