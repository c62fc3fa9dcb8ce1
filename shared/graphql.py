"""GraphQL building blocks every app uses: scalars, the error type, the mutation base, connections."""

from __future__ import annotations

import logging
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache, partial
from typing import Any, ClassVar

import graphene
from django.apps import apps
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured, ValidationError
from django.db import DatabaseError
from django.db.models import QuerySet
from graphene.relay.connection import connection_adapter, page_info_adapter
from graphene.utils.str_converters import to_camel_case, to_snake_case
from graphene_django import DjangoConnectionField
from graphene_django.settings import graphene_settings
from graphene_django.utils import maybe_queryset
from graphql import (
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    get_named_type,
)
from graphql.language import FieldNode, FragmentSpreadNode, InlineFragmentNode, IntValueNode, StringValueNode
from graphql_relay import (
    cursor_to_offset,
    from_global_id,
    get_offset_with_default,
    offset_to_cursor,
)
from promise import Promise

from shared import db_errors
from shared.dates import check_date_range, check_days
from shared.errors import DomainError, ErrorCode, ErrorDetail, too_long
from shared.money import format_money, format_quantity, input_max_amount, input_max_quantity, to_decimal
from shared.permissions import PUBLIC, check_role
from shared.roles import Role

logger = logging.getLogger("pos.graphql")


def enum_value(member):
    """The plain value of a GraphQL enum argument (graphene hands over the member or its value)."""
    return getattr(member, "value", member)


def _number_error(kind: str, example: str, code: str = ErrorCode.INVALID) -> GraphQLError:
    return GraphQLError(f"{kind} must be a plain number such as {example}.", extensions={"code": code})


def _decimal_from_input(value: Any, kind: str, example: str, limit: Decimal) -> Decimal:
    """The strict parser of shared.money, as a GraphQL input error (top-level, code INVALID/OUT_OF_RANGE).

    Floats and booleans are refused: a JSON number such as 0.1 has already lost its exact value.
    The field-specific rules (places, sign, zero, narrower ranges) are the services' parse_* calls.
    """
    if isinstance(value, float):
        raise GraphQLError(
            f"{kind} must be sent as a string such as {example}, never as a float.",
            extensions={"code": ErrorCode.INVALID},
        )
    try:
        number = to_decimal(value)
    except InvalidOperation:
        raise _number_error(kind, example) from None
    if abs(number) > limit:
        raise GraphQLError(
            f"{kind} cannot be more than {limit:,f}.", extensions={"code": ErrorCode.OUT_OF_RANGE}
        )
    return number


class Money(graphene.Scalar):
    """An amount of money as a string with exactly two decimal places, e.g. "10.00"."""

    @staticmethod
    def serialize(value):
        return format_money(value)

    @staticmethod
    def parse_value(value):
        return _decimal_from_input(value, "Money", '"10.00"', input_max_amount())

    @staticmethod
    def parse_literal(node, _variables=None):
        if isinstance(node, StringValueNode | IntValueNode):
            return _decimal_from_input(node.value, "Money", '"10.00"', input_max_amount())
        raise _number_error("Money", '"10.00"')


class Quantity(graphene.Scalar):
    """A quantity with up to three decimal places, sent as an integer (2) or a string ("1.5")."""

    @staticmethod
    def serialize(value):
        return format_quantity(Decimal(value))

    @staticmethod
    def parse_value(value):
        return _decimal_from_input(value, "Quantity", '2 or "1.5"', input_max_quantity())

    @staticmethod
    def parse_literal(node, _variables=None):
        if isinstance(node, StringValueNode | IntValueNode):
            return _decimal_from_input(node.value, "Quantity", '2 or "1.5"', input_max_quantity())
        raise _number_error("Quantity", '2 or "1.5"')


# DecimalField(6, 4) holds 99.9999; the services narrow it to what each rate means (a tax rate is 0..1).
RATE_INPUT_LIMIT = Decimal("99.9999")


