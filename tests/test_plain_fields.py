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


class Shop(graphene.ObjectType):
    """Lists of objects read by graphene's default resolver: the shortcut completes them itself."""

    things = graphene.List(Thing)
    strict_things = graphene.List(graphene.NonNull(Thing))
    required_things = graphene.NonNull(graphene.List(graphene.NonNull(Thing)))
    with_a_gap = graphene.List(Thing)
    lazy = graphene.List(Thing)
    makers = graphene.List(graphene.NonNull(Maker), required=True)


class Query(graphene.ObjectType):
    things = graphene.List(Thing)
    shop = graphene.Field(Shop)
    open_shop = graphene.Field(Shop)

    @staticmethod
    def resolve_shop(root, info):
        things = Query.resolve_things(root, info)
        good = [things[0], things[0]]
        return SimpleNamespace(
            things=things,
            strict_things=things,
            required_things=things,
            with_a_gap=[things[0], None],
            lazy=(thing for thing in good),
            makers=(SimpleNamespace(name="Acme", town=None), SimpleNamespace(name="Bolt", town="Aba")),
        )

    @staticmethod
    def resolve_open_shop(root, info):
        things = Query.resolve_things(root, info)[:2]
        return SimpleNamespace(
            things=things, strict_things=things, required_things=things, with_a_gap=[], lazy=[], makers=[]
        )

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
ITEM = "{ name count maker { name } }"
SHOP = (
    f"{{ shop {{ things {ITEM} strictThings {ITEM} withAGap {ITEM} lazy {{ name }} "
    f"makers {{ name town }} }} openShop {{ requiredThings {ITEM} }} }}"
)
# A non-null list whose non-null item fails nulls the shop that holds it.
BROKEN_SHOP = "{ shop { makers { name } requiredThings { count } } }"


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


def test_lists_of_objects_complete_as_graphql_core_completes_them():
    fast, fast_errors = run(TimeBudgetExecutionContext, SHOP)
    plain, plain_errors = run(ExecutionContext, SHOP)

    assert fast == plain and fast_errors == plain_errors
    shop = plain["shop"]
    # [Thing]: the failing item alone is null; [Thing!]: the whole list is; a gap and a generator
    # (graphql-core's path) come out as they always did.
    assert [thing and thing["name"] for thing in shop["things"]] == ["soap", "rice", None]
    assert shop["strictThings"] is None
    assert shop["withAGap"][1] is None and shop["lazy"] == [{"name": "soap"}, {"name": "soap"}]
    assert shop["makers"] == [{"name": "Acme", "town": None}, {"name": "Bolt", "town": "Aba"}]
    assert [thing["name"] for thing in plain["openShop"]["requiredThings"]] == ["soap", "rice"]
    # The third thing's null count, once per list that shows it (the strict list reports it once).
    assert sorted(path for _, path in plain_errors) == [
        ["shop", "strictThings", 2, "count"],
        ["shop", "things", 2, "count"],
    ]


def test_a_failed_item_of_a_non_null_list_nulls_its_parent_as_graphql_core_does():
    fast, fast_errors = run(TimeBudgetExecutionContext, BROKEN_SHOP)
    plain, plain_errors = run(ExecutionContext, BROKEN_SHOP)

    assert fast == plain == {"shop": None}
    assert fast_errors == plain_errors and len(plain_errors) == 1


def test_the_shortcut_takes_lists_of_objects_and_leaves_the_rest(monkeypatch):
    taken = {}
    real = plain_fields.execute_plain_field

    def spy(context, parent_type, source, field_nodes, path):
        value = real(context, parent_type, source, field_nodes, path)
        if parent_type.name == "Shop":
            taken[field_nodes[0].name.value] = value is not plain_fields.MISS
        return value

    monkeypatch.setattr("shared.views.execute_plain_field", spy)
    run(TimeBudgetExecutionContext, SHOP)

    assert taken == {
        "things": True,
        "strictThings": True,
        "withAGap": False,  # holds a None: graphql-core's own path
        "lazy": False,  # a generator, not a list or tuple
        "makers": True,
        "requiredThings": True,
    }
