"""The customer admin writes through customers.services: row lock, manager rules, service errors on fields."""

from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers import services
from customers.admin import CustomerAdminForm
from customers.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
D = Decimal
CHANGELIST = "/admin/customers/customer/"


def form_data(customer=None, **overrides):
    data = {
        "name": customer.name if customer else "New Customer",
        "phone": customer.phone if customer else "08030000009",
        "email": customer.email if customer else "",
        "address": customer.address if customer else "",
        "customer_type": customer.customer_type if customer else "retail",
        "credit_limit": str(customer.credit_limit) if customer else "0.00",
        "status": customer.status if customer else "active",
        "notes": customer.notes if customer else "",
        # The read-only ledger inline still posts its management form.
        "ledger_entries-TOTAL_FORMS": "0",
        "ledger_entries-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_admin_change_credit_limit_by_manager_writes_through_service(client, manager):
    customer = CustomerFactory(name="Ada", credit_limit=D("50.00"))
    client.force_login(manager)

    with mock.patch.object(services, "update_customer", wraps=services.update_customer) as update:
        response = client.post(
            f"{CHANGELIST}{customer.pk}/change/", form_data(customer, credit_limit="250.00", balance="-99")
        )

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    customer.refresh_from_db()
    assert (customer.credit_limit, customer.balance, customer.name) == (D("250.00"), D("0.00"), "Ada")
    # Only the changed field reaches the service, as the manager (the form's dry run, then the write).
    assert update.call_args_list[-1] == mock.call(
        user=manager, customer_id=customer.pk, credit_limit=D("250.00")
    )
    assert update.call_count == 2


def test_admin_add_creates_through_service_with_creator_and_stripped_values(client, manager):
    client.force_login(manager)

    response = client.post(
        f"{CHANGELIST}add/", form_data(name="  Bola  ", phone=" 0803 000 0009 ", credit_limit="10")
    )

    assert response.status_code == 302
    customer = Customer.objects.get()
    assert (customer.name, customer.phone, customer.credit_limit) == ("Bola", "+2348030000009", D("10.00"))
    assert customer.created_by == manager


def test_admin_add_duplicate_phone_shows_service_error_on_field_and_saves_nothing(client, manager):
    CustomerFactory(name="Ada", phone="+2348030000001")
    client.force_login(manager)

    response = client.post(f"{CHANGELIST}add/", form_data(name="Ada again", phone="0803 000 0001"))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["phone"] == ["A customer with this phone number exists."]
    assert Customer.objects.count() == 1


def test_admin_form_shows_manager_rule_on_credit_limit_and_changes_nothing(cashier):
    # Cashiers cannot reach the admin at all (no is_staff); the form enforces the rule regardless.
    customer = CustomerFactory(name="Ada", credit_limit=D("50.00"))
    form_class = type("Form", (CustomerAdminForm,), {"user": cashier})

    form = form_class(data=form_data(customer, name="Ada Obi", credit_limit="500.00"), instance=customer)

    assert not form.is_valid()
    assert form.errors["credit_limit"] == ["Only a manager can change a customer's credit limit."]
    customer.refresh_from_db()
    assert (customer.name, customer.credit_limit) == ("Ada", D("50.00"))


def test_admin_form_lets_cashier_edit_profile_when_credit_limit_unchanged(cashier):
    customer = CustomerFactory(name="Ada", credit_limit=D("50.00"))
    form_class = type("Form", (CustomerAdminForm,), {"user": cashier})

    form = form_class(data=form_data(customer, name="Ada Obi"), instance=customer)

    assert form.is_valid(), form.errors
    customer.refresh_from_db()
    assert customer.name == "Ada"  # validation alone writes nothing


def test_admin_change_to_archived_goes_through_archive_customer(client, manager):
    customer = CustomerFactory()
    client.force_login(manager)

    with mock.patch.object(services, "archive_customer", wraps=services.archive_customer) as archive:
        response = client.post(f"{CHANGELIST}{customer.pk}/change/", form_data(customer, status="archived"))

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.status == "archived"
    assert archive.call_args == mock.call(user=manager, customer_id=customer.pk)


def test_admin_archive_action_archives_selected_customers(client, manager):
    first, second = CustomerFactory(), CustomerFactory()
    client.force_login(manager)

    response = client.post(
        CHANGELIST, {"action": "archive_selected", "_selected_action": [first.pk, second.pk]}, follow=True
    )

    assert response.status_code == 200
    assert set(Customer.objects.values_list("status", flat=True)) == {"archived"}
    assert f"{first.name} archived." in response.content.decode()


@pytest.mark.postgres
def test_admin_change_locks_the_customer_row(client, manager):
    customer = CustomerFactory(credit_limit=D("50.00"))
    client.force_login(manager)

    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            f"{CHANGELIST}{customer.pk}/change/", form_data(customer, credit_limit="60.00")
        )

    assert response.status_code == 302
    assert any(
        '"customers_customer"' in q["sql"] and "FOR NO KEY UPDATE" in q["sql"]
        for q in queries.captured_queries
    )