class Rate(graphene.Scalar):
    """The `Decimal` scalar type represents a python Decimal."""

    # Named "Decimal" so that the published schema stays as it was; unlike graphene's Decimal it
    # refuses booleans (`true` was stored as a 100 % rate), floats and exponents. Ranges (0..1 for
    # a tax rate) are the services' parse_rate.

    class Meta:
        name = "Decimal"

    @staticmethod
    def serialize(value):
        return str(Decimal(value))

    @staticmethod
    def parse_value(value):
        return _decimal_from_input(value, "A rate", '"0.075"', RATE_INPUT_LIMIT)

    @staticmethod
    def parse_literal(node, _variables=None):
        if isinstance(node, StringValueNode | IntValueNode):
            return _decimal_from_input(node.value, "A rate", '"0.075"', RATE_INPUT_LIMIT)
        raise _number_error("A rate", '"0.075"')


class ErrorType(graphene.ObjectType):
    """Why an operation was refused. Nothing was changed."""

    field = graphene.String(
        description="Input field that caused the error (e.g. `items.2.quantity`); null if not field-specific."
    )
    code = graphene.String(
        required=True, description="Stable machine-readable code, e.g. INSUFFICIENT_STOCK."
    )
    message = graphene.String(required=True, description="Human-readable explanation.")

    class Meta:
        name = "Error"


def error_types(errors: list[ErrorDetail]) -> list[ErrorType]:
    return [ErrorType(field=e.field, code=e.code, message=e.message) for e in errors]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def errors_from_validation(
    exc: ValidationError, field_map: dict[str, str] | None = None
) -> list[ErrorDetail]:
    """Turn a Django ValidationError into payload errors (field names in GraphQL camelCase)."""
    field_map = field_map or {}
    details: list[ErrorDetail] = []
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            graphql_field = None if name == NON_FIELD_ERRORS else field_map.get(name, _camel(name))
            for error in errors:
                message = error.message % error.params if error.params else error.message
                details.append(ErrorDetail(code=_code(error.code), message=str(message), field=graphql_field))
    else:
        for error in exc.error_list:
            message = error.message % error.params if error.params else error.message
            details.append(ErrorDetail(code=_code(error.code), message=str(message)))
    return details


def _code(django_code: str | None) -> str:
    if not django_code:
        return ErrorCode.INVALID
    return re.sub(r"[^A-Z0-9]+", "_", str(django_code).upper()).strip("_") or ErrorCode.INVALID


class BaseMutation(graphene.Mutation):
    """Every mutation payload: `success`, `message`, `errors`, plus the mutation's own result fields.

    Subclasses declare `required_role` (a `Role`, or `PUBLIC`) and implement `perform_mutation`, which
    calls exactly one service and returns a dict of result fields (optionally with `message`).
    The role check raises a top-level error; `DomainError` and `ValidationError` become payload errors.
    """

    success = graphene.Boolean(required=True, description="True when the operation was carried out.")
    message = graphene.String(description="One readable sentence about the outcome.")
    errors = graphene.List(
        graphene.NonNull(ErrorType),
        required=True,
        description="Why the operation was refused; empty on success.",
    )

    required_role: ClassVar[Role | str | None] = None
    # Maps model attribute names to GraphQL input names for ValidationError fields.
    error_field_map: ClassVar[dict[str, str]] = {}
    # Longest accepted string per input path ("note", "payments.reference": list indices left out):
    # an int, or "app_label.Model.field" to take the column's max_length. Any other string input is
    # held to settings.INPUT_MAX_TEXT_LENGTH. Longer strings are refused with MAX_LENGTH, never cut.
    max_lengths: ClassVar[dict[str, int | str]] = {}

    class Meta:
        abstract = True

    @classmethod
    def __init_subclass_with_meta__(cls, **options):
        if cls.required_role is None:
            raise TypeError(f"{cls.__name__} must declare required_role (a Role or PUBLIC).")
        super().__init_subclass_with_meta__(**options)

    @classmethod
    def mutate(cls, root, info, **data):
        if cls.required_role != PUBLIC:
            check_role(info.context, cls.required_role)
        if too_long := input_length_errors(data, cls.max_lengths):
            return cls.failure(too_long)
        try:
            result = cls.perform_mutation(root, info, **data) or {}
        except DomainError as exc:
            return cls.failure(exc.errors)
        except ValidationError as exc:
            return cls.failure(errors_from_validation(exc, cls.error_field_map))
        except DatabaseError as exc:
            # The service's transaction has rolled back; a lock wait or deadlock is the till's
            # "busy" moment, not a fault, so the client gets a coded refusal it can retry.
            if not db_errors.is_retryable(exc):
                raise
            logger.warning("Retryable database refusal in %s: %s", cls.__name__, db_errors.sqlstate(exc))
            return cls.failure([ErrorDetail(code=ErrorCode.BUSY_TRY_AGAIN, message=db_errors.BUSY_MESSAGE)])
        message = result.pop("message", None)
        return cls(success=True, message=message, errors=[], **result)

    @classmethod
    def failure(cls, errors: list[ErrorDetail]):
        return cls(
            success=False,
            message=errors[0].message if errors else "The request was refused.",
            errors=error_types(errors),
        )

    @classmethod
    def perform_mutation(cls, root, info, **data) -> dict[str, Any]:
        raise NotImplementedError


