"""Account rules that leak nothing: password resets, stolen refresh tokens, colleagues' details."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from graphql_relay import to_global_id

from accounts.models import User
from sales import services as sale_services
from sales.services import PaymentRequest, SaleLineRequest, SaleRequest
from tests.accounts.test_tokens import ME, REFRESH, login
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

CHANGE_PASSWORD = """
mutation($input: ChangePasswordInput!) {
  changePassword(input: $input) { success message errors { field code message } token }
}
"""
SALE_CASHIER = """query($id: ID!) { sale(id: $id) { cashier {
  id displayName firstName lastName username email role isActive dateJoined lastLogin } } }"""
PRIVATE = ("username", "email", "role", "isActive", "dateJoined", "lastLogin")


def _reset(client, user_id):
    return client(CHANGE_PASSWORD, {"input": {"userId": user_id, "newPassword": "Brand-New-Pass-77"}})


def test_change_password_unknown_and_forbidden_ids_answer_the_same(as_cashier, manager):
    unknown = str(User.objects.order_by("-pk").first().pk + 100)

    answers = [
        _reset(as_cashier, user_id).body
        for user_id in (str(manager.pk), unknown, to_global_id("User", unknown), "not-an-id")
    ]

    assert answers[0]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert answers[0]["data"] == {"changePassword": None}
    assert all(
        (a["data"], a["errors"][0]["message"], a["errors"][0]["extensions"])
        == (answers[0]["data"], answers[0]["errors"][0]["message"], answers[0]["errors"][0]["extensions"])
        for a in answers
    )
    manager.refresh_from_db()
    assert manager.check_password(TEST_PASSWORD)


def test_change_password_own_id_is_allowed_for_a_cashier(as_cashier, cashier):
    result = as_cashier(
        CHANGE_PASSWORD,
        {
            "input": {
                "userId": str(cashier.pk),
                "oldPassword": TEST_PASSWORD,
                "newPassword": "Brand-New-Pass-77",
            }
        },
    ).payload("changePassword")

    assert result["success"] is True and result["token"]


def test_change_password_unknown_id_for_admin_is_not_found(as_admin):
    result = _reset(as_admin, "999999").payload("changePassword")

    assert [e["code"] for e in result["errors"]] == ["NOT_FOUND"]


def test_refresh_token_reuse_kills_every_access_token_of_the_user(gql, cashier, manager):
    till = login(gql, cashier).payload("tokenAuth")
    phone = login(gql, cashier).payload("tokenAuth")
    colleague = login(gql, manager).payload("tokenAuth")
    gql(None)(REFRESH, {"t": till["refreshToken"]}).payload("refreshToken")
    assert gql(None)(ME, token=phone["token"]).payload("me")["username"] == "cashier"

    reuse = gql(None)(REFRESH, {"t": till["refreshToken"]})

    assert reuse.error_codes() == ["REFRESH_TOKEN_REUSED"]
    for token in (till["token"], phone["token"]):
        assert gql(None)(ME, token=token).error_codes() == ["UNAUTHENTICATED"]
    assert gql(None)(ME, token=colleague["token"]).payload("me")["username"] == "manager"
    assert login(gql, cashier).payload("tokenAuth")["token"]  # the owner can log in again


@pytest.fixture
def colleague_sale(shop):
    colleague = UserFactory(
        role="cashier", username="colleague", first_name="Ada", last_name="Obi", email="ada@shop.test"
    )
    User.objects.filter(pk=colleague.pk).update(last_login=timezone.now() - timedelta(hours=1))
    request = SaleRequest(
        items=[SaleLineRequest(product_id=shop["soap"].pk, quantity=Decimal("1"))],
        payments=[PaymentRequest("cash", Decimal("10.00"))],
    )
    return sale_services.create_sale(user=colleague, request=request).sale


def test_cashier_sees_a_colleague_only_as_display_name(as_cashier, colleague_sale):
    seen = as_cashier(SALE_CASHIER, {"id": str(colleague_sale.pk)}).payload("sale")["cashier"]

    assert seen["displayName"] == "Ada Obi"
    assert (seen["firstName"], seen["lastName"]) == ("Ada", "Obi")
    assert {name: seen[name] for name in PRIVATE} == dict.fromkeys(PRIVATE)


def test_manager_sees_a_colleagues_details(as_manager, colleague_sale):
    seen = as_manager(SALE_CASHIER, {"id": str(colleague_sale.pk)}).payload("sale")["cashier"]

    assert (seen["username"], seen["email"], seen["role"], seen["isActive"]) == (
        "colleague",
        "ada@shop.test",
        "CASHIER",
        True,
    )
    assert seen["lastLogin"] is not None and seen["dateJoined"] is not None


def test_cashier_sees_own_details_on_own_sale(gql, colleague_sale):
    colleague = colleague_sale.cashier

    seen = gql(colleague)(SALE_CASHIER, {"id": str(colleague_sale.pk)}).payload("sale")["cashier"]

    assert (seen["username"], seen["email"], seen["role"]) == ("colleague", "ada@shop.test", "CASHIER")


def test_display_name_falls_back_to_username(gql, db):
    nameless = UserFactory(username="till7", first_name="", last_name="")

    assert gql(nameless)("{ me { displayName } }").payload("me") == {"displayName": "till7"}


def test_token_auth_payload_shows_the_callers_own_details(gql, cashier):
    result = login(gql, cashier).payload("tokenAuth")

    assert result["user"] == {"username": "cashier"}
