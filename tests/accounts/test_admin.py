"""User management in the admin goes through accounts.services (token version, last-admin rule)."""

import pytest

from accounts.models import User
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/accounts/user/"


def change_data(user, **overrides):
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "is_active": "on" if user.is_active else "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def test_role_change_in_admin_bumps_token_version(client, admin_user, cashier):
    client.force_login(admin_user)
    before = cashier.token_version

    response = client.post(f"{CHANGELIST}{cashier.pk}/change/", change_data(cashier, role="manager"))

    assert response.status_code == 302
    cashier.refresh_from_db()
    assert (cashier.role, cashier.is_staff) == ("manager", True)
    assert cashier.token_version == before + 1


def test_deactivation_in_admin_kills_tokens(client, admin_user, cashier):
    client.force_login(admin_user)
    before = cashier.token_version

    response = client.post(f"{CHANGELIST}{cashier.pk}/change/", change_data(cashier, is_active=""))

    assert response.status_code == 302
    cashier.refresh_from_db()
    assert (cashier.is_active, cashier.token_version) == (False, before + 1)


def test_demoting_last_admin_is_refused_on_the_form(client, admin_user):
    client.force_login(admin_user)
    before = admin_user.token_version

    response = client.post(f"{CHANGELIST}{admin_user.pk}/change/", change_data(admin_user, role="manager"))

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "The shop must keep at least one active admin."
    ]
    assert User.objects.get(pk=admin_user.pk).role == "admin"
    # The form's dry run of set_user_role was rolled back: no token revoked, staff flag untouched.
    admin_user.refresh_from_db()
    assert (admin_user.role, admin_user.is_staff, admin_user.token_version) == ("admin", True, before)


def test_name_change_keeps_tokens_and_username_is_read_only(client, admin_user, cashier):
    client.force_login(admin_user)
    before = cashier.token_version

    client.post(
        f"{CHANGELIST}{cashier.pk}/change/", change_data(cashier, first_name="Chidi", username="renamed")
    )

    cashier.refresh_from_db()
    assert (cashier.first_name, cashier.username, cashier.token_version) == ("Chidi", "cashier", before)


def test_add_user_in_admin_creates_through_service(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        f"{CHANGELIST}add/",
        {"username": "nkechi", "role": "manager", "password1": TEST_PASSWORD, "password2": TEST_PASSWORD},
    )

    assert response.status_code == 302
    user = User.objects.get(username="nkechi")
    assert (user.role, user.is_staff, user.check_password(TEST_PASSWORD)) == ("manager", True, True)


def test_users_cannot_be_deleted_and_managers_cannot_manage_users(client, admin_user, manager):
    other = UserFactory()
    client.force_login(admin_user)
    assert client.post(f"{CHANGELIST}{other.pk}/delete/", {"post": "yes"}).status_code == 403
    client.force_login(manager)
    assert client.get(f"{CHANGELIST}{other.pk}/change/").status_code == 403
    assert User.objects.filter(pk=other.pk).exists()
