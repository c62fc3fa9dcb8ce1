"""The sales admin: read-only sales, void through a confirmation page, list filters, receipt links."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from sales import services
from sales.models import Sale
from sales.services import PaymentRequest, SaleLineRequest, SaleRequest
from tests.factories import UserFactory
from tests.products.factories import LocationFactory
from tests.sales.helpers import stock_of

pytestmark = pytest.mark.django_db
D = Decimal
CHANGELIST = "/admin/sales/sale/"


def sell(user, product, quantity="1", payments=(("cash", "10.00"),), **extra) -> Sale:
    request = SaleRequest(
        items=[SaleLineRequest(product_id=product.pk, quantity=D(quantity))],
        payments=[PaymentRequest(method, D(amount)) for method, amount in payments],
        **extra,
    )
    return services.create_sale(user=user, request=request).sale


def void_url(sale) -> str:
    return f"{CHANGELIST}{sale.pk}/void/"


def listed(response) -> set[str]:
    return {sale.transaction_id for sale in response.context["cl"].result_list}


def test_void_confirmation_page_then_void_with_typed_reason(client, manager, cashier, shop):
    sale = sell(cashier, shop["soap"], "3", [("cash", "30.00")])
    client.force_login(manager)

    page = client.get(void_url(sale))
    response = client.post(void_url(sale), {"reason": "Customer changed their mind"}, follow=True)

    assert page.status_code == 200
    html = page.content.decode()
    assert sale.transaction_id in html and 'value="Void sale"' in html and "30.00" in html
    assert response.redirect_chain == [(f"{CHANGELIST}{sale.pk}/change/", 302)]
    sale.refresh_from_db()
    assert (sale.status, sale.void_reason, sale.voided_by) == (
        "voided",
        "Customer changed their mind",
        manager,
    )
    assert stock_of(shop["soap"]) == D("50.000")
    assert f"Sale {sale.transaction_id} voided" in response.content.decode()


def test_void_page_get_changes_nothing(client, manager, cashier, shop):
    sale = sell(cashier, shop["soap"])
    client.force_login(manager)

    client.get(void_url(sale))

    assert Sale.objects.get(pk=sale.pk).status == "completed"
    assert stock_of(shop["soap"]) == D("49.000")


def test_void_without_reason_shows_required_on_reason_and_changes_nothing(client, manager, cashier, shop):
    sale = sell(cashier, shop["soap"])
    client.force_login(manager)

    response = client.post(void_url(sale), {"reason": "   "})

    assert response.context["form"].errors["reason"] == ["Say why the sale is voided."]
    assert Sale.objects.get(pk=sale.pk).status == "completed"
    assert stock_of(shop["soap"]) == D("49.000")


def test_void_already_voided_sale_shows_refusal_above_form(client, manager, cashier, shop):
    sale = sell(cashier, shop["soap"])
    services.void_sale(user=manager, sale_id=sale.pk, reason="first")
    client.force_login(manager)

    response = client.post(void_url(sale), {"reason": "again"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [f"Sale {sale.transaction_id} is already voided."]
    assert stock_of(shop["soap"]) == D("50.000")


def test_void_page_refuses_cashier_even_with_staff_flag(client, cashier, shop):
    sale = sell(cashier, shop["soap"])
    User.objects.filter(pk=cashier.pk).update(is_staff=True)
    client.force_login(cashier)

    response = client.post(void_url(sale), {"reason": "mine"})

    assert response.status_code == 403
    assert Sale.objects.get(pk=sale.pk).status == "completed"


def test_sale_change_page_is_read_only_with_void_and_receipt_links(client, manager, cashier, shop):
    sale = sell(cashier, shop["soap"])
    client.force_login(manager)

    html = client.get(f"{CHANGELIST}{sale.pk}/change/").content.decode()
    posted = client.post(f"{CHANGELIST}{sale.pk}/change/", {"note": "edited"})

    assert f'href="{void_url(sale)}"' in html
    assert f'href="/receipts/{sale.transaction_id}/"' in html
    assert posted.status_code == 403
    assert client.post(f"{CHANGELIST}{sale.pk}/delete/", {"post": "yes"}).status_code == 403


def test_sales_list_filters_by_payment_method_cashier_and_location(client, manager, cashier, shop):
    other_cashier = UserFactory(username="bola")
    cash = sell(cashier, shop["soap"])
    card = sell(other_cashier, shop["soap"], payments=[("card", "10.00")])
    split = sell(cashier, shop["soap"], "2", payments=[("cash", "5.00"), ("transfer", "15.00")])
    client.force_login(manager)

    assert listed(client.get(CHANGELIST, {"payment_method": "cash"})) == {
        cash.transaction_id,
        split.transaction_id,
    }
    assert listed(client.get(CHANGELIST, {"payment_method": "card"})) == {card.transaction_id}
    assert listed(client.get(CHANGELIST, {"cashier__id__exact": other_cashier.pk})) == {card.transaction_id}
    elsewhere = LocationFactory()
    assert listed(client.get(CHANGELIST, {"location__id__exact": elsewhere.pk})) == set()
    assert listed(client.get(CHANGELIST, {"location__id__exact": shop["location"].pk})) == {
        cash.transaction_id,
        card.transaction_id,
        split.transaction_id,
    }


def test_sales_list_filters_by_date(client, manager, cashier, shop):
    old = sell(cashier, shop["soap"])
    new = sell(cashier, shop["soap"])
    Sale.objects.filter(pk=old.pk).update(created_at="2025-01-15T10:00:00Z")
    client.force_login(manager)

    january = client.get(CHANGELIST, {"created_at__year": "2025", "created_at__month": "1"})

    assert listed(january) == {old.transaction_id}
    assert new.transaction_id not in listed(january)


def test_sales_list_links_receipts_and_query_count_is_flat(client, manager, cashier, shop):
    client.force_login(manager)
    counts = []
    for extra in (2, 8):
        for _ in range(extra):
            sell(cashier, shop["soap"])
        client.get(CHANGELIST)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(CHANGELIST)
        counts.append(len(queries.captured_queries))

    sale = Sale.objects.first()
    assert f'href="/receipts/{sale.transaction_id}/"' in response.content.decode()
    assert len(response.context["cl"].result_list) == 10
    assert counts[0] == counts[1]
