"""Connections inside the rows of a list, one query for the whole list instead of one per row.

`customers(first: 50) { edges { node { ledger(first: 5) { ... } } } }` would read each customer's
ledger page on its own (a page query, and a count, per row). Instead, the list's resolver asks
`nested_pages` which pages the query wants, its selector adds one `Prefetch` per page window (a
sliced queryset, which Django reads for every parent at once with `ROW_NUMBER() OVER (PARTITION BY
parent ...)`) and, when `totalCount` is selected, a per-row count subquery in the list's own
statement. A `NestedConnectionField` then serves each row's page from what was loaded.

Forward pages (`first`/`after`/`offset`) and the last rows of each parent (`last` alone, which also
counts each parent's rows, for the cursors) are preloaded; any other backward page (`last` with a
cursor, `before`), or a field reached outside such a list (`customer(id:)`), reads its rows on its
own as before.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, IntegerField, Model, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from graphene.utils.str_converters import to_snake_case
from graphene_django.settings import graphene_settings
from graphql.execution.values import get_argument_values
from graphql_relay import cursor_to_offset

from shared.graphql import (
    CountableConnectionField,
    forward_page_from_rows,
    last_page_from_rows,
    selected_fields,
)


@dataclass(frozen=True)
class PageWindow:
    """Rows `start` .. `start + first` (one more than shown, for `hasNextPage`) of each parent; or,
    `backward`, the last `first` rows of each parent (read in reverse order, newest first)."""

    field: str
    start: int
    first: int
    backward: bool = False

    @property
    def attr(self) -> str:
        if self.backward:
            return f"_page_{self.field}_last_{self.first}"
        return f"_page_{self.field}_{self.start}_{self.first}"

    def prefetch(self, lookup: str, children: QuerySet) -> Prefetch:
        if self.backward:  # the children's order must be total (it ends with the pk) to reverse
            return Prefetch(lookup, queryset=children.reverse()[: self.first], to_attr=self.attr)
        return Prefetch(
            lookup, queryset=children[self.start : self.start + self.first + 1], to_attr=self.attr
        )


def count_attr(field: str) -> str:
    return f"_count_{field}"


def page_window(field: str, args: dict) -> PageWindow | None:
    """The window page arguments ask for; None for a backward page with a cursor or an offset, or
    for arguments a list refuses (`check_page_arguments` reports those when the field itself is
    resolved)."""
    max_limit = graphene_settings.RELAY_CONNECTION_MAX_LIMIT
    last = args.get("last")
    if last is not None:
        others = ("first", "after", "before")
        if (
            any(args.get(name) is not None for name in others)
            or args.get("offset")
            or not 0 <= last <= max_limit
        ):
            return None
        return PageWindow(field, start=0, first=last, backward=True)
    if args.get("before") is not None:
        return None
    first = args.get("first")
    first = max_limit if first is None else first
    offset = args.get("offset") or 0
    if not 0 <= first <= max_limit or offset < 0:
        return None
    after = args.get("after")
    position = -1
    if after is not None:
        position = cursor_to_offset(after) if isinstance(after, str) and len(after) <= 100 else None
        if position is None or position < 0:
            return None
    return PageWindow(field, start=position + 1 + offset, first=first)


@dataclass(frozen=True)
class NestedPages:
    """What a query asks of one nested connection across a list: its page windows (one per distinct
    set of page arguments, e.g. two aliases) and whether any of them selects `totalCount`."""

    field: str
    windows: tuple[PageWindow, ...]
    counted: bool

    def prefetches(self, lookup: str, children: QuerySet) -> list[Prefetch]:
        return [window.prefetch(lookup, children) for window in self.windows]

    def count_annotation(self, children: QuerySet, parent_field: str) -> dict[str, Coalesce]:
        """`{attr: count}` for `QuerySet.annotate`: each parent's children, counted in the parent's row."""
        if not self.counted:
            return {}
        counts = (
            children.prefetch_related(None)
            .filter(**{parent_field: OuterRef("pk")})
            .order_by()
            .values(parent_field)
            .annotate(n=Count("pk"))
            .values("n")
        )
        return {count_attr(self.field): Coalesce(Subquery(counts), Value(0), output_field=IntegerField())}


def nested_pages(info, type_name: str, field: str, *path: str) -> NestedPages | None:
    """The pages of connection `field` of GraphQL type `type_name` that rows under `path` select.

    None when the field is not selected. Page arguments are read with the request's variables.
    """
    nodes = selected_fields(info, *path).get(field)
    if not nodes:
        return None
    field_def = info.schema.get_type(type_name).fields[field]
    windows = {}
    for node in nodes:
        window = page_window(field, get_argument_values(field_def, node, info.variable_values))
        if window is not None:
            windows[window.attr] = window
    # A backward page's cursors are positions from the start: it needs each parent's count.
    counted = "totalCount" in selected_fields(info, *path, field) or any(w.backward for w in windows.values())
    return NestedPages(field=field, windows=tuple(windows.values()), counted=counted)


def relations_selected(model: type[Model], info, *path: str, parent: str | None = None) -> list[str]:
    """`prefetch_related` lookups for the relations of `model` the query selects under `path`.

    A selected field named like a relation of the model (`items`, `cashier`) is prefetched, and the
    relations selected below it in turn, so rows of a nested page load their relations in one query
    per relation for the whole list. Other fields are ignored, and so are connections and `parent`,
    the foreign key back to the row the page hangs from (Django sets it on each child when it reads
    the page).
    """
    lookups = []
    for name in selected_fields(info, *path):
        try:
            relation = model._meta.get_field(to_snake_case(name))
        except FieldDoesNotExist:  # a computed field (`amountPaid`)
            continue
        if not relation.is_relation or relation.related_model is None or relation.name == parent:
            continue
        if {"edges", "pageInfo", "totalCount"} & set(selected_fields(info, *path, name)):
            continue  # a connection (`Customer.sales`) reads its own page, never the whole relation
        lookup = relation.name if relation.concrete else relation.get_accessor_name()
        lookups.append(lookup)
        lookups += [
            f"{lookup}__{deeper}" for deeper in relations_selected(relation.related_model, info, *path, name)
        ]
    return lookups


class NestedConnectionField(CountableConnectionField):
    """A connection inside list rows: serves the page the list preloaded for the row, if it did.

    The list's selector preloads through `NestedPages`; without a preloaded page (a single parent,
    a backward page) the field reads its rows like a `CountableConnectionField`.
    """

    @classmethod
    def connection_resolver(
        cls,
        resolver,
        connection,
        default_manager,
        queryset_resolver,
        max_limit,
        enforce_first_or_last,
        root,
        info,
        **args,
    ):
        window = page_window(info.field_name, args)
        rows = getattr(root, window.attr, None) if window is not None else None
        count = getattr(root, count_attr(info.field_name), None)
        if rows is None or (window.backward and count is None):
            return super().connection_resolver(
                resolver,
                connection,
                default_manager,
                queryset_resolver,
                max_limit,
                enforce_first_or_last,
                root,
                info,
                **args,
            )
        if window.backward:
            page = last_page_from_rows(connection, rows[::-1], count)
        else:
            page = forward_page_from_rows(connection, args, rows, window.start, window.first)
        # Counted in the list's statement when selected; otherwise by the row's own query if asked after all.
        page.length = count
        if page.length is None:
            iterable = resolver(root, info, **args)
            page.iterable = queryset_resolver(
                connection, default_manager if iterable is None else iterable, info, args
            )
        return page
