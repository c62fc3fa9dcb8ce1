"""The customers admin as a back office: record a payment through the service, printable statement."""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from accounts.models import User
from customers import services
from customers.models import Customer, CustomerLedgerEntry, CustomerPayment
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
D = Decimal
CHANGELIST = "/admin/customers/customer/"


def payment_url(customer) -> str:
    return f"{CHANGELIST}{customer.pk}/record-payment/"


def statement_url(customer) -> str:
    return f"{CHANGELIST}{customer.pk}/statement/"


@pytest.fixture
def debtor(manager):
    customer = CustomerFactory(name="Ada", credit_limit=D("500.00"))
    services.adjust_balance(user=manager, customer_id=customer.pk, amount=D("70.00"), reason="Opening debt")
    customer.refresh_from_db()
    return customer


def test_record_payment_page_pays_off_debt_through_service(client, manager, debtor):
    client.force_login(manager)

    page = client.get(payment_url(debtor))
    response = client.post(
        payment_url(debtor), {"amount": "50.00", "method": "transfer", "reference": "TRX-9"}, follow=True
    )

    assert page.status_code == 200 and b'value="Record payment"' in page.content
    assert response.redirect_chain == [(f"{CHANGELIST}{debtor.pk}/change/", 302)]
    debtor.refresh_from_db()
    assert debtor.balance == D("20.00")
    payment = CustomerPayment.objects.get(customer=debtor)
    assert (payment.amount, payment.method, payment.reference, payment.user) == (
        D("50.00"),
        "transfer",
        "TRX-9",
        manager,
    )
    assert "Payment of 50.00 recorded for Ada; balance now 20.00." in response.content.decode()


@pytest.mark.parametrize(
    ("amount", "message"),
    [("0", "Amount must be greater than zero."), ("12.345", "Amounts can have at most two decimal places.")],
)
def test_record_payment_refused_amount_shows_error_on_field_and_writes_nothing(
    client, manager, debtor, amount, message
):
    client.force_login(manager)

    response = client.post(payment_url(debtor), {"amount": amount, "method": "cash"})

    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == [message]
    debtor.refresh_from_db()
    assert debtor.balance == D("70.00")
    assert not CustomerPayment.objects.exists()


def test_record_payment_offers_keep_excess_only_when_service_takes_it(client, manager, debtor):
    client.force_login(manager)

    def without_flag(*, user, customer_id, amount, method, reference="", note=""):
        raise AssertionError("only the page is rendered here")

    def with_flag(*, user, customer_id, amount, method, reference="", note="", keep_excess_as_credit=False):
        raise AssertionError("only the page is rendered here")

    with mock.patch.object(services, "record_payment", without_flag):
        without = client.get(payment_url(debtor))
    with mock.patch.object(services, "record_payment", with_flag):
        with_checkbox = client.get(payment_url(debtor))

    assert "keep_excess_as_credit" not in without.context["form"].fields
    assert "keep_excess_as_credit" in with_checkbox.context["form"].fields
    assert 'name="keep_excess_as_credit"' in with_checkbox.content.decode()


def test_record_payment_page_refuses_cashier_even_with_staff_flag(client, cashier, debtor):
    User.objects.filter(pk=cashier.pk).update(is_staff=True)
    client.force_login(cashier)

    response = client.post(payment_url(debtor), {"amount": "10.00", "method": "cash"})

    assert response.status_code == 403
    assert not CustomerPayment.objects.exists()


def test_customer_change_page_and_list_link_payment_and_statement(client, manager, debtor):
    client.force_login(manager)

    for page in (f"{CHANGELIST}{debtor.pk}/change/", CHANGELIST):
        html = client.get(page).content.decode()
        assert f'href="{payment_url(debtor)}"' in html
        assert f'href="{statement_url(debtor)}"' in html


def test_statement_page_shows_period_entries_and_closing_balance(client, manager, debtor):
    services.record_payment(
        user=manager, customer_id=debtor.pk, amount=D("30.00"), method="cash", reference="R1"
    )
    # An older entry falls before the period and only counts in the opening balance.
    CustomerLedgerEntry.objects.filter(entry_type="adjustment").update(
        created_at=timezone.now() - timedelta(days=10)
    )
    client.force_login(manager)
    today = timezone.localdate()

    response = client.get(
        statement_url(debtor),
        {"date_from": (today - timedelta(days=2)).isoformat(), "date_to": today.isoformat()},
    )

    statement = response.context["statement"]
    assert (statement.opening_balance, statement.total_credited, statement.closing_balance) == (
        D("70.00"),
        D("30.00"),
        D("40.00"),
    )
    html = response.content.decode()
    assert "Ada" in html and "R1" in html
    assert '<td class="num" id="closing-balance">40.00</td>' in html


def test_statement_page_with_reversed_period_shows_error_and_no_statement(client, manager, debtor):
    client.force_login(manager)

    response = client.get(statement_url(debtor), {"date_from": "2026-03-02", "date_to": "2026-03-01"})

    assert response.status_code == 200
    assert response.context["statement"] is None
    assert response.context["period"].errors["date_to"] == ["The end date is before the start date."]


def test_statement_page_unknown_customer_is_404_and_cashier_403(client, manager, cashier, debtor):
    client.force_login(manager)
    assert client.get(f"{CHANGELIST}999999/statement/").status_code == 404
    User.objects.filter(pk=cashier.pk).update(is_staff=True)
    client.force_login(cashier)
    assert client.get(statement_url(debtor)).status_code == 403


def test_ledger_and_payments_are_read_only_in_admin(client, manager, debtor):
    client.force_login(manager)
    entry = CustomerLedgerEntry.objects.get(customer=debtor)

    assert client.get("/admin/customers/customerledgerentry/add/").status_code == 403
    assert (
        client.post(f"/admin/customers/customerledgerentry/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert client.get("/admin/customers/customerpayment/add/").status_code == 403
    assert Customer.objects.get(pk=debtor.pk).balance == D("70.00")