def input_length_errors(data: dict[str, Any], limits: dict[str, int | str]) -> list[ErrorDetail]:
    """A MAX_LENGTH error for every string in a mutation's arguments that is longer than allowed.

    The single `input` argument's fields are named without the `input.` prefix (`items.2.reason`),
    as every payload error is.
    """
    errors: list[ErrorDetail] = []

    def visit(value: Any, field: str, key: str) -> None:
        if isinstance(value, str):
            limit = max_length_of(limits.get(key))
            if len(value) > limit:
                errors.append(too_long(limit=limit, field=field))
        elif isinstance(value, dict):
            for name, child in dict.items(value):  # an input field may be called `items`
                camel = to_camel_case(name)
                visit(child, f"{field}.{camel}" if field else camel, f"{key}.{camel}" if key else camel)
        elif isinstance(value, list | tuple):
            for index, child in enumerate(value):
                visit(child, f"{field}.{index}", key)

    for name, value in data.items():
        visit(value, "", "") if name == "input" else visit(value, to_camel_case(name), to_camel_case(name))
    return errors


@lru_cache(maxsize=256)
def _column_max_length(label: str) -> int:
    app_label, model_name, field_name = label.split(".")
    max_length = apps.get_model(app_label, model_name)._meta.get_field(field_name).max_length
    if max_length is None:
        raise ImproperlyConfigured(f"{label} has no max_length; declare a number instead.")
    return max_length


def max_length_of(declared: int | str | None) -> int:
    """The limit a `max_lengths` entry stands for; undeclared strings get INPUT_MAX_TEXT_LENGTH."""
    if declared is None:
        return settings.INPUT_MAX_TEXT_LENGTH
    return declared if isinstance(declared, int) else _column_max_length(declared)


class CountableConnection(graphene.relay.Connection):
    """A Relay connection with `totalCount`; page size is capped by RELAY_CONNECTION_MAX_LIMIT."""

    total_count = graphene.Int(
        required=True, description="Number of rows matching the filters, across all pages."
    )

    class Meta:
        abstract = True

    @staticmethod
    def resolve_total_count(root, info):
        length = getattr(root, "length", None)
        if length is None:  # a page resolved without counting (CountableConnectionField)
            iterable = root.iterable
            length = iterable.count() if isinstance(iterable, QuerySet) else len(iterable)
        return length


