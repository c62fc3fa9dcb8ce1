"""Bounded validation and execution: linear validation, the cost limit, the time budget, bad strings."""

import gc
import json
import logging
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

import accounts.schema
import customers.schema
import shared.views
from customers.models import Customer

pytestmark = pytest.mark.django_db

CPU_BUDGET_SECONDS = 0.05


@pytest.fixture(autouse=True)
def _cold_cache():
    """Every test measures parsing and validation, not a cached answer."""
    shared.views._parse_and_validate.cache_clear()
    yield
    shared.views._parse_and_validate.cache_clear()


def post(body, content_type="application/json", **headers):
    response = Client().post("/graphql/", body, content_type=content_type, **headers)
    return response.status_code, json.loads(response.content)


def timed_post(body, caplog):
    """Post `body`; return status, JSON answer and the CPU seconds the request took."""
    post(json.dumps({"query": "{ __typename }"}))  # warm up: imports, schema, first connection
    gc.collect()  # measure the request, not a collection of garbage earlier tests left
    with caplog.at_level(logging.DEBUG):
        started = time.process_time()
        status, answer = post(body)
        used = time.process_time() - started
    return status, answer, used


def assert_no_traceback_logged(caplog):
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records]
    assert "Traceback" not in caplog.text


def error_code(answer) -> str | None:
    return answer["errors"][0].get("extensions", {}).get("code")


def fragment_dag(levels: int, leaf: str) -> str:
    """Each fragment spreads the previous one twice: naive validation doubles per level."""
    fragments = [f"fragment F0 on Query {{ {leaf} }}"]
    fragments += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)]
    return f"query {{ ...F{levels} }}\n" + "\n".join(fragments)


@pytest.mark.parametrize("leaf", ["__typename", "me { username }"])
def test_fragment_dag_of_20_levels_is_refused_in_linear_time(leaf, caplog):
    body = json.dumps({"query": fragment_dag(20, leaf)})

    status, answer, cpu = timed_post(body, caplog)

    assert status == 400
    assert error_code(answer) == "QUERY_TOO_COMPLEX"
    assert cpu < CPU_BUDGET_SECONDS
    assert_no_traceback_logged(caplog)


def test_fragment_dag_on_nested_types_is_refused_in_linear_time(caplog):
    fragments = ["fragment U0 on User { username }"]
    fragments += [f"fragment U{i} on User {{ id ...U{i - 1} ...U{i - 1} }}" for i in range(1, 21)]
    body = json.dumps({"query": "query { me { ...U20 } }\n" + "\n".join(fragments)})

    status, answer, cpu = timed_post(body, caplog)

    assert status == 400
    assert cpu < CPU_BUDGET_SECONDS
    assert_no_traceback_logged(caplog)


def test_fragment_cycle_is_refused_with_400_and_no_traceback(caplog):
    query = "query { ...A } fragment A on Query { me { username } ...B } fragment B on Query { ...A }"

    status, answer, cpu = timed_post(json.dumps({"query": query}), caplog)

    assert status == 400
    assert "cannot spread fragment" in answer["errors"][0]["message"].lower()
    assert cpu < CPU_BUDGET_SECONDS
    assert_no_traceback_logged(caplog)


@pytest.mark.parametrize("depth", [100, 15_000])  # 15,000 levels is past the JSON parser's recursion limit
def test_deeply_nested_json_is_refused_with_400(depth, caplog):
    body = '{"query": "{ __typename }", "variables": {"x": ' + "[" * depth + "]" * depth + "}}"

    status, answer, cpu = timed_post(body, caplog)

    assert status == 400
    assert error_code(answer) == "JSON_TOO_DEEP"
    assert cpu < CPU_BUDGET_SECONDS
    assert_no_traceback_logged(caplog)


def test_deeply_nested_query_is_refused_without_traceback(caplog):
    query = "{ " + "me { " * 900 + "username" + " }" * 901

    status, answer, cpu = timed_post(json.dumps({"query": query}), caplog)

    assert status == 400
    assert cpu < CPU_BUDGET_SECONDS
    assert_no_traceback_logged(caplog)


def test_many_repeats_of_one_field_are_refused_before_quadratic_merging(caplog, settings):
    query = "{ " + "me { username } " * 700 + "}"

    status, answer, cpu = timed_post(json.dumps({"query": query}), caplog)

    assert status == 400
    assert error_code(answer) == "QUERY_TOO_COMPLEX"
    assert f"at most {settings.GRAPHQL_MAX_FIELD_REPEATS}" in answer["errors"][0]["message"]
    # Parsing and checking 2,800 tokens takes ~30 ms (more on a busy machine); merging the 700
    # fields took ~500 ms on top of that before the limit.
    assert cpu < 0.25


