"""The hardened /graphql/ endpoint: limits, masking, malformed bodies, health check."""

import json
import logging

import pytest
from django.test import Client

import accounts.schema

pytestmark = pytest.mark.django_db


def post_raw(body, content_type="application/json", **headers):
    return Client().post("/graphql/", body, content_type=content_type, **headers)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        pytest.param(b"{not json", "MALFORMED_REQUEST", id="invalid-json"),
        pytest.param(b'"a string"', "MALFORMED_REQUEST", id="json-string"),
        pytest.param(b"1", "MALFORMED_REQUEST", id="json-number"),
        pytest.param(b"null", "MALFORMED_REQUEST", id="json-null"),
        pytest.param(b"[]", "BATCH_NOT_SUPPORTED", id="empty-batch"),
        pytest.param(b'[{"query": "{ __typename }"}]', "BATCH_NOT_SUPPORTED", id="batch"),
        pytest.param(b"\xff\xfe", "MALFORMED_REQUEST", id="invalid-utf8"),
        pytest.param(
            b'{"query": "{ __typename }", "variables": [1]}', "MALFORMED_REQUEST", id="variables-list"
        ),
        pytest.param(
            b'{"query": "{ __typename }", "variables": 7}', "MALFORMED_REQUEST", id="variables-number"
        ),
        pytest.param(
            b'{"query": "{ __typename }", "variables": "[1]"}', "MALFORMED_REQUEST", id="variables-json-list"
        ),
        pytest.param(
            b'{"query": "{ __typename }", "variables": "{nope"}', "MALFORMED_REQUEST", id="variables-bad-json"
        ),
        pytest.param(b'{"query": ["{ __typename }"]}', "MALFORMED_REQUEST", id="query-list"),
        pytest.param(b'{"query": 12}', "MALFORMED_REQUEST", id="query-number"),
        pytest.param(b'{"query": {"a": 1}}', "MALFORMED_REQUEST", id="query-object"),
        pytest.param(
            b'{"query": "{ __typename }", "operationName": 5}', "MALFORMED_REQUEST", id="operation-number"
        ),
        pytest.param(
            b'{"query": "{ __typename }", "operationName": ["A"]}', "MALFORMED_REQUEST", id="operation-list"
        ),
        pytest.param(b"{}", "MALFORMED_REQUEST", id="no-query"),
        pytest.param(b'{"query": ""}', "MALFORMED_REQUEST", id="empty-query"),
    ],
)
def test_malformed_bodies_get_coded_4xx_json(body, code, caplog):
    with caplog.at_level(logging.DEBUG):
        response = post_raw(body)

    assert 400 <= response.status_code < 500
    assert response["Content-Type"].startswith("application/json")
    error = json.loads(response.content)["errors"][0]
    assert error["message"]
    assert error["extensions"]["code"] == code
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml"],
)
def test_other_content_types_get_415(content_type):
    response = post_raw(b'{"query": "{ __typename }"}', content_type=content_type)

    assert response.status_code == 415
    assert json.loads(response.content)["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_application_graphql_body_is_a_query():
    response = post_raw(b"{ __typename }", content_type="application/graphql")

    assert response.status_code == 200
    assert json.loads(response.content)["data"] == {"__typename": "Query"}


def test_huge_body_is_refused_from_its_length_with_413(settings):
    body = json.dumps(
        {"query": "{ __typename }", "variables": {"x": "a" * (settings.GRAPHQL_MAX_QUERY_BYTES * 3)}}
    )

    response = post_raw(body)

    assert response.status_code == 413
    assert json.loads(response.content)["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


def test_typename_works_anonymously_and_introspection_is_off_in_production(anon):
    assert anon("{ __typename }").data == {"__typename": "Query"}

    response = anon("{ __schema { types { name } } }")

    assert response.data is None
    assert "introspection" in response.errors[0]["message"].lower()


def test_introspection_can_be_enabled(anon, settings):
    settings.GRAPHQL_INTROSPECTION = True

    assert anon("{ __schema { queryType { name } } }").data == {"__schema": {"queryType": {"name": "Query"}}}


def test_no_field_suggestions_in_production(anon):
    response = anon("{ mee { username } }")

    assert response.errors
    assert "Did you mean" not in response.errors[0]["message"]


def test_field_suggestions_kept_in_debug(anon, settings):
    settings.DEBUG = True

    assert "Did you mean" in anon("{ mee { username } }").errors[0]["message"]


def test_depth_limit(as_admin, settings):
    settings.GRAPHQL_MAX_DEPTH = 2  # users(0) > edges(1) > node(2) > username(3)

    response = as_admin("{ users { edges { node { username } } } }")

    assert response.data is None
    assert "depth" in response.errors[0]["message"].lower()
    assert response.error_codes() == ["QUERY_TOO_DEEP"]


def test_depth_limit_follows_fragments(as_admin, settings):
    settings.GRAPHQL_MAX_DEPTH = 2

    response = as_admin(
        "{ users { ...Page } } fragment Page on UserConnection { edges { node { username } } }"
    )

    assert response.error_codes() == ["QUERY_TOO_DEEP"]
    assert as_admin("{ users { ...Page } } fragment Page on UserConnection { totalCount }").data["users"]


def test_alias_limit(anon, settings):
    aliases = " ".join(f"a{i}: __typename" for i in range(settings.GRAPHQL_MAX_ALIASES + 1))

    response = anon(f"{{ {aliases} }}")

    assert response.data is None
    assert "aliases" in response.errors[0]["message"]


def test_alias_limit_allows_up_to_the_limit(anon, settings):
    aliases = " ".join(f"a{i}: __typename" for i in range(settings.GRAPHQL_MAX_ALIASES))

    assert anon(f"{{ {aliases} }}").data["a0"] == "Query"


def test_token_limit(anon, settings):
    settings.GRAPHQL_MAX_TOKENS = 50
    query = "{ " + " ".join("__typename" for _ in range(60)) + " }"

    response = anon(query)

    assert response.data is None
    assert "token" in response.errors[0]["message"].lower()


def test_query_size_limit(settings):
    settings.GRAPHQL_MAX_QUERY_BYTES = 1000
    query = "{ __typename " + " " * 2000 + "}"

    response = post_raw(json.dumps({"query": query}))

    assert response.status_code == 413


def test_graphiql_only_when_debug(settings):
    html = {"HTTP_ACCEPT": "text/html"}
    assert Client().get("/graphql/", **html).status_code == 405

    settings.GRAPHIQL = True
    response = Client().get("/graphql/", **html)

    assert response.status_code == 200
    assert b"graphiql" in response.content.lower()


def test_mutation_over_get_is_refused(settings):
    settings.GRAPHIQL = True

    response = Client().get("/graphql/", {"query": 'mutation { revokeToken(refreshToken: "x") { revoked } }'})

    assert response.status_code == 405


def test_unexpected_exceptions_are_masked_and_logged(as_admin, monkeypatch, caplog):
    def explode(*args, **kwargs):
        raise RuntimeError("SELECT secret FROM passwords -- internal detail")

    monkeypatch.setattr(accounts.schema.selectors, "list_users", explode)

    with caplog.at_level(logging.ERROR, logger="pos.graphql"):
        response = as_admin("{ users { totalCount } }")

    error = response.errors[0]
    assert "secret" not in json.dumps(response.body)
    assert "Traceback" not in json.dumps(response.body)
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    error_id = error["extensions"]["errorId"]
    assert error_id in error["message"]
    assert any(getattr(r, "error_id", None) == error_id for r in caplog.records)


def test_healthz_reports_database_ok():
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_request_id_is_echoed(anon):
    response = Client().post(
        "/graphql/",
        {"query": "{ __typename }"},
        content_type="application/json",
        HTTP_X_REQUEST_ID="till-7-abc",
    )

    assert response["X-Request-Id"] == "till-7-abc"
