"""What every request pays: its id, its log line, the parsed-and-validated document."""

import json
import logging
from decimal import Decimal

import pytest
from django.test import Client

import shared.middleware
import shared.views
from shared.logging import JsonFormatter
from shared.middleware import new_request_id

pytestmark = pytest.mark.django_db


def test_new_request_id_is_unique_in_a_process_and_across_forks(monkeypatch):
    ids = {new_request_id() for _ in range(1000)}
    prefix = next(iter(ids)).split("-")[0]
    monkeypatch.setattr(shared.middleware.os, "getpid", lambda: -1)  # as in a freshly forked worker

    after_fork = new_request_id()

    assert len(ids) == 1000 and {i.split("-")[0] for i in ids} == {prefix}
    assert after_fork.split("-")[0] != prefix and after_fork.endswith("-1")


def test_request_without_an_id_gets_a_new_one_each_time():
    first = Client().post("/graphql/", {"query": "{ __typename }"}, content_type="application/json")
    second = Client().post("/graphql/", {"query": "{ __typename }"}, content_type="application/json")

    assert first["X-Request-Id"] != second["X-Request-Id"]
    assert first["X-Request-Id"].split("-")[0] == second["X-Request-Id"].split("-")[0]


def test_json_formatter_keeps_the_extra_fields_in_order_and_stringifies_the_rest():
    record = logging.makeLogRecord(
        {"name": "pos.request", "msg": "request", "levelname": "INFO", "request_id": "r-1", "status": 200}
    )
    record.duration = Decimal("1.5")

    entry = json.loads(JsonFormatter().format(record))

    assert list(entry)[4:] == ["request_id", "status", "duration"]
    assert (entry["logger"], entry["request_id"], entry["status"], entry["duration"]) == (
        "pos.request",
        "r-1",
        200,
        "1.5",
    )


def test_the_same_document_is_parsed_and_validated_once():
    shared.views._parse_and_validate.cache_clear()
    query = "query Till($c: String!) { productByCode(code: $c) { id name } }"

    for code in ("1", "2", "3"):
        Client().post(
            "/graphql/", {"query": query, "variables": {"c": code}}, content_type="application/json"
        )
    info = shared.views._parse_and_validate.cache_info()

    assert (info.misses, info.hits) == (1, 2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_connection_killed_by_the_server_is_replaced_before_the_next_request(is_postgres):
    # CONN_HEALTH_CHECKS stays on: a persistent connection that PostgreSQL dropped (a restart,
    # pg_terminate_backend) fails its SELECT 1 at the next request, which then opens a new one
    # instead of answering 500. The check costs about 15 us of worker CPU (docs/PERFORMANCE.md).
    from django.db import close_old_connections, connection, connections

    if not is_postgres:
        pytest.skip("PostgreSQL only")
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    max_age = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = None  # persistent, as in production
    try:
        connection.ensure_connection()
        doomed = connection.connection.info.backend_pid
        killer = connections.create_connection("default")
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [doomed])
        killer.close()

        close_old_connections()  # what Django does when a request starts
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            replaced_by = cursor.fetchone()[0]
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = max_age

    assert replaced_by != doomed


def test_an_api_call_gets_no_csrf_cookie_the_graphiql_page_still_does(settings):
    settings.GRAPHIQL = True
    posted = Client().post("/graphql/", {"query": "{ __typename }"}, content_type="application/json")
    page = Client().get("/graphql/", HTTP_ACCEPT="text/html")

    # The endpoint is CSRF-exempt and authenticates by JWT: a new token per call was pure cost.
    assert posted.status_code == 200 and json.loads(posted.content) == {"data": {"__typename": "Query"}}
    assert "csrftoken" not in posted.cookies
    assert page.status_code == 200 and "csrftoken" in page.cookies
