from decimal import Decimal
from io import StringIO
from unittest import mock

import pytest
import tablib
from django.contrib.admin import site
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers import services
from customers.admin import CustomerAdmin
from customers.models import Customer
from customers.resources import CustomerResource
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
HEADER = "name,phone,email,address,type,credit_limit,status,notes\n"
ADMIN = "/admin/customers/customer/"


def test_export_then_import_round_trip(tmp_path, manager):
    CustomerFactory(
        name="Ada", phone="+2348030000001", credit_limit=Decimal("50.00"), customer_type="wholesale"
    )
    CustomerFactory(name="Bola", phone="+2348030000002")
    path = tmp_path / "customers.csv"
    call_command("export_customers", "--output", str(path), stderr=StringIO())
    before = list(
        Customer.objects.order_by("phone").values("name", "phone", "customer_type", "credit_limit", "status")
    )
    Customer.objects.all().delete()

    call_command("import_customers", str(path), "--user", "manager", stdout=StringIO())

    after = list(
        Customer.objects.order_by("phone").values("name", "phone", "customer_type", "credit_limit", "status")
    )
    assert after == before


def test_import_upserts_by_phone(tmp_path, manager):
    CustomerFactory(name="Old Name", phone="+2348030000001")
    path = tmp_path / "c.csv"
    path.write_text(
        HEADER + "New Name,+2348030000001,,,retail,10.00,active,\nZee,+2348030000009,,,retail,0,active,\n"
    )

    call_command("import_customers", str(path), "--user", "manager", stdout=StringIO())

    assert sorted(Customer.objects.values_list("phone", "name", "credit_limit")) == [
        ("+2348030000001", "New Name", Decimal("10.00")),
        ("+2348030000009", "Zee", Decimal("0.00")),
    ]


def test_bad_row_imports_nothing_and_reports_row(tmp_path, manager):
    path = tmp_path / "c.csv"
    path.write_text(
        HEADER
        + "Good,+2348030000001,,,retail,10.00,active,\nBad,+2348030000002,not-an-email,,retail,-5,active,\n"
    )
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_customers", str(path), "--user", "manager", stdout=StringIO(), stderr=err)

    assert Customer.objects.count() == 0
    assert "row 2" in err.getvalue()


def test_dry_run_saves_nothing(tmp_path, manager):
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "Good,+2348030000001,,,retail,10.00,active,\n")

    call_command("import_customers", str(path), "--user", "manager", "--dry-run", stdout=StringIO())

    assert Customer.objects.count() == 0


def dataset(text):
    return tablib.Dataset().load(HEADER + text, format="csv")


def row_errors(result):
    """(row number, column, message) for every invalid row."""
    return [
        (row.number, column, message)
        for row in result.invalid_rows
        for column, messages in row.error_dict.items()
        for message in messages
    ]


def test_import_by_cashier_cannot_change_credit_limit(cashier):
    ada = CustomerFactory(name="Ada", phone="+2348030000001", credit_limit=Decimal("50.00"))

    result = CustomerResource().import_data(
        dataset("Ada Obi,+2348030000001,,,retail,500.00,active,\n"), user=cashier
    )

    assert row_errors(result) == [(1, "credit_limit", "Only a manager can change a customer's credit limit.")]
    ada.refresh_from_db()
    assert (ada.name, ada.credit_limit) == ("Ada", Decimal("50.00"))


def test_import_by_cashier_updates_profile_when_credit_limit_unchanged(cashier):
    ada = CustomerFactory(name="Ada", phone="+2348030000001", credit_limit=Decimal("50.00"))

    result = CustomerResource().import_data(
        dataset("Ada Obi,+2348030000001,,,retail,50.00,active,\n"), user=cashier
    )

    assert not result.has_errors() and not result.has_validation_errors()
    ada.refresh_from_db()
    assert (ada.name, ada.credit_limit) == ("Ada Obi", Decimal("50.00"))


def test_import_command_as_cashier_refuses_new_credit_and_imports_nothing(tmp_path, cashier):
    path = tmp_path / "c.csv"
    path.write_text(
        HEADER + "Good,+2348030000001,,,retail,0,active,\nCredit,+2348030000002,,,retail,20.00,active,\n"
    )
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_customers", str(path), "--user", "cashier", stdout=StringIO(), stderr=err)

    assert "row 2, column credit_limit: Only a manager can give a customer credit." in err.getvalue()
    assert Customer.objects.count() == 0


def test_import_invalid_row_rolls_back_the_whole_import(manager):
    ada = CustomerFactory(name="Ada", phone="+2348030000001")
    rows = (
        "Ada Obi,+2348030000001,,,retail,10.00,active,\n"
        "New,+2348030000002,,,retail,0,active,\n"
        "Bad,+2348030000003,,,retail,1.001,active,\n"
    )

    result = CustomerResource().import_data(dataset(rows), dry_run=False, user=manager)

    assert row_errors(result) == [(3, "credit_limit", "Amounts can have at most two decimal places.")]
    ada.refresh_from_db()
    assert (ada.name, ada.credit_limit) == ("Ada", Decimal("0.00"))
    assert Customer.objects.count() == 1


