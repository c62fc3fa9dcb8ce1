from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_create_admin_creates_once_and_is_idempotent():
    call_command("create_admin", "--username", "owner", "--password", "Owner-Pass-2026", stdout=StringIO())
    out = StringIO()
    call_command("create_admin", "--username", "owner", "--password", "Other-Pass-2026", stdout=out)

    owner = User.objects.get(username="owner")
    assert owner.role == "admin" and owner.is_superuser
    assert owner.check_password("Owner-Pass-2026")
    assert "already exists" in out.getvalue()


def test_create_admin_refuses_weak_password():
    with pytest.raises(CommandError):
        call_command("create_admin", "--username", "owner", "--password", "123", stdout=StringIO())

    assert not User.objects.filter(username="owner").exists()


def test_seed_demo_refuses_production_without_flag():
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())

    assert User.objects.count() == 0


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_seed_demo_builds_a_whole_shop_once(settings):
    from customers.models import Customer
    from products.models import Batch, Location, Product
    from returns.models import Return
    from sales.models import Sale

    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    counts = (Product.objects.count(), Customer.objects.count(), Sale.objects.count(), Return.objects.count())
    call_command("seed_demo", stdout=StringIO())

    assert sorted(User.objects.values_list("username", "role")) == [
        ("admin", "admin"),
        ("cashier", "cashier"),
        ("manager", "manager"),
    ]
    assert counts == (
        Product.objects.count(),
        Customer.objects.count(),
        Sale.objects.count(),
        Return.objects.count(),
    )
    assert counts[0] >= 10 and counts[1] >= 5 and counts[2] >= 5
    assert sorted(Return.objects.values_list("status", flat=True)) == ["approved", "pending"]
    assert Location.objects.count() == 2 and Batch.objects.filter(expiry_date__isnull=False).exists()
    # The API.md seed example's ids exist: product 1 at 10.00 and customer 1.
    assert (
        Product.objects.get(pk=1).retail_price == Decimal("10.00") and Customer.objects.filter(pk=1).exists()
    )
    call_command("check_ledgers", stdout=StringIO())


def test_check_ledgers_passes_on_empty_database():
    out = StringIO()
    call_command("check_ledgers", stdout=out)

    assert "All ledgers reconcile" in out.getvalue()
