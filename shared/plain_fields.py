"""A shortcut through graphql-core for the most common fields: an attribute read as it is.

graphql-core executes every field the same way: it builds a `GraphQLResolveInfo`, coerces the
arguments, calls the resolver (graphene's default one for a plain attribute: two calls deep),
dispatches on the return type and checks for awaitables, about 10 µs a field on these machines.
A page of 50 sales showing two scalars pays that 150 times (`edges { node { a b } }`), more than
the page's SQL and rows (docs/PERFORMANCE.md). For a field without arguments whose resolver is
graphene's default, `execute_plain_field` reads the attribute and, for a scalar or an enum,
serializes it, or, for an object (a Relay edge's node, a sale's customer), executes its selection,
as those steps would; a list of objects (a page's `edges`) has each item's selection executed, with
graphql-core's item paths and null rules. Anything else (another resolver, None, an error, a dict source, an object
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
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    Undefined,
    is_leaf_type,
    is_object_type,
    located_error,
)

MISS = object()

# Per field definition (by identity: GraphQLField compares by value and cannot be hashed), the field
# itself and its plan when it qualifies, else None: (attribute, default, serialize, object type,
# the list's declared item type for a list of objects).
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
    attname, default, serialize, object_type, item_type = plan
    try:
        value = getattr(source, attname, default)
        if value is None:
            return MISS
        if item_type is not None:
            return _execute_list(context, field, object_type, item_type, value, field_nodes, path)
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


def _execute_list(context, field, object_type, item_type, items, field_nodes, path) -> Any:
    """A list of objects, completed as graphql-core's `complete_list_value` would, or MISS."""
    if type(items) is not list and type(items) is not tuple:
        return MISS
    is_type_of = object_type.is_type_of
    if is_type_of is not None:
        checked: set[type] = set()  # graphene-django's check depends on the item's class only
        for item in items:
            kind = type(item)
            if kind not in checked:
                if item is None or not is_type_of(item, None):
                    return MISS
                checked.add(kind)
    elif any(item is None for item in items):
        return MISS
    sub_fields = context.collect_subfields(object_type, field_nodes)
    completed = []
    try:
        for index, item in enumerate(items):
            item_path = path.add_key(index, None)
            try:
                completed.append(context.execute_fields(object_type, item, item_path, sub_fields))
            except Exception as raw_error:  # a non-null field below failed
                error = located_error(raw_error, field_nodes, item_path.as_list())
                context.handle_field_error(error, item_type, item_path)
                completed.append(None)
    except Exception as raw_error:  # a non-null item failed: the list field is null or propagates
        context.handle_field_error(located_error(raw_error, field_nodes, path.as_list()), field.type, path)
        return None
    return completed


def _plan(field: GraphQLField) -> tuple | None:
    resolve = field.resolve
    if field.args or not isinstance(resolve, partial) or resolve.func is not dict_or_attr_resolver:
        return None
    if resolve.keywords or len(resolve.args) != 2:
        return None
    field_type = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    attname, default = resolve.args
    if is_leaf_type(field_type):
        return attname, default, field_type.serialize, None, None
    if is_object_type(field_type) and _is_type_of_needs_no_info(field_type):
        return attname, default, None, field_type, None
    if isinstance(field_type, GraphQLList):
        item_type = field_type.of_type
        object_type = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        if is_object_type(object_type) and _is_type_of_needs_no_info(object_type):
            return attname, default, None, object_type, item_type
    return None


def _is_type_of_needs_no_info(object_type: GraphQLObjectType) -> bool:
    """No `is_type_of`, or graphene-django's, which looks at the instance only."""
    is_type_of = object_type.is_type_of
    return is_type_of is None or getattr(is_type_of, "__func__", None) is DjangoObjectType.is_type_of.__func__