def test_import_writes_through_service_as_importing_user(manager):
    ada = CustomerFactory(name="Ada", phone="+2348030000001", credit_limit=Decimal("5.00"))
    rows = "Ada,+2348030000001,,,retail,75.00,blocked,\n  Bola  ,+2348030000002,,,wholesale,0,archived,\n"

    with mock.patch.object(services, "update_customer", wraps=services.update_customer) as update:
        result = CustomerResource().import_data(dataset(rows), user=manager)

    assert not result.has_errors() and not result.has_validation_errors()
    assert update.call_args_list[0] == mock.call(
        user=manager, customer_id=ada.pk, credit_limit=Decimal("75.00")
    )
    assert sorted(Customer.objects.values_list("name", "credit_limit", "status", "created_by")) == [
        ("Ada", Decimal("75.00"), "blocked", None),
        ("Bola", Decimal("0.00"), "archived", manager.pk),
    ]


def test_import_blank_status_type_and_limit_keep_current_values(cashier):
    ada = CustomerFactory(
        phone="+2348030000001", customer_type="wholesale", credit_limit=Decimal("9.00"), status="blocked"
    )

    result = CustomerResource().import_data(dataset("Ada Obi,+2348030000001,,,,,,\n"), user=cashier)

    assert not result.has_validation_errors()
    ada.refresh_from_db()
    assert (ada.name, ada.customer_type, ada.credit_limit, ada.status) == (
        "Ada Obi",
        "wholesale",
        Decimal("9.00"),
        "blocked",
    )


def test_import_rows_without_phone_are_always_created(manager):
    CustomerFactory(name="No phone", phone="")

    CustomerResource().import_data(dataset("Walk-in A,,,,retail,0,active,\n"), user=manager)

    assert sorted(Customer.objects.values_list("name", flat=True)) == ["No phone", "Walk-in A"]


def test_import_without_user_is_a_programming_error():
    with pytest.raises(ValueError, match="importing user"):
        CustomerResource().import_data(dataset("A,+2348030000001,,,retail,0,active,\n"))


def test_admin_import_runs_as_the_logged_in_manager(client, manager):
    ada = CustomerFactory(name="Ada", phone="+2348030000001", credit_limit=Decimal("5.00"))
    client.force_login(manager)
    csv_format = [f().get_title() for f in CustomerAdmin(Customer, site).get_import_formats()].index("csv")
    upload = SimpleUploadedFile("c.csv", (HEADER + "Ada,+2348030000001,,,retail,80.00,active,\n").encode())

    preview = client.post(f"{ADMIN}import/", {"import_file": upload, "format": csv_format, "resource": 0})
    confirm = preview.context["confirm_form"]
    response = client.post(f"{ADMIN}process_import/", confirm.initial)

    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.credit_limit == Decimal("80.00")


@pytest.mark.postgres
def test_import_locks_each_updated_customer(manager):
    CustomerFactory(phone="+2348030000001")

    with CaptureQueriesContext(connection) as queries:
        CustomerResource().import_data(dataset("Ada,+2348030000001,,,retail,10.00,active,\n"), user=manager)

    assert any(
        '"customers_customer"' in q["sql"] and "FOR NO KEY UPDATE" in q["sql"]
        for q in queries.captured_queries
    )


def test_import_unreadable_credit_limit_is_a_row_error_on_its_column(manager):
    result = CustomerResource().import_data(dataset("A,+2348030000001,,,retail,lots,active,\n"), user=manager)

    assert [(number, column) for number, column, _ in row_errors(result)] == [(1, "credit_limit")]
    assert Customer.objects.count() == 0


def test_import_invalid_type_is_reported_on_the_type_column(manager):
    result = CustomerResource().import_data(dataset("A,+2348030000001,,,vip,0,active,\n"), user=manager)

    assert [(number, column) for number, column, _ in row_errors(result)] == [(1, "type")]
    assert Customer.objects.count() == 0


def test_import_by_cashier_cannot_block_or_archive(cashier):
    ada, bola = CustomerFactory(phone="+2348030000001"), CustomerFactory(phone="+2348030000002")
    rows = f"{ada.name},+2348030000001,,,retail,0,blocked,\n{bola.name},+2348030000002,,,retail,0,archived,\n"

    result = CustomerResource().import_data(dataset(rows), user=cashier)

    assert row_errors(result) == [
        (1, "status", "Only a manager can change a customer's status."),
        (2, "status", "Only a manager can archive customers."),
    ]
    assert set(Customer.objects.values_list("status", flat=True)) == {"active"}


def test_import_matches_a_local_format_phone_to_the_stored_e164_number(manager):
    ada = CustomerFactory(name="Ada", phone="+2348030000001")

    result = CustomerResource().import_data(
        dataset("Ada Obi,0803 000 0001,,,retail,0,active,\n"), dry_run=False, user=manager
    )

    assert row_errors(result) == []
    assert list(Customer.objects.values_list("pk", "name", "phone")) == [
        (ada.pk, "Ada Obi", "+2348030000001")
    ]


def test_import_invalid_phone_reported_on_the_phone_column(manager):
    result = CustomerResource().import_data(
        dataset("Ada,abc,,,retail,0,active,\n"), dry_run=False, user=manager
    )

    assert [(row, column) for row, column, _message in row_errors(result)] == [(1, "phone")]
    assert Customer.objects.count() == 0
