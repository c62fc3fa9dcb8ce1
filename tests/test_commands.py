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


def test_check_ledgers_passes_on_empty_database():
    out = StringIO()
    call_command("check_ledgers", stdout=out)

    assert "All ledgers reconcile" in out.getvalue()