class CountableConnectionField(DjangoConnectionField):
    """A list that counts its rows (`SELECT COUNT(*)`) only when the query selects `totalCount`.

    graphene-django counts every list to slice it; a forward page (`first`/`after`) reads one row
    more than it shows instead, which is all `hasNextPage` needs. Backward pages (`last`, `before`)
    and a selected `totalCount` take graphene-django's counted path unchanged.
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
        backward = args.get("last") is not None or args.get("before") is not None
        if backward or "totalCount" in selected_fields(info):
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
        iterable = resolver(root, info, **args)
        if iterable is None:
            iterable = default_manager
        iterable = queryset_resolver(connection, iterable, info, args)
        if Promise.is_thenable(iterable):
            return Promise.resolve(iterable).then(partial(cls._forward_page, connection, args, max_limit))
        return cls._forward_page(connection, args, max_limit, iterable)

    @classmethod
    def _forward_page(cls, connection, args, max_limit, iterable):
        iterable = maybe_queryset(iterable)
        first = args.get("first")
        first = max_limit if first is None else first
        if not isinstance(iterable, QuerySet) or first is None:
            return cls.resolve_connection(connection, args, iterable, max_limit=max_limit)
        start = get_offset_with_default(args.get("after"), -1) + 1 + (args.get("offset") or 0)
        page = forward_page_from_rows(
            connection, args, list(iterable[start : start + first + 1]), start, first
        )
        page.iterable = iterable
        page.length = None  # counted only if totalCount is resolved after all
        return page


def forward_page_from_rows(connection, args: dict, rows: list, start: int, first: int):
    """The page of `first` rows from position `start`, given those rows and at most one more.

    The one more row only tells `hasNextPage`; cursors are positions, as graphene-django gives out
    (graphql_relay's `connection_from_array_slice` computes the same page, with a cursor per row
    whether or not one is selected). Sets `args` to the `after`/`first` the page stands for
    (`offset` folded into `after`).
    """
    args.pop("offset", None)
    args["after"] = offset_to_cursor(start - 1) if start else None
    args["first"] = first
    # A forward page: graphql_relay reports a previous page only for `last`.
    return _page(connection, rows[:first], start, has_previous=False, has_next=len(rows) > first)


def last_page_from_rows(connection, rows: list, count: int):
    """The page of the last `len(rows)` of `count` rows (`last` alone), as graphene-django pages it:
    cursors are positions from the start, and there is a previous page when rows come before."""
    start = count - len(rows)
    # graphql_relay reports a next page only for `first`.
    return _page(connection, rows, start, has_previous=start > 0, has_next=False)


def _page(connection, rows: list, start: int, *, has_previous: bool, has_next: bool):
    """The connection of `rows` shown from position `start`."""
    edges = [_PageEdge(row, position) for position, row in enumerate(rows, start)]
    return connection_adapter(
        connection,
        edges=edges,
        pageInfo=page_info_adapter(
            startCursor=edges[0].cursor if edges else None,
            endCursor=edges[-1].cursor if edges else None,
            hasPreviousPage=has_previous,
            hasNextPage=has_next,
        ),
    )


class _PageEdge:
    """An edge of a page: what the connection's Edge type reads (`node`, `cursor`), without a
    graphene ObjectType's constructor per row (it checks every keyword against the type's fields)
    and with its cursor made only when read."""

    __slots__ = ("node", "position")

    def __init__(self, node, position: int):
        self.node = node
        self.position = position

    @property
    def cursor(self) -> str:
        return offset_to_cursor(self.position)


def _page_error(message: str, argument: str, code: str = ErrorCode.INVALID, **params) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, "field": argument, **params})


def _check_cursor(args: dict, argument: str) -> None:
    cursor = args.get(argument)
    if cursor is None:
        return
    offset = cursor_to_offset(cursor) if isinstance(cursor, str) and len(cursor) <= 100 else None
    if offset is None or offset < 0:
        raise _page_error(f"`{argument}` is not a cursor this list gave out.", argument)


def check_page_arguments(args: dict, max_limit: int | None) -> None:
    """Refuse page arguments a list cannot honour, with a coded top-level error naming the argument.

    `first`/`last` must be 0..max_limit (RELAY_CONNECTION_MAX_LIMIT), `offset` at least 0 and not
    combined with `before`, and cursors must be ones a list handed out.
    """
    for argument in ("first", "last"):
        size = args.get(argument)
        if size is None:
            continue
        if size < 0:
            raise _page_error(f"`{argument}` cannot be negative.", argument)
        if max_limit is not None and size > max_limit:
            raise _page_error(
                f"`{argument}` can be at most {max_limit}: ask for the next page with `after`.",
                argument,
                ErrorCode.OUT_OF_RANGE,
                limit=max_limit,
            )
    offset = args.get("offset")
    if offset is not None and offset < 0:
        raise _page_error("`offset` cannot be negative.", "offset")
    if offset is not None and args.get("before") is not None:
        raise _page_error("`offset` cannot be combined with `before`.", "offset")
    _check_cursor(args, "after")
    _check_cursor(args, "before")


def harden_arguments(schema: GraphQLSchema) -> None:
    """Apply the argument rules every operation shares, once, to the built schema.

    - An explicit `null` for an argument or input field that has a default means that default
      (`keepChangeAsCredit: null` is `false`, `limit: null` is 10), unless its description says
      what null means ("null: all", as `products(isActive:)` does).
    - Every list with `first`/`last` (declared, or generated for a relation) checks its page
      arguments (`check_page_arguments`) before any query.
    - `dateFrom`/`dateTo` and `withinDays` are checked against the date limits (shared.dates).
    - A DomainError raised while resolving such a field becomes a coded top-level error.

    Only fields with such arguments are wrapped; the others keep their resolver untouched.
    """
    max_limit = graphene_settings.RELAY_CONNECTION_MAX_LIMIT
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        for field in type_.fields.values():
            names = {arg.out_name or name for name, arg in field.args.items()}
            paged = "first" in names
            dated = bool(names & {"date_from", "date_to", "within_days"})
            defaulted = any(_has_defaults(arg, set()) for arg in field.args.values())
            if field.resolve is not None and (paged or dated or defaulted):
                field.resolve = _hardened(field.resolve, field.args, max_limit, paged=paged)


def _hardened(resolve, arg_defs, max_limit: int, *, paged: bool):
    def resolve_hardened(root, info, **args):
        _fill_defaults(args, arg_defs)
        if paged:
            check_page_arguments(args, max_limit)
        try:
            check_date_range(args.get("date_from"), args.get("date_to"))
            check_days(args.get("within_days"), field="withinDays")
            return resolve(root, info, **args)
        except DomainError as exc:
            raise query_error(exc) from None

    resolve_hardened.hardened = True
    return resolve_hardened


def _null_keeps_meaning(description: str | None) -> bool:
    return "null:" in (description or "")


def _has_defaults(arg_or_field, seen: set) -> bool:
    if arg_or_field.default_value is not Undefined and not _null_keeps_meaning(arg_or_field.description):
        return True
    named = get_named_type(arg_or_field.type)
    if isinstance(named, GraphQLInputObjectType) and named.name not in seen:
        seen.add(named.name)
        return any(_has_defaults(f, seen) for f in named.fields.values())
    return False


def _fill_input(value: Any, type_) -> Any:
    named = get_named_type(type_)
    if not isinstance(named, GraphQLInputObjectType) or value is None:
        return value
    if isinstance(value, list):
        return [_fill_input(item, named) for item in value]
    for name, field in named.fields.items():
        key = field.out_name or name
        if key not in value:
            continue
        if value[key] is None and field.default_value is not Undefined:
            if not _null_keeps_meaning(field.description):
                _set(value, key, field.default_value)
        else:
            _set(value, key, _fill_input(value[key], field.type))
    return value


def _set(container: dict, key: str, value: Any) -> None:
    container[key] = value
    if type(container) is not dict:  # graphene's input containers also expose fields as attributes
        setattr(container, key, value)


def _fill_defaults(args: dict[str, Any], arg_defs) -> None:
    for name, arg in arg_defs.items():
        key = arg.out_name or name
        if key not in args:
            continue
        if args[key] is None and arg.default_value is not Undefined:
            if not _null_keeps_meaning(arg.description):
                args[key] = arg.default_value
        else:
            args[key] = _fill_input(args[key], arg.type)


def query_error(exc: DomainError) -> GraphQLError:
    """A DomainError raised from a query resolver (queries have no payload to carry it)."""
    return GraphQLError(exc.message, extensions={"code": exc.code, "field": exc.field})


_RAW_ID = re.compile(r"[0-9]{1,19}", re.ASCII)
_MAX_ID = 2**63 - 1  # bigint, the widest primary key column


def _raw_pk(text: str) -> int | None:
    if _RAW_ID.fullmatch(text) is None:
        return None
    pk = int(text)
    return pk if 0 < pk <= _MAX_ID else None


def decode_id(value: str | int | None, type_name: str) -> int | None:
    """The pk in a raw id ("1") or a Relay global id of `type_name`; None when it is neither.

    A raw id is ASCII digits only: "1_0", "+1", " 1", "１" or a number past 64 bits name nothing.
    """
    if value is None or isinstance(value, bool):
        return None
    raw = str(value)
    if len(raw) > 200:
        return None
    pk = _raw_pk(raw)
    if pk is not None:
        return pk
    try:
        decoded_type, decoded_id = from_global_id(raw)
    except (ValueError, TypeError, UnicodeError):  # not valid base64 / not "Type:id"
        return None
    return _raw_pk(decoded_id) if decoded_type == type_name else None


def resolve_id(value: str | int | None, type_name: str, *, field: str) -> int:
    """Accept a raw database id ("1") or the Relay global id of `type_name`; return the pk."""
    if value is None or str(value).strip() == "":
        raise DomainError(ErrorCode.REQUIRED, "This id is required.", field=field)
    pk = decode_id(value, type_name)
    if pk is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"{type_name} not found.", field=field)
    return pk


def resolve_optional_id(value: str | int | None, type_name: str, *, field: str) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    return resolve_id(value, type_name, field=field)


def selected_columns(model, fields, *, via: dict[str, tuple[str, ...]] | None = None) -> list[str] | None:
    """The columns of `model` that GraphQL fields `fields` (names, e.g. from `selected_fields`)
    read, for `QuerySet.only()`; None when one of them is unknown here, so that every column loads.

    A field named like a model field (camelCase) reads its column (a foreign key's id); `via` names
    the columns of the others (a resolver reading other columns, or none for a prefetched
    relation: `{"items": ()}`). The primary key always loads. Reading a deferred column later costs
    a query per row, so a field this cannot place loads the whole row rather than risk that.
    """
    return _columns(model, frozenset(fields), tuple(sorted((via or {}).items())))


@lru_cache(maxsize=512)
def _columns(model, fields: frozenset[str], via: tuple) -> list[str] | None:
    others = dict(via)
    concrete = {field.name: field.attname for field in model._meta.concrete_fields}
    columns = {model._meta.pk.attname}
    for name in fields:
        if name.startswith("__"):
            continue
        if name in others:
            columns.update(others[name])
        elif (snake := to_snake_case(name)) in concrete:
            columns.add(concrete[snake])
        else:
            return None
    return sorted(columns)


def selected_fields(info, *path: str) -> dict[str, list]:
    """The fields a query asks for under `path` (e.g. "edges", "node"), by name, with their nodes.

    Lets a resolver skip loading what nobody asked for. Fragments and inline fragments are followed;
    a field asked for twice (aliases) appears once with every node, so arguments can be checked.
    """

    def children(nodes):
        for node in nodes:
            if node.selection_set is None:
                continue
            for selection in node.selection_set.selections:
                if isinstance(selection, FieldNode):
                    yield selection
                elif isinstance(selection, FragmentSpreadNode):
                    yield from children([info.fragments[selection.name.value]])
                elif isinstance(selection, InlineFragmentNode):
                    yield from children([selection])

    nodes = list(info.field_nodes)
    for name in path:
        nodes = [field for field in children(nodes) if field.name.value == name]
    found: dict[str, list] = {}
    for field in children(nodes):
        found.setdefault(field.name.value, []).append(field)
    return found
