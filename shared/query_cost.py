"""Depth, repetition and cost of a GraphQL operation, computed in one pass linear in the document.

Every fragment is analysed once per list-size context and its result reused for every spread
(memoised), so a fragment that spreads another twice, twenty levels deep, costs twenty visits, not
a million. The document must already have passed NoFragmentCyclesRule and KnownFragmentNamesRule.

Cost estimates the objects the server would load: a field returning an object costs 1 plus its
selections; a list multiplies that by its size: `first`/`last`/`limit` when given, the default page
size for a connection without them, an estimate for a plain list such as `sale.items` (per field,
else `list_estimate`). Scalars cost nothing. Aliased fields are counted each time they appear, as
the server resolves each one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_composite_type,
    is_list_type,
    is_non_null_type,
)
from graphql.language import DocumentNode

from shared.validation import RequestErrorCode

SIZE_ARGUMENTS = ("first", "last", "limit")
# Fields plus fragments nested this deep are refused before Python's own recursion limit is near.
MAX_NESTING = 200


@dataclass(frozen=True)
class CostSettings:
    max_depth: int
    max_repeats: int
    page_size: int
    list_estimate: int
    # ("Type.field", size) for plain lists whose usual length is far from list_estimate.
    list_estimates: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class OperationCost:
    cost: int
    uses_variables: bool  # a list size came from a variable: recompute with the request's values


class _Refused(Exception):
    def __init__(self, error: GraphQLError):
        self.error = error


def _is_connection(type_) -> bool:
    named = get_named_type(type_)
    return isinstance(named, GraphQLObjectType) and "edges" in named.fields and "pageInfo" in named.fields


def _clamp(size: Any, default: int, cap: int | None) -> int:
    # A connection never returns more than its page size (larger `first` values are refused).
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        return default
    return size if cap is None else min(size, cap)


def _is_list(type_) -> bool:
    return is_list_type(type_.of_type if is_non_null_type(type_) else type_)


class _Analysis:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, config: CostSettings, variables: dict):
        self.schema = schema
        self.config = config
        self.variables = variables
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.list_estimates = dict(config.list_estimates)
        self.memo: dict[tuple[str, int], tuple[int, int, Counter]] = {}
        self.uses_variables = False

    def operation(self, operation: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(operation.operation)
        if root is None:
            return 0
        cost, depth, _names = self.selection_set(operation.selection_set, root, edge_count=0, nesting=0)
        # Root fields are at depth 0, as graphene's depth_limit_validator counted.
        if depth - 1 > self.config.max_depth:
            name = operation.name.value if operation.name else "anonymous"
            raise _Refused(
                GraphQLError(
                    f"'{name}' exceeds maximum operation depth of {self.config.max_depth}.",
                    operation,
                    extensions={
                        "code": RequestErrorCode.QUERY_TOO_DEEP.value,
                        "maxDepth": self.config.max_depth,
                    },
                )
            )
        return cost

    def selection_set(self, node: SelectionSetNode, parent, *, edge_count: int, nesting: int):
        """Cost, depth (longest chain of fields) and response-name counts of a selection set."""
        if nesting > MAX_NESTING or nesting > 4 * (self.config.max_depth + 2):
            raise _Refused(
                GraphQLError(
                    "The query nests fields or fragments too deeply.",
                    node,
                    extensions={"code": RequestErrorCode.QUERY_TOO_DEEP.value},
                )
            )
        cost, depth, names = 0, 0, Counter()
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                names[(selection.alias or selection.name).value] += 1
                field_cost, field_depth = self.field(
                    selection, parent, edge_count=edge_count, nesting=nesting
                )
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                fragment_type = self.schema.get_type(condition.name.value) if condition else parent
                field_cost, field_depth, inner = self.selection_set(
                    selection.selection_set,
                    fragment_type or parent,
                    edge_count=edge_count,
                    nesting=nesting + 1,
                )
                names.update(inner)
            elif isinstance(selection, FragmentSpreadNode):
                field_cost, field_depth, inner = self.spread(selection.name.value, edge_count, nesting)
                names.update(inner)
            else:  # pragma: no cover - the three selection kinds are all there are
                continue
            cost += field_cost
            depth = max(depth, field_depth)
        self._check_repeats(node, names)
        return cost, depth, names

    def spread(self, name: str, edge_count: int, nesting: int):
        key = (name, edge_count)
        if key not in self.memo:
            fragment = self.fragments.get(name)
            fragment_type = self.schema.get_type(fragment.type_condition.name.value) if fragment else None
            if fragment is None or fragment_type is None:
                self.memo[key] = (0, 0, Counter())  # reported by the spec's rules
            else:
                self.memo[key] = self.selection_set(
                    fragment.selection_set, fragment_type, edge_count=edge_count, nesting=nesting + 1
                )
        return self.memo[key]

    def field(self, node: FieldNode, parent, *, edge_count: int, nesting: int) -> tuple[int, int]:
        name = node.name.value
        if name.startswith("__"):
            return 0, 0  # introspection has its own limits; __typename costs nothing
        definition = getattr(parent, "fields", {}).get(name)
        if definition is None:
            return 0, 1  # unknown field: FieldsOnCorrectTypeRule reports it
        if node.selection_set is None or not is_composite_type(get_named_type(definition.type)):
            return 0, 1
        page_size = self.config.page_size
        inner_edges = (
            self._list_size(node, default=page_size, cap=page_size) if _is_connection(definition.type) else 0
        )
        inner_cost, inner_depth, _ = self.selection_set(
            node.selection_set, get_named_type(definition.type), edge_count=inner_edges, nesting=nesting + 1
        )
        per_object = 1 + inner_cost
        if name == "edges" and edge_count:
            return edge_count * per_object, 1 + inner_depth
        if _is_list(definition.type):
            estimate = self.list_estimates.get(f"{parent.name}.{name}", self.config.list_estimate)
            size = self._list_size(node, default=estimate, cap=None)
            return size * per_object, 1 + inner_depth
        return per_object, 1 + inner_depth

    def _list_size(self, node: FieldNode, *, default: int, cap: int | None) -> int:
        for argument in node.arguments:
            if argument.name.value not in SIZE_ARGUMENTS:
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return _clamp(int(value.value), default, cap)
            if isinstance(value, VariableNode):
                self.uses_variables = True
                return _clamp(self.variables.get(value.name.value), default, cap)
        return default

    def _check_repeats(self, node: SelectionSetNode, names: Counter) -> None:
        # Merging fields of one response name is quadratic in the spec's OverlappingFieldsCanBeMerged.
        if not names:
            return
        name, count = names.most_common(1)[0]
        if count > self.config.max_repeats:
            raise _Refused(
                GraphQLError(
                    f"The field '{name}' is selected {count} times in one selection set;"
                    f" at most {self.config.max_repeats} are allowed.",
                    node,
                    extensions={"code": RequestErrorCode.QUERY_TOO_COMPLEX.value},
                )
            )


def analyse_document(
    schema: GraphQLSchema, document: DocumentNode, config: CostSettings
) -> tuple[dict[str | None, OperationCost], list[GraphQLError]]:
    """Cost of every operation of `document` (by name; None for an anonymous one), or the refusal.

    Sizes given by variables are counted at their defaults here; see `operation_cost`.
    """
    costs: dict[str | None, OperationCost] = {}
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        analysis = _Analysis(schema, document, config, _defaults(definition))
        try:
            cost = analysis.operation(definition)
        except _Refused as refusal:
            return {}, [refusal.error]
        name = definition.name.value if definition.name else None
        costs[name] = OperationCost(cost=cost, uses_variables=analysis.uses_variables)
    return costs, []


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    config: CostSettings,
    operation: OperationDefinitionNode,
    variables: dict,
) -> int:
    """Cost of `operation` with the list sizes the request's variables give."""
    return _Analysis(schema, document, config, {**_defaults(operation), **variables}).operation(operation)


def _defaults(operation: OperationDefinitionNode) -> dict:
    return {
        definition.variable.name.value: int(definition.default_value.value)
        for definition in operation.variable_definitions or ()
        if isinstance(definition.default_value, IntValueNode)
    }
