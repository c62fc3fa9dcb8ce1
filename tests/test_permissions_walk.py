"""Walk the whole schema so that every new query and mutation is covered automatically.

- every root field declares a permission (the decorator/`required_role` marker);
- an anonymous caller is refused (UNAUTHENTICATED, field null) on every mutation but the token ones,
  and on every query field that is not deliberately public.
"""

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    Undefined,
)

from config.schema import Mutation, Query, schema
from shared.graphql import BaseMutation
from shared.permissions import PUBLIC

PUBLIC_MUTATIONS = {"tokenAuth", "refreshToken", "verifyToken", "revokeToken"}
SCALAR_SAMPLES = {
    "String": '"x"',
    "ID": '"1"',
    "Int": "1",
    "Float": "1",
    "Boolean": "true",
    "Money": '"1.00"',
    "Quantity": '"1"',
    "Decimal": '"1"',
    "Date": '"2026-01-01"',
    "DateTime": '"2026-01-01T00:00:00+00:00"',
    "UUID": '"00000000-0000-0000-0000-000000000000"',
    "JSONString": '"{}"',
    "GenericScalar": '"x"',
    "Upload": '"x"',
}


def sample_literal(graphql_type) -> str:
    """A syntactically valid literal for any input type: enough to get past validation."""
    if isinstance(graphql_type, GraphQLNonNull):
        return sample_literal(graphql_type.of_type)
    if isinstance(graphql_type, GraphQLList):
        return f"[{sample_literal(graphql_type.of_type)}]"
    if isinstance(graphql_type, GraphQLEnumType):
        return next(iter(graphql_type.values))
    if isinstance(graphql_type, GraphQLScalarType):
        return SCALAR_SAMPLES.get(graphql_type.name, '"x"')
    if isinstance(graphql_type, GraphQLInputObjectType):
        required = [
            f"{name}: {sample_literal(field.type)}"
            for name, field in graphql_type.fields.items()
            if isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined
        ]
        return "{" + ", ".join(required) + "}"
    raise AssertionError(f"no sample for {graphql_type}")


def call_for(field_name, field) -> str:
    args = [
        f"{name}: {sample_literal(arg.type)}"
        for name, arg in field.args.items()
        if isinstance(arg.type, GraphQLNonNull)
    ]
    arg_text = f"({', '.join(args)})" if args else ""
    return f"{field_name}{arg_text} {{ __typename }}" if _is_object(field.type) else f"{field_name}{arg_text}"


def _is_object(graphql_type) -> bool:
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        graphql_type = graphql_type.of_type
    return hasattr(graphql_type, "fields")


MUTATION_FIELDS = sorted(schema.graphql_schema.mutation_type.fields.items())
QUERY_FIELDS = sorted(schema.graphql_schema.query_type.fields.items())


def _query_resolver(python_name):
    return getattr(Query, f"resolve_{python_name}", None)


def _python_name(graphene_type, graphql_name):
    for name, field in graphene_type._meta.fields.items():
        if field.name == graphql_name or (field.name is None and _camel(name) == graphql_name):
            return name, field
    raise AssertionError(graphql_name)


def _camel(name):
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


@pytest.mark.parametrize("graphql_name", [name for name, _ in QUERY_FIELDS])
def test_every_query_field_declares_a_permission(graphql_name):
    python_name, field = _python_name(Query, graphql_name)
    resolver = field.resolver or _query_resolver(python_name)

    assert getattr(resolver, "_required_role", None) is not None, (
        f"{graphql_name} has no permission decorator"
    )


@pytest.mark.parametrize("graphql_name", [name for name, _ in MUTATION_FIELDS])
def test_every_mutation_declares_a_permission(graphql_name):
    _python, field = _python_name(Mutation, graphql_name)
    payload = field.type
    if isinstance(payload, type) and issubclass(payload, BaseMutation):
        assert payload.required_role is not None
    else:
        assert getattr(payload.mutate, "_required_role", None) == PUBLIC, (
            f"{graphql_name} is not a BaseMutation"
        )
        assert graphql_name in PUBLIC_MUTATIONS


@pytest.mark.parametrize(
    "graphql_name,field", [(n, f) for n, f in MUTATION_FIELDS if n not in PUBLIC_MUTATIONS]
)
def test_anonymous_is_refused_on_every_mutation(anon, graphql_name, field):
    response = anon(f"mutation {{ {call_for(graphql_name, field)} }}")

    assert response.errors, response.body
    assert response.error_codes() == ["UNAUTHENTICATED"], response.errors
    assert response.data == {graphql_name: None}


@pytest.mark.parametrize("graphql_name,field", QUERY_FIELDS)
def test_anonymous_is_refused_on_every_query(anon, graphql_name, field):
    python_name, graphene_field = _python_name(Query, graphql_name)
    resolver = graphene_field.resolver or _query_resolver(python_name)
    if getattr(resolver, "_required_role", None) == PUBLIC:
        pytest.skip("deliberately public")

    response = anon(f"{{ {call_for(graphql_name, field)} }}")

    assert response.error_codes() == ["UNAUTHENTICATED"], response.body
    assert response.data == {graphql_name: None}
