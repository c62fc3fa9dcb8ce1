"""Schema fuzzer: every root query and mutation, random selections and hostile arguments, as each role.

The server is the production command (gunicorn, DEBUG off) on a seeded scratch database (see
conftest.py). What a client may get back is a result, a coded payload refusal, a coded top-level
error or a 4xx; what it must never get is a 5xx, a non-JSON answer, a masked internal error or a
hang. Every failure found is collected and listed at the end of each test, with the query that
caused it, so one run shows them all.

POS_FUZZ_EXAMPLES (default 15) sets the examples per root field and role; POS_FUZZ_SEED makes the
run reproduce a seed (CI pins one so that a landing never depends on luck, and a developer can run
with another to look further).
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from graphql import build_schema
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries

SCHEMA_SDL = (Path(__file__).resolve().parents[2] / "schema.graphql").read_text()
SCHEMA = build_schema(SCHEMA_SDL)
EXAMPLES = int(os.environ.get("POS_FUZZ_EXAMPLES", "15"))
SEED = int(os.environ.get("POS_FUZZ_SEED", "20261201"))

# Operations that would lock the fuzzer out of its own session (its token, its role, its password);
# they are fuzzed last, once the other fields are done.
SESSION_BREAKERS = {"deactivateUser", "setUserRole", "changePassword", "updateUser", "revokeToken"}

HOSTILE_NUMBERS = [
    "1e30",
    "1E2",
    "-1e-30",
    "1_0",
    "１０",
    "١٠",
    "+5",
    "--5",
    "5-",
    "0x10",
    "1.2.3",
    ".5",
    "5.",
    "NaN",
    "Infinity",
    "-Infinity",
    "-0",
    "0.001",
    "0.005",
    "99999999999999999999.99",
    "9999999999.99",
    "-9999999999.99",
    "1" * 400,
    " 10 ",
    "10\u00a0",
    "",
    " ",
    "\u0000",
    "1\u0000",
]
HOSTILE_STRINGS = [
    "\u0000",
    "a\u0000b",
    "\ud800",
    "x" * 5000,
    "=1+1",
    "'; DROP TABLE x; --",
    "\u202e",
    "🛒" * 300,
    "POS:PRODUCT:",
    "POS:PRODUCT:" + "A" * 300,
    "S2026-000001",
    "R-S2026-000001-1",
    "0001-01-01",
    "9999-12-31",
    "UHJvZHVjdFR5cGU6MQ==",
    "UHJvZHVjdFR5cGU6OTk5OTk5OTk5OTk5OTk5OTk5OTk5",
]


def _as_string(values):
    return st.sampled_from(values).map(nodes.String)


def _number_like():
    return st.one_of(
        st.decimals(min_value=-(10**13), max_value=10**13, places=3, allow_nan=False)
        .map(str)
        .map(nodes.String),
        st.integers(min_value=-(2**63), max_value=2**63).map(nodes.Int),
        st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
        st.booleans().map(nodes.Boolean),
        _as_string(HOSTILE_NUMBERS),
        st.text(max_size=12).map(nodes.String),
    )


def _date_like():
    return st.one_of(
        st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(str).map(nodes.String),
        _as_string(["2024-02-30", "2024-13-01", "24-01-01", "today", "", "2026-11-31T00:00:00"]),
        st.integers().map(nodes.Int),
        st.text(max_size=12).map(nodes.String),
    )


def _datetime_like():
    return st.one_of(
        # Hypothesis takes naive bounds and attaches the time zone itself.
        st.datetimes(
            min_value=datetime(1, 1, 2),  # noqa: DTZ001
            max_value=datetime(9999, 12, 30),  # noqa: DTZ001
            timezones=st.just(UTC),
        )
        .map(datetime.isoformat)
        .map(nodes.String),
        _date_like(),
    )


def _uuid_like():
    return st.one_of(
        st.uuids().map(str).map(nodes.String),
        _as_string(["", "not-a-uuid", "00000000-0000-0000-0000-00000000000g", "{" + "0" * 32 + "}"]),
        st.integers().map(nodes.Int),
        st.text(max_size=40).map(nodes.String),
    )


CUSTOM_SCALARS = {
    "Money": _number_like(),
    "Quantity": _number_like(),
    "Decimal": _number_like(),
    "BigInt": st.one_of(st.integers(min_value=-(2**80), max_value=2**80).map(nodes.Int), _number_like()),
    "Date": _date_like(),
    "DateTime": _datetime_like(),
    "UUID": _uuid_like(),
    "GenericScalar": st.one_of(_as_string(HOSTILE_STRINGS), st.text(max_size=20).map(nodes.String)),
}

SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the raw query is reported as it was
    suppress_health_check=list(HealthCheck),
    database=None,
)


def _root_fields(kind: str) -> list[str]:
    root = SCHEMA.query_type if kind == "query" else SCHEMA.mutation_type
    return sorted(root.fields)


def _strategy(kind: str, field: str):
    build = queries if kind == "query" else mutations
    return build(SCHEMA_SDL, fields=[field], custom_scalars=CUSTOM_SCALARS)


def _problem(status: int, body: dict | None) -> str | None:
    """What is wrong with an answer, or None when it is an acceptable one."""
    if status >= 500:
        return f"HTTP {status}"
    if body is None:
        return f"HTTP {status} with a body that is not JSON"
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        message = error.get("message", "")
        if code == "INTERNAL_SERVER_ERROR" or message.startswith("Internal server error"):
            return f"internal error at {error.get('path')}: {message}"
    return None


def _fuzz(fuzz_server, kind: str, field: str, role: str | None) -> None:
    failures: list[str] = []

    @SETTINGS
    @seed(SEED)
    @given(_strategy(kind, field))
    def run(query: str) -> None:
        try:
            status, body = fuzz_server.post(query, role=role)
        except TimeoutError:
            failures.append(f"no answer within 30 s\n{query}")
            return
        problem = _problem(status, body)
        if problem:
            failures.append(f"{problem}\n{query}")

    run()
    assert not failures, f"{len(failures)} bad answer(s) for {kind} {field} as {role}:\n\n" + "\n\n".join(
        failures[:5]
    )


@pytest.mark.parametrize("role", ["cashier", "manager", None])
@pytest.mark.parametrize("field", _root_fields("query"))
def test_query_never_fails_internally(fuzz_server, field, role):
    _fuzz(fuzz_server, "query", field, role)


@pytest.mark.parametrize("role", ["cashier", "manager", None])
@pytest.mark.parametrize("field", [f for f in _root_fields("mutation") if f not in SESSION_BREAKERS])
def test_mutation_never_fails_internally(fuzz_server, field, role):
    _fuzz(fuzz_server, "mutation", field, role)


@pytest.mark.parametrize("role", ["cashier", "manager"])
@pytest.mark.parametrize("field", sorted(SESSION_BREAKERS))
def test_session_mutation_never_fails_internally(fuzz_server, field, role):
    _fuzz(fuzz_server, "mutation", field, role)
