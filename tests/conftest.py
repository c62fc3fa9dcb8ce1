"""Fixtures shared by every test module: users per role and a GraphQL client."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from graphql_jwt.shortcuts import get_token

from shared.roles import Role
from tests.factories import UserFactory
from tests.shop import build_shop


def pytest_collection_modifyitems(config, items):
    """Skip @pytest.mark.postgres tests unless the suite runs on PostgreSQL."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (row locks); run with DATABASE_URL=postgres://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's deliberate slowness is for production, not for hundreds of test users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cashier(db):
    return UserFactory(role=Role.CASHIER, username="cashier")


@pytest.fixture
def manager(db):
    return UserFactory(role=Role.MANAGER, username="manager")


@pytest.fixture
def admin_user(db):
    return UserFactory(role=Role.ADMIN, username="admin")


@dataclass
class GraphQLResponse:
    status_code: int
    body: dict

    @property
    def data(self) -> dict | None:
        return self.body.get("data")

    @property
    def errors(self) -> list | None:
        return self.body.get("errors")

    def payload(self, name: str) -> dict:
        """The payload of mutation/query `name`, asserting there were no top-level errors."""
        assert not self.errors, self.errors
        return self.data[name]

    def error_codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code") for e in self.errors or []]


class GraphQLClient:
    def __init__(self, user=None):
        self.client = Client()
        self.user = user
        self.token = get_token(user) if user is not None else None

    def __call__(
        self, query: str, variables: dict | None = None, *, token: str | None = None, **headers
    ) -> GraphQLResponse:
        token = token if token is not None else self.token
        if token:
            headers.setdefault("HTTP_AUTHORIZATION", f"JWT {token}")
        response = self.client.post(
            "/graphql/",
            json.dumps({"query": query, "variables": variables or {}}),
            content_type="application/json",
            **headers,
        )
        return GraphQLResponse(response.status_code, json.loads(response.content or b"{}"))


@pytest.fixture
def gql(db):
    """`gql(user)` returns a client authenticated as `user` (None: anonymous)."""
    return GraphQLClient


@pytest.fixture
def anon(db):
    return GraphQLClient(None)


@pytest.fixture
def as_cashier(cashier):
    return GraphQLClient(cashier)


@pytest.fixture
def as_manager(manager):
    return GraphQLClient(manager)


@pytest.fixture
def as_admin(admin_user):
    return GraphQLClient(admin_user)


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def shop(db, manager):
    """Soap, rice (7.5% tax), batch-tracked syrup with an expired batch, and two customers."""
    return build_shop(manager)
