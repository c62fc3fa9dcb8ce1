"""Database timeouts: a locked row or a runaway query answers a coded refusal, never an internal error."""

import os
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DatabaseError, OperationalError, connection, transaction
from django.test import Client

from accounts import selectors as account_selectors
from accounts import services as account_services
from products.models import StockLevel
from sales.models import Sale
from shared import db_errors
from tests.conftest import GraphQLClient
from tests.factories import UserFactory
from tests.sales.helpers import stock_of
from tests.shop import build_shop

ROOT = Path(__file__).resolve().parent.parent
CREATE_SALE = """mutation($input: SaleInput!) { createSale(input: $input) {
  success message errors { field code message } sale { transactionId } } }"""
UPDATE_USER = """mutation($input: UpdateUserInput!) { updateUser(input: $input) {
  success message errors { field code message } } }"""
USERS = "{ users(first: 5) { edges { node { username } } } }"


class _DriverError(Exception):
    """Stands in for a psycopg2 error: Django keeps the driver's exception as __cause__."""

    def __init__(self, pgcode):
        super().__init__(f"driver error {pgcode}")
        self.pgcode = pgcode


def _wrapped(django_error, pgcode):
    error = django_error("canceling statement")
    error.__cause__ = _DriverError(pgcode)
    return error


@pytest.mark.parametrize(
    "error,retryable",
    [
        (_wrapped(OperationalError, "55P03"), True),
        (_wrapped(OperationalError, "57014"), True),
        (_wrapped(OperationalError, "40P01"), True),
        (_wrapped(OperationalError, "40001"), True),
        (OperationalError("database is locked"), True),
        (_wrapped(OperationalError, "08006"), False),
        (_wrapped(DatabaseError, "23505"), False),
        (ValueError("55P03"), False),
    ],
)
def test_is_retryable_by_sqlstate(error, retryable):
    assert db_errors.is_retryable(error) is retryable


@pytest.mark.django_db
def test_mutation_lock_timeout_becomes_busy_try_again_payload(gql, admin_user, monkeypatch):
    def locked(**_kwargs):
        raise _wrapped(OperationalError, "55P03")

    monkeypatch.setattr(account_services, "update_user", locked)

    result = gql(admin_user)(UPDATE_USER, {"input": {"userId": str(admin_user.pk), "firstName": "X"}})

    payload = result.payload("updateUser")
    assert payload["success"] is False
    assert payload["errors"] == [{"field": None, "code": "BUSY_TRY_AGAIN", "message": db_errors.BUSY_MESSAGE}]


@pytest.mark.django_db
def test_mutation_other_database_error_stays_internal(gql, admin_user, monkeypatch):
    def broken(**_kwargs):
        raise _wrapped(OperationalError, "08006")

    monkeypatch.setattr(account_services, "update_user", broken)

    result = gql(admin_user)(UPDATE_USER, {"input": {"userId": str(admin_user.pk), "firstName": "X"}})

    assert result.error_codes() == ["INTERNAL_SERVER_ERROR"]


def _settings_in_subprocess(*, maintenance: bool | None, command: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "DB_MAINTENANCE_SESSION"}
    env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/never_connected"
    if maintenance is not None:
        env["DB_MAINTENANCE_SESSION"] = "1" if maintenance else "0"
    show = "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS', {}))"
    if command is None:
        args = [sys.executable, "-c", f"import django; django.setup(); {show}"]
        env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    else:
        args = [sys.executable, "manage.py", command, "-c", show]
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_web_process_connects_with_all_three_timeouts():
    options = _settings_in_subprocess(maintenance=None)

    assert "-c statement_timeout=15000" in options
    assert "-c lock_timeout=3000" in options
    assert "-c idle_in_transaction_session_timeout=30000" in options


def test_management_commands_run_without_timeouts():
    options = _settings_in_subprocess(maintenance=None, command="shell")

    assert "timeout" not in options


# --- PostgreSQL: real row locks --------------------------------------------------------------------


@pytest.fixture
def locked_soap():
    """Hold soap's stock row locked from another connection (a stuck till, a psql session)."""
    manager = UserFactory(role="manager", username="lockholder")
    shop = build_shop(manager)
    level = StockLevel.objects.get(product=shop["soap"])
    holding, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                list(StockLevel.objects.select_for_update().filter(pk=level.pk))
                holding.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(timeout=10)
    yield shop
    release.set()
    holder.join(timeout=30)


def _sale_of_soap(shop):
    return {
        "input": {
            "items": [{"productId": str(shop["soap"].pk), "quantity": 1}],
            "payments": [{"method": "cash", "amount": "10.00"}],
        }
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_connection_has_configured_timeouts():
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        lock_timeout = cursor.fetchone()[0]
        cursor.execute("SHOW statement_timeout")
        statement_timeout = cursor.fetchone()[0]

    assert (lock_timeout, statement_timeout) == ("3s", "15s")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_create_sale_on_locked_row_answers_busy_within_lock_timeout_and_changes_nothing(locked_soap):
    cashier = UserFactory(role="cashier", username="till1")
    stock_before = stock_of(locked_soap["soap"])
    started = time.monotonic()

    result = GraphQLClient(cashier)(CREATE_SALE, _sale_of_soap(locked_soap))

    elapsed = time.monotonic() - started
    payload = result.payload("createSale")
    assert payload["success"] is False and payload["sale"] is None
    assert [e["code"] for e in payload["errors"]] == ["BUSY_TRY_AGAIN"]
    assert payload["message"] == "The till is busy, try again."
    assert elapsed < settings.DB_LOCK_TIMEOUT_MS / 1000 + 1.5
    assert Sale.objects.count() == 0
    assert stock_of(locked_soap["soap"]) == stock_before == Decimal("50")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_healthz_stays_fast_while_tills_wait_on_a_locked_row(locked_soap):
    cashier = UserFactory(role="cashier", username="till2")
    results = []

    def till():
        try:
            results.append(GraphQLClient(cashier)(CREATE_SALE, _sale_of_soap(locked_soap)))
        finally:
            connection.close()

    waiting = [threading.Thread(target=till) for _ in range(3)]
    for thread in waiting:
        thread.start()
    time.sleep(0.3)  # the tills are now queued on the row lock
    started = time.monotonic()

    response = Client().get("/healthz")

    health_seconds = time.monotonic() - started
    for thread in waiting:
        thread.join(timeout=30)
    assert response.status_code == 200 and health_seconds < 0.5
    codes = [r.payload("createSale")["errors"][0]["code"] for r in results]
    assert codes == ["BUSY_TRY_AGAIN"] * 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_query_over_statement_timeout_answers_timeout_code(gql, monkeypatch):
    admin = UserFactory(role="admin", username="boss")
    original = account_selectors.list_users

    def slow_users(**filters):
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = '100ms'")
            try:
                cursor.execute("SELECT pg_sleep(2)")
            finally:
                cursor.execute("SET statement_timeout = DEFAULT")
        return original(**filters)

    monkeypatch.setattr(account_selectors, "list_users", slow_users)
    started = time.monotonic()

    result = gql(admin)(USERS)

    assert time.monotonic() - started < 1.5
    assert result.error_codes() == ["TIMEOUT"]
    assert "took too long" in result.errors[0]["message"]
