"""Login throttle: shared by every worker, locks by (username, address), brute force stays bounded."""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory

from accounts import throttle
from accounts.models import LoginThrottle
from tests.accounts.test_tokens import TOKEN_AUTH
from tests.factories import TEST_PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[2]
TILL, STRANGER = "10.0.0.5", "203.0.113.9"


def attempt(gql, username, password, address):
    return gql(None)(TOKEN_AUTH, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAILURES_PER_USER_ADDRESS = 3
    settings.LOGIN_FAILURES_PER_USERNAME = 6
    settings.LOGIN_FAILURES_PER_IP = 4
    return settings


@pytest.mark.django_db
def test_stranger_elsewhere_cannot_lock_cashier_out_of_own_till(gql, cashier, limits):
    assert attempt(gql, "cashier", TEST_PASSWORD, TILL).payload("tokenAuth")["token"]
    for address in ("203.0.113.1", "203.0.113.2"):
        for _ in range(limits.LOGIN_FAILURES_PER_USER_ADDRESS):
            attempt(gql, "cashier", "guess", address)

    at_till = attempt(gql, "cashier", TEST_PASSWORD, TILL)

    assert at_till.payload("tokenAuth")["token"]


@pytest.mark.django_db
def test_guessing_from_many_addresses_stays_bounded_by_the_username_limit(gql, cashier, limits):
    codes = [
        attempt(gql, "cashier", "guess", f"203.0.113.{n}").error_codes()[0]
        for n in range(limits.LOGIN_FAILURES_PER_USERNAME + 3)
    ]

    assert codes.count("INVALID_CREDENTIALS") == limits.LOGIN_FAILURES_PER_USERNAME
    assert attempt(gql, "cashier", TEST_PASSWORD, "198.51.100.7").error_codes() == ["TOO_MANY_ATTEMPTS"]


@pytest.mark.django_db
def test_failures_at_the_own_till_still_lock_that_till(gql, cashier, limits):
    attempt(gql, "cashier", TEST_PASSWORD, TILL).payload("tokenAuth")
    for _ in range(limits.LOGIN_FAILURES_PER_USER_ADDRESS):
        attempt(gql, "cashier", "guess", TILL)

    assert attempt(gql, "cashier", TEST_PASSWORD, TILL).error_codes() == ["TOO_MANY_ATTEMPTS"]
    assert attempt(gql, "cashier", TEST_PASSWORD, "10.0.0.6").payload("tokenAuth")["token"]


@pytest.mark.django_db
def test_spraying_usernames_from_the_shops_address_spares_its_known_tills(gql, cashier, limits):
    newcomer = UserFactory(username="newcomer")
    attempt(gql, "cashier", TEST_PASSWORD, TILL).payload("tokenAuth")
    for n in range(limits.LOGIN_FAILURES_PER_IP):
        attempt(gql, f"nobody{n}", "guess", TILL)

    assert attempt(gql, "cashier", TEST_PASSWORD, TILL).payload("tokenAuth")["token"]
    assert attempt(gql, newcomer.username, TEST_PASSWORD, TILL).error_codes() == ["TOO_MANY_ATTEMPTS"]


@pytest.mark.django_db
def test_success_clears_the_tills_failures(gql, cashier, limits):
    for _ in range(limits.LOGIN_FAILURES_PER_USER_ADDRESS - 1):
        attempt(gql, "cashier", "typo", TILL)
    attempt(gql, "cashier", TEST_PASSWORD, TILL).payload("tokenAuth")

    attempt(gql, "cashier", "typo", TILL)

    assert attempt(gql, "cashier", TEST_PASSWORD, TILL).payload("tokenAuth")["token"]


@pytest.mark.django_db
def test_lock_survives_an_empty_cache_like_a_fresh_worker(gql, cashier, limits):
    for _ in range(limits.LOGIN_FAILURES_PER_USER_ADDRESS):
        attempt(gql, "cashier", "guess", STRANGER)

    cache.clear()  # what another worker with per-process memory would hold

    assert attempt(gql, "cashier", TEST_PASSWORD, STRANGER).error_codes() == ["TOO_MANY_ATTEMPTS"]


@pytest.mark.django_db
def test_expired_window_starts_again(cashier, limits):
    for _ in range(limits.LOGIN_FAILURES_PER_USER_ADDRESS):
        throttle.record_failure(username="cashier", ip=STRANGER)
    assert throttle.is_locked_out(username="cashier", ip=STRANGER)
    LoginThrottle.objects.update(expires_at="2000-01-01T00:00:00Z")

    throttle.record_failure(username="cashier", ip=STRANGER)

    assert not throttle.is_locked_out(username="cashier", ip=STRANGER)
    assert set(LoginThrottle.objects.values_list("failures", flat=True)) == {1}


@pytest.mark.parametrize(
    "trust,header,expected",
    [
        (False, "10.0.0.5", "192.0.2.1"),
        (True, "10.0.0.5", "10.0.0.5"),
        (True, "10.0.0.5, 198.51.100.4", "198.51.100.4"),  # the first hop is the client's own claim
        (True, "", "192.0.2.1"),
    ],
)
def test_client_ip_trusts_only_the_proxys_hop(settings, trust, header, expected):
    settings.TRUST_X_FORWARDED_FOR = trust
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=header)

    assert throttle.client_ip(request) == expected


# --- Two worker processes over PostgreSQL -------------------------------------------------------------

WORKER = """
import django, sys
django.setup()
from accounts import throttle
for _ in range(int(sys.argv[1])):
    throttle.record_failure(username="cashier", ip="203.0.113.9")
"""


def _worker_process(failures: int) -> subprocess.CompletedProcess:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    return subprocess.run(
        [sys.executable, "-c", WORKER, str(failures)], cwd=ROOT, env=env, capture_output=True, timeout=60
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_throttle_holds_across_two_worker_processes(gql, settings):
    settings.LOGIN_FAILURES_PER_USER_ADDRESS = 5
    UserFactory(username="cashier")

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_worker_process, (3, 2)))

    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    assert LoginThrottle.objects.get(key__startswith="login-fail:user-addr:").failures == 5
    assert attempt(gql, "cashier", TEST_PASSWORD, STRANGER).error_codes() == ["TOO_MANY_ATTEMPTS"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_failures_are_all_counted(db):
    def fail(_):
        try:
            throttle.record_failure(username="cashier", ip=STRANGER)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(fail, range(40)))

    counts = dict(LoginThrottle.objects.values_list("key", "failures"))
    assert sorted(counts.values()) == [40, 40, 40]


@pytest.mark.django_db
def test_admin_deleting_the_counter_lifts_a_lockout(client, admin_user, cashier, gql, limits):
    for _ in range(limits.LOGIN_FAILURES_PER_USER_ADDRESS):
        attempt(gql, "cashier", "guess", TILL)
    client.force_login(admin_user)
    row = LoginThrottle.objects.get(key__startswith="login-fail:user-addr:")

    listing = client.get("/admin/accounts/loginthrottle/?q=cashier")
    deleted = client.post(f"/admin/accounts/loginthrottle/{row.pk}/delete/", {"post": "yes"})

    assert listing.status_code == 200 and "cashier" in listing.content.decode()
    assert deleted.status_code == 302
    assert attempt(gql, "cashier", TEST_PASSWORD, TILL).payload("tokenAuth")["token"]
