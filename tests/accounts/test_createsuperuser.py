"""Django's own `createsuperuser`, the first command a Django user types, makes a shop admin."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from shared.roles import Role
from tests.factories import UserFactory

CREATE_CATEGORY = """
mutation($input: CreateCategoryInput!) { createCategory(input: $input) { success errors { code } category { name } } }
"""
TOKEN_AUTH = 'mutation { tokenAuth(username: "owner", password: "Owner-Pass-2026") { token } }'

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Owner-Pass-2026")
    out = StringIO()
    call_command(
        "createsuperuser", "--noinput", "--username", "owner", "--email", "o@example.com", stdout=out
    )
    assert "Superuser created successfully" in out.getvalue()
    return User.objects.get(username="owner")


def test_createsuperuser_noinput_makes_an_admin(owner):
    assert (owner.role, owner.is_staff, owner.is_superuser) == (Role.ADMIN, True, True)
    assert owner.check_password("Owner-Pass-2026")


def test_createsuperuser_user_opens_the_admin(owner):
    client = Client()
    assert client.login(username="owner", password="Owner-Pass-2026")

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200


def test_createsuperuser_user_runs_a_manager_only_mutation_with_their_token(owner, gql):
    token = gql(None)(TOKEN_AUTH).payload("tokenAuth")["token"]
    cashier_refused = gql(UserFactory(role=Role.CASHIER))(CREATE_CATEGORY, {"input": {"name": "Nope"}})

    created = gql(None)(CREATE_CATEGORY, {"input": {"name": "Medicine"}}, token=token)

    assert cashier_refused.error_codes() == ["FORBIDDEN"]
    assert created.payload("createCategory") == {
        "success": True,
        "errors": [],
        "category": {"name": "Medicine"},
    }


def test_user_flags_still_follow_an_explicit_role():
    cashier = User.objects.create_user(username="till", password="Till-Pass-2026")
    cashier.is_superuser = True
    cashier.save()

    assert (cashier.role, cashier.is_staff, cashier.is_superuser) == (Role.CASHIER, False, False)
