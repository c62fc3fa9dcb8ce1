"""Staff management over GraphQL: role checks and refusals that change nothing."""

import pytest
from graphql_relay import to_global_id

from accounts.models import User
from tests.factories import TEST_PASSWORD, UserFactory

CREATE_USER = """
mutation($input: CreateUserInput!) {
  createUser(input: $input) { success message errors { field code message } user { username role isActive } }
}
"""
UPDATE_USER = """
mutation($input: UpdateUserInput!) {
  updateUser(input: $input) { success message errors { field code message } user { firstName email } }
}
"""
SET_ROLE = """
mutation($input: SetUserRoleInput!) {
  setUserRole(input: $input) { success message errors { field code message } user { role } }
}
"""
DEACTIVATE = """
mutation($input: DeactivateUserInput!) {
  deactivateUser(input: $input) { success message errors { field code message } user { isActive } }
}
"""
CHANGE_PASSWORD = """
mutation($input: ChangePasswordInput!) {
  changePassword(input: $input) { success message errors { field code message } token refreshToken }
}
"""
USERS = "{ users(first: 10) { totalCount edges { node { username role } } } }"

NEW_USER = {"username": "newbie", "password": "Strong-Pass-2026", "role": "CASHIER"}


def test_admin_creates_user(as_admin):
    result = as_admin(CREATE_USER, {"input": NEW_USER}).payload("createUser")

    assert result["success"] is True
    assert result["errors"] == []
    assert result["user"] == {"username": "newbie", "role": "CASHIER", "isActive": True}
    assert User.objects.get(username="newbie").check_password("Strong-Pass-2026")


@pytest.mark.parametrize("client", ["as_cashier", "as_manager"])
def test_non_admins_cannot_create_users(request, client):
    response = request.getfixturevalue(client)(CREATE_USER, {"input": NEW_USER})

    assert response.error_codes() == ["FORBIDDEN"]
    assert response.data == {"createUser": None}
    assert not User.objects.filter(username="newbie").exists()


def test_create_user_weak_password_refused_and_nothing_created(as_admin):
    result = as_admin(CREATE_USER, {"input": {**NEW_USER, "password": "123"}}).payload("createUser")

    assert result["success"] is False
    assert {e["code"] for e in result["errors"]} == {"PASSWORD_TOO_WEAK"}
    assert result["errors"][0]["field"] == "password"
    assert not User.objects.filter(username="newbie").exists()


def test_create_user_duplicate_username_refused(as_admin, cashier):
    result = as_admin(CREATE_USER, {"input": {**NEW_USER, "username": "CASHIER"}}).payload("createUser")

    assert result["errors"] == [
        {"field": "username", "code": "USERNAME_TAKEN", "message": "That username is already taken."}
    ]
    assert User.objects.filter(username__iexact="cashier").count() == 1


def test_update_user_accepts_raw_and_global_ids(as_admin, cashier):
    raw = as_admin(UPDATE_USER, {"input": {"userId": str(cashier.pk), "firstName": "Ada"}}).payload(
        "updateUser"
    )
    glob = as_admin(
        UPDATE_USER, {"input": {"userId": to_global_id("User", cashier.pk), "email": "ada@shop.test"}}
    )

    assert raw["user"]["firstName"] == "Ada"
    assert glob.payload("updateUser")["user"] == {"firstName": "Ada", "email": "ada@shop.test"}


def test_update_unknown_user_is_not_found(as_admin):
    result = as_admin(UPDATE_USER, {"input": {"userId": "999999", "firstName": "X"}}).payload("updateUser")

    assert result["success"] is False
    assert result["errors"][0]["code"] == "NOT_FOUND"
    assert result["errors"][0]["field"] == "userId"


def test_update_user_invalid_email_refused(as_admin, cashier):
    result = as_admin(UPDATE_USER, {"input": {"userId": str(cashier.pk), "email": "not-an-email"}}).payload(
        "updateUser"
    )

    assert result["errors"][0]["field"] == "email"
    cashier.refresh_from_db()
    assert cashier.email == ""


def test_manager_cannot_update_users(as_manager, cashier):
    response = as_manager(UPDATE_USER, {"input": {"userId": str(cashier.pk), "firstName": "Hacked"}})

    assert response.error_codes() == ["FORBIDDEN"]
    cashier.refresh_from_db()
    assert cashier.first_name != "Hacked"


def test_set_role_promotes_and_ends_sessions(as_admin, gql, cashier):
    old_client = gql(cashier)

    result = as_admin(SET_ROLE, {"input": {"userId": str(cashier.pk), "role": "MANAGER"}}).payload(
        "setUserRole"
    )

    assert result["user"]["role"] == "MANAGER"
    cashier.refresh_from_db()
    assert cashier.is_staff is True
    assert old_client("{ me { role } }").error_codes() == ["UNAUTHENTICATED"]