DEEP_LISTS = """query { customer(id: "1") { sales(first: 100) { edges { node {
  items { product { batches { batchNumber quantity } } }
} } } } }"""


def test_deep_nested_list_query_is_refused_by_cost_before_any_sql(as_cashier, settings):
    as_cashier("{ __typename }")
    with CaptureQueriesContext(connection) as baseline:
        as_cashier("{ __typename }")

    with CaptureQueriesContext(connection) as queries:
        response = as_cashier(DEEP_LISTS)

    assert response.status_code == 400
    assert response.data is None
    error = response.errors[0]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    cost, limit = error["extensions"]["cost"], error["extensions"]["maxCost"]
    assert limit == settings.GRAPHQL_MAX_COST < cost
    assert str(cost) in error["message"]
    assert str(limit) in error["message"]
    assert len(queries) == len(baseline)  # authentication only: nothing was resolved


def cost_of(client, query, variables=None) -> int:
    """The cost the server computed, read from its refusal under a limit of 0."""
    response = client(query, variables)
    assert response.error_codes() == ["QUERY_TOO_COMPLEX"], response.errors
    return response.errors[0]["extensions"]["cost"]


PRODUCTS = "products(first: 20) { edges { node { name category { name } } } }"


def test_aliases_multiply_cost(as_cashier, settings):
    settings.GRAPHQL_MAX_COST = 0

    one = cost_of(as_cashier, f"{{ a: {PRODUCTS} }}")
    three = cost_of(as_cashier, f"{{ a: {PRODUCTS} b: {PRODUCTS} c: {PRODUCTS} }}")

    assert one == 1 + 20 * 3  # the connection, then an edge, a node and a category per row
    assert three == 3 * one


def test_fragment_spreads_cost_what_they_select_each_time(as_cashier, settings):
    settings.GRAPHQL_MAX_COST = 0
    inline = cost_of(as_cashier, f"{{ a: {PRODUCTS} b: {PRODUCTS} }}")

    spread = cost_of(
        as_cashier,
        "{ a: products(first: 20) { ...Page } b: products(first: 20) { ...Page } }"
        " fragment Page on ProductConnection { edges { node { name category { name } } } }",
    )

    assert spread == inline


def test_cost_uses_page_size_from_variables_and_default_page_size(as_cashier, settings):
    settings.GRAPHQL_MAX_COST = 0
    query = "query($n: Int) { products(first: $n) { edges { node { name category { name } } } } }"

    assert cost_of(as_cashier, query, {"n": 5}) == 1 + 5 * 3
    assert cost_of(as_cashier, query, {"n": 50}) == 1 + 50 * 3
    assert cost_of(as_cashier, query) == 1 + settings.GRAPHENE["RELAY_CONNECTION_MAX_LIMIT"] * 3


def test_nested_lists_multiply_cost(as_cashier, settings):
    settings.GRAPHQL_MAX_COST = 0
    settings.GRAPHQL_LIST_SIZE_ESTIMATE = 10
    settings.GRAPHQL_LIST_SIZE_ESTIMATES = {}

    cost = cost_of(as_cashier, "{ sales(first: 10) { edges { node { items { product { name } } } } } }")

    assert cost == 1 + 10 * (1 + 1 + 10 * (1 + 1))  # edge, node, then items with their product


def test_products_page_of_100_with_stock_levels_and_batches_passes(as_cashier, shop):
    query = """{ products(first: 100) { totalCount edges { node {
      id sku name retailPrice stockQuantity category { name parent { name } } supplier { name }
      stockByLocation { quantity location { name } }
      batches { batchNumber expiryDate quantity isExpired location { name } }
    } } } }"""

    response = as_cashier(query)

    assert not response.errors
    assert response.data["products"]["totalCount"] > 0


def test_sales_page_of_100_with_lines_and_payments_passes(as_manager):
    query = """{ sales(first: 100) { edges { node {
      transactionId total customer { name } cashier { username }
      items { quantity total product { name } batches { quantity batch { batchNumber } } }
      payments { method amount }
    } } } }"""

    assert not as_manager(query).errors


def test_cost_limit_comes_from_settings(as_cashier, settings):
    settings.GRAPHQL_MAX_COST = 1 + 19 * 3

    assert not as_cashier("{ products(first: 19) { edges { node { name category { name } } } } }").errors
    assert as_cashier(f"{{ {PRODUCTS} }}").error_codes() == ["QUERY_TOO_COMPLEX"]


