"""The returns admin: approve / reject one return on a confirmation page through returns.services."""

from decimal import Decimal

import pytest

from accounts.models import User
from returns import services
from returns.models import Return
from returns.services import ReturnLineRequest
from sales import services as sale_services
from sales.services import PaymentRequest, SaleLineRequest, SaleRequest
from tests.sales.helpers import stock_of

pytestmark = pytest.mark.django_db
D = Decimal
CHANGELIST = "/admin/returns/return/"


@pytest.fixture
def pending(cashier, shop):
    """A pending return of 2 of 5 soaps bought for cash (restocked when approved)."""
    sale = sale_services.create_sale(
        user=cashier,
        request=SaleRequest(
            items=[SaleLineRequest(product_id=shop["soap"].pk, quantity=D("5"))],
            payments=[PaymentRequest("cash", D("50.00"))],
        ),
    ).sale
    line = sale.items.get()
    return services.create_return(
        user=cashier,
        sale_id=sale.pk,
        lines=[ReturnLineRequest(sale_item_id=line.pk, quantity=D("2"), restock=True)],
        refund_method="cash",
    )


def test_approve_confirmation_page_then_approve_restocks(client, manager, shop, pending):
    client.force_login(manager)
    url = f"{CHANGELIST}{pending.pk}/approve/"

    page = client.get(url)
    response = client.post(url, {"note": "Unopened"}, follow=True)

    html = page.content.decode()
    assert pending.return_number in html and 'value="Approve return"' in html and "2.000 × Soap" in html
    assert response.redirect_chain == [(f"{CHANGELIST}{pending.pk}/change/", 302)]
    pending.refresh_from_db()
    assert (pending.status, pending.decided_by) == ("approved", manager)
    assert stock_of(shop["soap"]) == D("47.000")
    assert f"Return {pending.return_number} approved." in response.content.decode()


def test_reject_with_reason_moves_nothing(client, manager, shop, pending):
    client.force_login(manager)

    response = client.post(f"{CHANGELIST}{pending.pk}/reject/", {"reason": "Opened and used"})

    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.decision_note) == ("rejected", "Opened and used")
    assert stock_of(shop["soap"]) == D("45.000")


def test_reject_without_reason_shows_required_and_changes_nothing(client, manager, pending):
    client.force_login(manager)

    response = client.post(f"{CHANGELIST}{pending.pk}/reject/", {"reason": ""})

    assert response.context["form"].errors["reason"] == ["Say why the return is rejected."]
    assert Return.objects.get(pk=pending.pk).status == "pending"


def test_approve_decided_return_shows_refusal_above_form(client, manager, shop, pending):
    services.reject_return(user=manager, return_id=pending.pk, reason="no")
    client.force_login(manager)

    response = client.post(f"{CHANGELIST}{pending.pk}/approve/", {"note": ""})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        f"Return {pending.return_number} was already rejected."
    ]
    assert stock_of(shop["soap"]) == D("45.000")


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_decide_pages_refuse_cashier_even_with_staff_flag(client, cashier, pending, action):
    User.objects.filter(pk=cashier.pk).update(is_staff=True)
    client.force_login(cashier)

    response = client.post(f"{CHANGELIST}{pending.pk}/{action}/", {"reason": "x", "note": ""})

    assert response.status_code == 403
    assert Return.objects.get(pk=pending.pk).status == "pending"


def test_return_list_and_change_page_link_the_decisions(client, manager, pending):
    client.force_login(manager)

    listing = client.get(CHANGELIST).content.decode()
    change = client.get(f"{CHANGELIST}{pending.pk}/change/").content.decode()

    for html in (listing, change):
        assert f'href="{CHANGELIST}{pending.pk}/approve/"' in html
        assert f'href="{CHANGELIST}{pending.pk}/reject/"' in html
