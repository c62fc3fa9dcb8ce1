"""The plain-field shortcut through graphql-core (shared.plain_fields) answers exactly what
graphql-core's own path answers, errors included, and steps aside where it must."""

from decimal import Decimal
from types import SimpleNamespace

import graphene
from graphql import ExecutionContext, graphql_sync

from shared import plain_fields
from shared.graphql import Money
from shared.views import TimeBudgetExecutionContext


class Colour(graphene.Enum):
    RED = "red"
    GREEN = "green"


class Picky(graphene.Scalar):
    """Serializes only ints: anything else raises, as a broken value would."""

    @staticmethod
    def serialize(value):
        if not isinstance(value, int):
            raise ValueError(f"not an int: {value!r}")
        return value


class Maker(graphene.ObjectType):
    name = graphene.String(required=True)
    town = graphene.String()


class Thing(graphene.ObjectType):
    maker = graphene.Field(Maker)
    name = graphene.String()
    price = Money(required=True)
    colour = Colour()
    missing = graphene.Int()
    picky = Picky()
    shouted = graphene.String()
    count = graphene.Int(required=True)

    @staticmethod
    def resolve_shouted(thing, info):
        return thing.name.upper()


class Query(graphene.ObjectType):
    things = graphene.List(Thing)

    @staticmethod
    def resolve_things(root, info):
        return [
            SimpleNamespace(
                name="soap",
                price=Decimal("10.5"),
                colour="red",
                missing=None,
                picky=3,
                count=1,
                maker=SimpleNamespace(name="Acme", town=None),
            ),
            {"name": "rice", "price": Decimal("7"), "colour": "green", "picky": 4, "count": 2, "maker": None},
            SimpleNamespace(
                name="oil",
                price=Decimal("1.005"),
                colour=None,
                missing=None,
                picky="x",
                count=None,
                maker=SimpleNamespace(name=None, town="Ikeja"),  # a null in a non-null field below
            ),
        ]


SCHEMA = graphene.Schema(query=Query)
QUERY = "{ things { name price colour missing picky shouted count maker { name town } } }"
# The third thing is nulled by its count; here its maker alone is nulled by the maker's name.
MAKERS = "{ things { name maker { name town } } }"


def run(execution_context_class, query=QUERY):
    context = SimpleNamespace(graphql_deadline=float("inf"))
    result = graphql_sync(
        SCHEMA.graphql_schema, query, context_value=context, execution_context_class=execution_context_class
    )
    return result.data, [(e.message, e.path) for e in result.errors or []]


def test_the_shortcut_answers_what_graphql_core_answers_errors_and_nulls_included():
    fast, fast_errors = run(TimeBudgetExecutionContext)
    plain, plain_errors = run(ExecutionContext)

    assert fast == plain and fast_errors == plain_errors
    # The cases it had to get right: values, a dict source, a null, a serializer's error on one item
    # and a null in a non-null field nulling its parent, each reported at its path.
    assert plain["things"][0] == {
        "name": "soap",
        "price": "10.50",
        "colour": "RED",
        "missing": None,
        "picky": 3,
        "shouted": "SOAP",
        "count": 1,
        "maker": {"name": "Acme", "town": None},
    }
    assert plain["things"][1]["name"] == "rice" and plain["things"][2] is None
    assert sorted(path for _, path in plain_errors) == [
        ["things", 1, "shouted"],  # its resolver reads an attribute the dict lacks
        ["things", 2, "count"],  # nulls the whole thing: its maker is never reached
        ["things", 2, "picky"],
    ]


def test_an_error_below_a_shortcut_object_is_reported_once_where_graphql_core_puts_it():
    fast, fast_errors = run(TimeBudgetExecutionContext, MAKERS)
    plain, plain_errors = run(ExecutionContext, MAKERS)

    assert fast == plain and fast_errors == plain_errors
    assert [thing["maker"] for thing in plain["things"]] == [{"name": "Acme", "town": None}, None, None]
    assert [path for _, path in plain_errors] == [["things", 2, "maker", "name"]]


def test_the_shortcut_reads_scalars_with_the_default_resolver_only(monkeypatch):
    taken = []
    real = plain_fields.execute_plain_field

    def spy(context, parent_type, source, field_nodes, path):
        value = real(context, parent_type, source, field_nodes, path)
        if parent_type.name == "Thing" or field_nodes[0].name.value == "things":
            taken.append((field_nodes[0].name.value, value is not plain_fields.MISS))
        return value

    monkeypatch.setattr("shared.views.execute_plain_field", spy)
    run(TimeBudgetExecutionContext, QUERY.replace(" maker { name town }", ""))

    # The list (things), a null (missing) and a field with its own resolver (shouted) take
    # graphql-core's path; so does every field of a dict source (the second thing).
    assert taken[0] == ("things", False)
    assert dict(taken[1:8]) == {
        "name": True,
        "price": True,
        "colour": True,
        "missing": False,
        "picky": True,
        "shouted": False,
        "count": True,
    }
    assert not any(shortcut for _, shortcut in taken[8:15])