def test_last_admin_cannot_be_demoted(as_admin, admin_user):
    result = as_admin(SET_ROLE, {"input": {"userId": str(admin_user.pk), "role": "CASHIER"}}).payload(
        "setUserRole"
    )

    assert result["errors"][0]["code"] == "LAST_ADMIN"
    admin_user.refresh_from_db()
    assert admin_user.role == "admin"


def test_cashier_cannot_set_roles(as_cashier, cashier):
    response = as_cashier(SET_ROLE, {"input": {"userId": str(cashier.pk), "role": "ADMIN"}})

    assert response.error_codes() == ["FORBIDDEN"]
    cashier.refresh_from_db()
    assert cashier.role == "cashier"


def test_deactivate_user(as_admin, cashier):
    result = as_admin(DEACTIVATE, {"input": {"userId": str(cashier.pk)}}).payload("deactivateUser")

    assert result["user"] == {"isActive": False}


def test_cannot_deactivate_self(as_admin, admin_user):
    result = as_admin(DEACTIVATE, {"input": {"userId": str(admin_user.pk)}}).payload("deactivateUser")

    assert result["errors"][0]["code"] == "CANNOT_DEACTIVATE_SELF"
    admin_user.refresh_from_db()
    assert admin_user.is_active is True


def test_manager_cannot_deactivate(as_manager, cashier):
    assert as_manager(DEACTIVATE, {"input": {"userId": str(cashier.pk)}}).error_codes() == ["FORBIDDEN"]
    cashier.refresh_from_db()
    assert cashier.is_active is True


def test_change_own_password_returns_new_tokens(as_cashier, gql, cashier):
    result = as_cashier(
        CHANGE_PASSWORD, {"input": {"oldPassword": TEST_PASSWORD, "newPassword": "Brand-New-Pass-77"}}
    ).payload("changePassword")

    assert result["success"] is True
    assert gql(None)("{ me { username } }", token=result["token"]).payload("me") == {"username": "cashier"}
    cashier.refresh_from_db()
    assert cashier.check_password("Brand-New-Pass-77")


def test_change_password_wrong_old_password_refused(as_cashier, cashier):
    result = as_cashier(
        CHANGE_PASSWORD, {"input": {"oldPassword": "wrong", "newPassword": "Brand-New-Pass-77"}}
    ).payload("changePassword")

    assert result["errors"][0] == {
        "field": "oldPassword",
        "code": "WRONG_PASSWORD",
        "message": "The current password is wrong.",
    }
    cashier.refresh_from_db()
    assert cashier.check_password(TEST_PASSWORD)


def test_cashier_cannot_reset_someone_elses_password(as_cashier, manager):
    response = as_cashier(
        CHANGE_PASSWORD, {"input": {"userId": str(manager.pk), "newPassword": "Brand-New-Pass-77"}}
    )

    assert response.error_codes() == ["FORBIDDEN"]
    manager.refresh_from_db()
    assert manager.check_password(TEST_PASSWORD)


def test_admin_resets_another_password_without_old_one(as_admin, cashier):
    result = as_admin(
        CHANGE_PASSWORD, {"input": {"userId": str(cashier.pk), "newPassword": "Reset-By-Admin-88"}}
    ).payload("changePassword")

    assert result["success"] is True
    assert result["token"] is None  # no tokens handed out for somebody else's account
    cashier.refresh_from_db()
    assert cashier.check_password("Reset-By-Admin-88")


def test_users_list_admin_only(as_admin, as_manager, cashier):
    listed = as_admin(USERS).payload("users")

    assert listed["totalCount"] == 3
    assert {e["node"]["username"] for e in listed["edges"]} == {"admin", "cashier", "manager"}
    assert as_manager(USERS).error_codes() == ["FORBIDDEN"]


def test_users_list_query_count_does_not_grow(as_admin, django_assert_num_queries):
    UserFactory.create_batch(30)

    # 1 auth user lookup + 1 count + 1 page
    with django_assert_num_queries(3):
        as_admin("{ users(first: 1) { totalCount edges { node { username } } } }")
    with django_assert_num_queries(3):
        as_admin("{ users(first: 30) { totalCount edges { node { username } } } }")


def test_roles_drive_admin_site_access(db):
    cashier = UserFactory(role="cashier")
    manager = UserFactory(role="manager")
    admin = UserFactory(role="admin")

    assert (cashier.is_staff, manager.is_staff, admin.is_staff) == (False, True, True)
    assert manager.has_module_perms("products") and manager.has_perm("sales.view_sale")
    assert not manager.has_module_perms("accounts") and not manager.has_perm("accounts.change_user")
    assert admin.has_perm("accounts.change_user")
    assert not cashier.has_module_perms("products")
