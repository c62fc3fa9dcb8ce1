"""A shortcut through graphql-core for the most common fields: an attribute read as it is.

graphql-core executes every field the same way: it builds a `GraphQLResolveInfo`, coerces the
arguments, calls the resolver (graphene's default one for a plain attribute: two calls deep),
dispatches on the return type and checks for awaitables, about 10 µs a field on these machines.
A page of 50 sales showing two scalars pays that 150 times (`edges { node { a b } }`), more than
the page's SQL and rows (docs/PERFORMANCE.md). For a field without arguments whose resolver is
graphene's default, `execute_plain_field` reads the attribute and, for a scalar or an enum,
serializes it, or, for an object (a Relay edge's node, a sale's customer), executes its selection,
as those steps would. Anything else (another resolver, None, an error, a dict source, an object
type whose `is_type_of` needs the resolve info) answers `MISS` and the caller takes graphql-core's
own path, which then resolves and reports it exactly as before.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from graphene.types.resolver import dict_or_attr_resolver
from graphene_django import DjangoObjectType
from graphql import (
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    Undefined,
    is_leaf_type,
    is_object_type,
    located_error,
)

MISS = object()

# Per field definition (by identity: GraphQLField compares by value and cannot be hashed), the field
# itself and its plan: (attribute, default, serialize, object type) when it qualifies, else None.
_plans: dict[int, tuple[GraphQLField, tuple | None]] = {}


def execute_plain_field(context, parent_type: GraphQLObjectType, source: Any, field_nodes, path) -> Any:
    """The completed value of the field, or MISS to let graphql-core execute it."""
    field = parent_type.fields.get(field_nodes[0].name.value)
    if field is None or type(source) is dict:
        return MISS
    entry = _plans.get(id(field))
    if entry is None or entry[0] is not field:
        entry = _plans[id(field)] = (field, _plan(field))
    plan = entry[1]
    if plan is None:
        return MISS
    attname, default, serialize, object_type = plan
    try:
        value = getattr(source, attname, default)
        if value is None:
            return MISS
        if serialize is not None:
            serialized = serialize(value)
            return MISS if serialized is None or serialized is Undefined else serialized
        if object_type.is_type_of is not None and not object_type.is_type_of(value, None):
            return MISS
    except Exception:  # graphql-core's path raises it again, located and reported
        return MISS
    try:
        return context.execute_fields(
            object_type, value, path, context.collect_subfields(object_type, field_nodes)
        )
    except Exception as raw_error:  # a non-null field below failed: as graphql-core's execute_field
        context.handle_field_error(located_error(raw_error, field_nodes, path.as_list()), field.type, path)
        return None


def _plan(field: GraphQLField) -> tuple | None:
    resolve = field.resolve
    if field.args or not isinstance(resolve, partial) or resolve.func is not dict_or_attr_resolver:
        return None
    if resolve.keywords or len(resolve.args) != 2:
        return None
    field_type = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    attname, default = resolve.args
    if is_leaf_type(field_type):
        return attname, default, field_type.serialize, None
    if is_object_type(field_type) and _is_type_of_needs_no_info(field_type):
        return attname, default, None, field_type
    return None


def _is_type_of_needs_no_info(object_type: GraphQLObjectType) -> bool:
    """No `is_type_of`, or graphene-django's, which looks at the instance only."""
    is_type_of = object_type.is_type_of
    return is_type_of is None or getattr(is_type_of, "__func__", None) is DjangoObjectType.is_type_of.__func__
