"""JWT safety: every property the foundation issue lists, each with a test that can fail."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from graphql_jwt.shortcuts import get_token

from accounts.models import RefreshToken
from accounts.services import change_password, deactivate_user
from tests.factories import TEST_PASSWORD, UserFactory

ME = "{ me { username role } }"
TOKEN_AUTH = """
mutation($username: String!, $password: String!) {
  tokenAuth(username: $username, password: $password) { token refreshToken refreshExpiresIn user { username } }
}
"""
REFRESH = "mutation($t: String!) { refreshToken(refreshToken: $t) { token refreshToken } }"
REVOKE = "mutation($t: String!) { revokeToken(refreshToken: $t) { revoked } }"
VERIFY = "mutation($t: String!) { verifyToken(token: $t) { payload } }"


def login(gql, user, password=TEST_PASSWORD):
    return gql(None)(TOKEN_AUTH, {"username": user.username, "password": password})


def forge(payload: dict, key: str = settings.JWT_SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(payload, key, algorithm=algorithm)


def claims_for(user, **overrides):
    now = datetime.now(UTC)
    claims = {
        "username": user.username,
        "sub": str(user.pk),
        "role": user.role,
        "ver": user.token_version,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
    }
    claims.update(overrides)
    return claims


def test_token_auth_with_right_password_returns_working_tokens(gql, cashier):
    result = login(gql, cashier).payload("tokenAuth")

    me = gql(None)(ME, token=result["token"]).payload("me")
    assert me == {"username": "cashier", "role": "CASHIER"}
    assert result["refreshToken"]


def test_token_auth_wrong_password_is_refused_without_tokens(gql, cashier):
    response = login(gql, cashier, password="wrong-password")

    assert response.data["tokenAuth"] is None
    assert response.error_codes() == ["INVALID_CREDENTIALS"]
    assert RefreshToken.objects.count() == 0


def test_access_token_lives_at_most_15_minutes(gql, cashier):
    token = login(gql, cashier).payload("tokenAuth")["token"]

    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] <= 15 * 60


def test_expired_access_token_is_refused(gql, cashier):
    past = datetime.now(UTC) - timedelta(minutes=1)
    token = forge(
        claims_for(cashier, iat=int((past - timedelta(minutes=5)).timestamp()), exp=int(past.timestamp()))
    )

    response = gql(None)(ME, token=token)

    assert response.data["me"] is None
    assert response.error_codes() == ["UNAUTHENTICATED"]
    assert "expired" in response.errors[0]["message"].lower()


def test_token_without_expiry_is_refused(gql, cashier):
    claims = claims_for(cashier)
    del claims["exp"]

    response = gql(None)(ME, token=forge(claims))

    assert response.error_codes() == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    "token_maker",
    [
        pytest.param(lambda c: forge(c, key="some-other-secret-key-that-is-long-enough"), id="other-key"),
        pytest.param(lambda c: forge(c, key=settings.SECRET_KEY), id="django-secret-key"),
        pytest.param(lambda c: forge(c, algorithm="HS384"), id="same-key-other-algorithm"),
        pytest.param(lambda c: jwt.encode(c, None, algorithm="none"), id="alg-none"),
        pytest.param(lambda c: forge(c) + "x", id="tampered-signature"),
    ],
)
def test_forged_tokens_are_refused(gql, cashier, token_maker):
    response = gql(None)(ME, token=token_maker(claims_for(cashier)))

    assert response.data["me"] is None
    assert response.error_codes() == ["UNAUTHENTICATED"]


def test_token_is_read_from_authorization_header_only(db, cashier):
    token = get_token(cashier)
    client = Client()
    client.cookies["JWT"] = token
    client.force_login(cashier)  # a Django session must not count either: the endpoint is CSRF-exempt

    response = client.post("/graphql/", {"query": ME}, content_type="application/json")

    assert response.json()["data"]["me"] is None
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_bearer_prefix_is_not_accepted(db, cashier):
    response = Client().post(
        "/graphql/",
        {"query": ME},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {get_token(cashier)}",
    )

    assert response.json()["data"]["me"] is None


def test_refresh_token_rotates_and_old_one_cannot_be_reused(gql, cashier):
    first = login(gql, cashier).payload("tokenAuth")

    second = gql(None)(REFRESH, {"t": first["refreshToken"]}).payload("refreshToken")
    reuse = gql(None)(REFRESH, {"t": first["refreshToken"]})

    assert second["refreshToken"] != first["refreshToken"]
    assert reuse.error_codes() == ["REFRESH_TOKEN_REUSED"]
    # Reuse means the token leaked: the legitimate newer token is revoked too.
    after = gql(None)(REFRESH, {"t": second["refreshToken"]})
    assert after.error_codes() == ["INVALID_REFRESH_TOKEN"]
    assert RefreshToken.objects.filter(user=cashier, revoked_at__isnull=True).count() == 0


def test_refresh_chain_cannot_outlive_absolute_cap(gql, cashier):
    first = login(gql, cashier).payload("tokenAuth")
    started = timezone.now() - settings.REFRESH_TOKEN_ABSOLUTE_LIFETIME + timedelta(hours=1)
    RefreshToken.objects.filter(user=cashier).update(family_started_at=started)

    rotated = gql(None)(REFRESH, {"t": first["refreshToken"]}).payload("refreshToken")

    new_row = RefreshToken.objects.get(user=cashier, used_at__isnull=True)
    assert new_row.expires_at <= started + settings.REFRESH_TOKEN_ABSOLUTE_LIFETIME
    RefreshToken.objects.filter(pk=new_row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    refused = gql(None)(REFRESH, {"t": rotated["refreshToken"]})
    assert refused.error_codes() == ["REFRESH_TOKEN_EXPIRED"]


def test_expired_refresh_token_is_refused(gql, cashier):
    first = login(gql, cashier).payload("tokenAuth")
    RefreshToken.objects.filter(user=cashier).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = gql(None)(REFRESH, {"t": first["refreshToken"]})

    assert response.error_codes() == ["REFRESH_TOKEN_EXPIRED"]


def test_password_change_invalidates_earlier_access_and_refresh_tokens(gql, cashier):
    old = login(gql, cashier).payload("tokenAuth")

    new_pair = change_password(user=cashier, old_password=TEST_PASSWORD, new_password="Another-Long-Pass-42")

    assert gql(None)(ME, token=old["token"]).error_codes() == ["UNAUTHENTICATED"]
    assert gql(None)(REFRESH, {"t": old["refreshToken"]}).error_codes() == ["INVALID_REFRESH_TOKEN"]
    assert gql(None)(ME, token=new_pair.token).payload("me")["username"] == "cashier"


def test_deactivation_invalidates_every_token(gql, cashier, admin_user):
    old = login(gql, cashier).payload("tokenAuth")

    deactivate_user(actor=admin_user, user=cashier)

    assert gql(None)(ME, token=old["token"]).error_codes() == ["UNAUTHENTICATED"]
    assert gql(None)(REFRESH, {"t": old["refreshToken"]}).error_codes() == ["INVALID_REFRESH_TOKEN"]
    assert login(gql, cashier).error_codes() == ["INVALID_CREDENTIALS"]


def test_revoked_refresh_token_cannot_be_used(gql, cashier):
    pair = login(gql, cashier).payload("tokenAuth")

    assert gql(None)(REVOKE, {"t": pair["refreshToken"]}).payload("revokeToken") == {"revoked": True}
    assert gql(None)(REFRESH, {"t": pair["refreshToken"]}).error_codes() == ["INVALID_REFRESH_TOKEN"]


def test_verify_token_checks_revocation(gql, cashier):
    token = get_token(cashier)
    assert gql(None)(VERIFY, {"t": token}).payload("verifyToken")["payload"]["username"] == "cashier"

    cashier.token_version += 1
    cashier.save()

    assert gql(None)(VERIFY, {"t": token}).error_codes() == ["UNAUTHENTICATED"]


def test_refresh_tokens_are_stored_hashed(gql, cashier):
    pair = login(gql, cashier).payload("tokenAuth")

    stored = RefreshToken.objects.get(user=cashier)
    assert pair["refreshToken"] not in stored.token_hash


class TestLoginThrottle:
    def test_locks_username_at_one_address_even_with_right_password(self, gql, cashier, settings):
        for _ in range(settings.LOGIN_FAILURES_PER_USER_ADDRESS):
            assert login(gql, cashier, password="nope").error_codes() == ["INVALID_CREDENTIALS"]

        assert login(gql, cashier).error_codes() == ["TOO_MANY_ATTEMPTS"]

    def test_aliased_attempts_in_one_request_are_each_counted(self, gql, cashier, settings):
        attempts = " ".join(
            f'a{i}: tokenAuth(username: "cashier", password: "nope{i}") {{ token }}'
            for i in range(settings.LOGIN_FAILURES_PER_USER_ADDRESS)
        )
        gql(None)(f"mutation {{ {attempts} }}")

        assert login(gql, cashier).error_codes() == ["TOO_MANY_ATTEMPTS"]

    def test_locks_client_address_across_usernames(self, gql, db, settings):
        settings.LOGIN_FAILURES_PER_IP = 3
        victim = UserFactory(username="victim")
        for name in ("a", "b", "c"):
            gql(None)(TOKEN_AUTH, {"username": name, "password": "nope"})

        assert login(gql, victim).error_codes() == ["TOO_MANY_ATTEMPTS"]

    def test_other_usernames_unaffected_by_one_locked_username(self, gql, cashier, manager, settings):
        for _ in range(settings.LOGIN_FAILURES_PER_USER_ADDRESS):
            login(gql, cashier, password="nope")

        assert login(gql, manager).payload("tokenAuth")["token"]
