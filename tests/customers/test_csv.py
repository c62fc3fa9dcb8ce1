from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from customers.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
HEADER = "name,phone,email,address,type,credit_limit,status,notes\n"


def test_export_then_import_round_trip(tmp_path):
    CustomerFactory(name="Ada", phone="0801", credit_limit=Decimal("50.00"), customer_type="wholesale")
    CustomerFactory(name="Bola", phone="0802")
    path = tmp_path / "customers.csv"
    call_command("export_customers", "--output", str(path), stderr=StringIO())
    before = list(
        Customer.objects.order_by("phone").values("name", "phone", "customer_type", "credit_limit", "status")
    )
    Customer.objects.all().delete()

    call_command("import_customers", str(path), stdout=StringIO())

    after = list(
        Customer.objects.order_by("phone").values("name", "phone", "customer_type", "credit_limit", "status")
    )
    assert after == before


def test_import_upserts_by_phone(tmp_path):
    CustomerFactory(name="Old Name", phone="0801")
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "New Name,0801,,,retail,10.00,active,\nZee,0809,,,retail,0,active,\n")

    call_command("import_customers", str(path), stdout=StringIO())

    assert sorted(Customer.objects.values_list("phone", "name", "credit_limit")) == [
        ("0801", "New Name", Decimal("10.00")),
        ("0809", "Zee", Decimal("0.00")),
    ]


def test_bad_row_imports_nothing_and_reports_row(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "Good,0801,,,retail,10.00,active,\nBad,0802,not-an-email,,retail,-5,active,\n")
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_customers", str(path), stdout=StringIO(), stderr=err)

    assert Customer.objects.count() == 0
    assert "row 2" in err.getvalue()


def test_dry_run_saves_nothing(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "Good,0801,,,retail,10.00,active,\n")

    call_command("import_customers", str(path), "--dry-run", stdout=StringIO())

    assert Customer.objects.count() == 0
