"""Automatic persisted queries: a hash instead of the text, with the same limits and no way around them."""

import hashlib
import json

import pytest
from django.test import Client

from shared import views
from shared.persisted_queries import QueryStore

pytestmark = pytest.mark.django_db
QUERY = "query Me { __typename }"
HASH = hashlib.sha256(QUERY.encode()).hexdigest()


@pytest.fixture(autouse=True)
def empty_store():
    views.persisted.clear()
    yield
    views.persisted.clear()


def post(body: dict):
    return Client().post("/graphql/", json.dumps(body), content_type="application/json")


def apq(sha256=HASH, version=1):
    return {"persistedQuery": {"version": version, "sha256Hash": sha256}}


def codes(response):
    return [e.get("extensions", {}).get("code") for e in response.json()["errors"]]


def test_unknown_hash_asks_for_the_text_then_the_hash_alone_is_enough():
    first = post({"extensions": apq()})
    assert codes(first) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert first.json()["errors"][0]["message"] == "PersistedQueryNotFound"  # what Apollo clients match

    registered = post({"query": QUERY, "extensions": apq()})
    assert registered.status_code == 200 and registered.json() == {"data": {"__typename": "Query"}}

    assert post({"extensions": apq()}).json() == {"data": {"__typename": "Query"}}


def test_a_hash_that_is_not_the_texts_is_refused_and_not_stored():
    wrong = hashlib.sha256(b"{ me { username } }").hexdigest()

    refused = post({"query": QUERY, "extensions": apq(sha256=wrong)})

    assert refused.status_code == 400 and codes(refused) == ["PERSISTED_QUERY_HASH_MISMATCH"]
    assert codes(post({"extensions": apq(sha256=wrong)})) == ["PERSISTED_QUERY_NOT_FOUND"]


@pytest.mark.parametrize(
    "extensions",
    [
        pytest.param({"persistedQuery": {"version": 2, "sha256Hash": HASH}}, id="version-2"),
        pytest.param({"persistedQuery": {"version": 1, "sha256Hash": HASH.upper()}}, id="upper-case"),
        pytest.param({"persistedQuery": {"version": 1, "sha256Hash": HASH[:-1]}}, id="short"),
        pytest.param({"persistedQuery": {"version": 1}}, id="no-hash"),
        pytest.param({"persistedQuery": "abc"}, id="not-an-object"),
    ],
)
def test_malformed_persisted_query_extension_is_coded(extensions):
    response = post({"query": QUERY, "extensions": extensions})
    assert response.status_code == 400 and codes(response) == ["PERSISTED_QUERY_INVALID"]


def test_extensions_must_be_an_object():
    response = post({"query": QUERY, "extensions": [1]})
    assert response.status_code == 400 and codes(response) == ["MALFORMED_REQUEST"]


def test_a_stored_query_still_goes_through_validation_and_permissions():
    private = "query { me { username } }"
    sha256 = hashlib.sha256(private.encode()).hexdigest()
    assert codes(post({"query": private, "extensions": apq(sha256=sha256)})) == ["UNAUTHENTICATED"]
    assert codes(post({"extensions": apq(sha256=sha256)})) == ["UNAUTHENTICATED"]
    invalid = "{ nope }"
    sha256 = hashlib.sha256(invalid.encode()).hexdigest()
    refused = post({"query": invalid, "extensions": apq(sha256=sha256)}).json()
    assert refused.get("data") is None and "Cannot query field 'nope'" in refused["errors"][0]["message"]


def test_the_store_is_bounded_least_recently_used_first():
    store = QueryStore(max_entries=2)
    store.put("a", "A")
    store.put("b", "B")
    assert store.get("a") == "A"  # a is now the most recent
    store.put("c", "C")
    assert (store.get("a"), store.get("b"), store.get("c")) == ("A", None, "C")


def test_turned_off_the_server_never_resolves_a_hash(settings):
    settings.GRAPHQL_PERSISTED_QUERIES = 0
    assert post({"query": QUERY, "extensions": apq()}).json() == {"data": {"__typename": "Query"}}
    assert codes(post({"extensions": apq()})) == ["PERSISTED_QUERY_NOT_FOUND"]