# --- Strings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "where"),
    [
        pytest.param({"query": "{ __typename }\u0000"}, "query", id="nul-in-query"),
        pytest.param({"query": "{ __typename } # \ud800"}, "query", id="surrogate-in-query"),
        pytest.param(
            {"query": "{ __typename }", "operationName": "A\u0000"}, "operationName", id="operation"
        ),
        pytest.param(
            {"query": "{ __typename }", "variables": {"input": {"items": [{"note": "a\u0000b"}]}}},
            "variables.input.items.0.note",
            id="nul-deep-in-variables",
        ),
        pytest.param(
            {"query": "{ __typename }", "variables": {"input": {"x\udc00": 1}}},
            "variables.input (a key)",
            id="surrogate-in-a-key",
        ),
        pytest.param(
            {"query": "{ __typename }", "variables": {"names": ["ok", "\udfff"]}},
            "variables.names.1",
            id="surrogate-in-a-list",
        ),
    ],
)
def test_nul_and_lone_surrogates_in_the_request_are_refused(body, where):
    status, answer = post(json.dumps(body))

    assert status == 400
    assert error_code(answer) == "INVALID_STRING"
    assert f"`{where}`" in answer["errors"][0]["message"]


def test_surrogate_pairs_are_valid_strings(as_cashier):
    response = as_cashier("query($s: String!) { productByCode(code: $s) { name } }", {"s": "\U0001f600"})

    assert response.error_codes() != ["INVALID_STRING"]
    assert response.status_code == 200


@pytest.mark.parametrize("literal", ["\\u0000", "a\\uD800b"])
def test_nul_or_surrogate_escapes_in_query_literals_are_refused(literal, as_cashier):
    response = as_cashier(f'{{ productByCode(code: "{literal}") {{ name }} }}')

    assert response.status_code == 400
    assert response.data is None
    assert response.error_codes() in (["INVALID_STRING"], [None])  # a lone surrogate may fail to lex


def test_nul_escape_in_query_literal_is_coded(as_cashier):
    response = as_cashier('{ productByCode(code: "a\\u0000") { name } }')

    assert response.error_codes() == ["INVALID_STRING"]


# --- Time budget -------------------------------------------------------------------------------


def slow(monkeypatch, module, name, seconds):
    original = getattr(module, name)

    def slowed(*args, **kwargs):
        time.sleep(seconds)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, slowed)


def test_time_budget_stops_a_slow_query(as_admin, monkeypatch, settings, caplog):
    # Budgets well above what a request costs before its first field on a loaded 2-core machine
    # (50 ms was not), so the slowed field is the only thing that can exhaust them.
    settings.GRAPHQL_REQUEST_TIMEOUT = 0.5
    slow(monkeypatch, accounts.schema.selectors, "list_users", 1.0)

    with caplog.at_level(logging.WARNING, logger="pos.graphql"):
        response = as_admin("{ users { totalCount } me { username } }")

    assert response.status_code == 200
    assert response.data is None
    error = response.errors[0]
    assert error["extensions"]["code"] == "REQUEST_TIMEOUT"
    assert error["extensions"]["limitSeconds"] == 0.5
    assert error["path"] == ["users", "totalCount"]  # the slow field finished, nothing after it ran
    assert [r.getMessage() for r in caplog.records] == ["Request stopped by its time budget"]


def test_time_budget_lets_fast_requests_through(as_admin, settings):
    settings.GRAPHQL_REQUEST_TIMEOUT = 5

    response = as_admin("{ users { totalCount } me { username } }")

    assert not response.errors
    assert response.data["me"]["username"] == "admin"


def test_time_budget_never_cuts_a_mutation_after_its_service_ran(as_manager, monkeypatch, settings):
    settings.GRAPHQL_REQUEST_TIMEOUT = 0.5
    slow(monkeypatch, customers.schema.services, "create_customer", 1.0)

    response = as_manager(
        """mutation {
          first: createCustomer(input: {name: "Ada"}) { success customer { name } }
          second: createCustomer(input: {name: "Bob"}) { success }
        }"""
    )

    assert response.data["first"] == {"success": True, "customer": {"name": "Ada"}}
    assert response.data["second"] is None
    assert response.error_codes() == ["REQUEST_TIMEOUT"]
    assert list(Customer.objects.filter(name__in=["Ada", "Bob"]).values_list("name", flat=True)) == ["Ada"]
