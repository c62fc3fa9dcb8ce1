"""GraphQL building blocks every app uses: scalars, the error type, the mutation base, connections."""

from __future__ import annotations

import logging
import re
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

import graphene
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError
from graphql import GraphQLError
from graphql.language import FieldNode, FragmentSpreadNode, InlineFragmentNode, IntValueNode, StringValueNode
from graphql_relay import from_global_id

from shared import db_errors
from shared.errors import DomainError, ErrorCode, ErrorDetail
from shared.money import format_money, format_quantity, to_decimal
from shared.permissions import PUBLIC, check_role
from shared.roles import Role

logger = logging.getLogger("pos.graphql")


def _decimal_from_input(value: Any, kind: str, example: str) -> Decimal:
    if isinstance(value, float):
        raise GraphQLError(f"{kind} must be sent as a string such as {example}, never as a float.")
    try:
        return to_decimal(value)
    except (InvalidOperation, ValueError):
        raise GraphQLError(f"{kind} must be a number such as {example}.") from None


class Money(graphene.Scalar):
    """An amount of money as a string with exactly two decimal places, e.g. "10.00"."""

    @staticmethod
    def serialize(value):
        return format_money(Decimal(value))

    @staticmethod
    def parse_value(value):
        return _decimal_from_input(value, "Money", '"10.00"')

    @staticmethod
    def parse_literal(node, _variables=None):
        if isinstance(node, StringValueNode | IntValueNode):
            return _decimal_from_input(node.value, "Money", '"10.00"')
        raise GraphQLError('Money must be sent as a string such as "10.00".')


class Quantity(graphene.Scalar):
    """A quantity with up to three decimal places, sent as an integer (2) or a string ("1.5")."""

    @staticmethod
    def serialize(value):
        return format_quantity(Decimal(value))

    @staticmethod
    def parse_value(value):
        return _decimal_from_input(value, "Quantity", '2 or "1.5"')

    @staticmethod
    def parse_literal(node, _variables=None):
        if isinstance(node, StringValueNode | IntValueNode):
            return _decimal_from_input(node.value, "Quantity", '2 or "1.5"')
        raise GraphQLError('Quantity must be an integer or a string such as "1.5".')


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
        return length if length is not None else len(root.iterable)


def query_error(exc: DomainError) -> GraphQLError:
    """A DomainError raised from a query resolver (queries have no payload to carry it)."""
    return GraphQLError(exc.message, extensions={"code": exc.code, "field": exc.field})


def decode_id(value: str | int | None, type_name: str) -> int | None:
    """The pk in a raw id ("1") or a Relay global id of `type_name`; None when it is neither."""
    raw = "" if value is None else str(value).strip()
    if raw.isdigit():
        return int(raw)
    try:
        decoded_type, decoded_id = from_global_id(raw)
    except (ValueError, TypeError):  # not valid base64 / not "Type:id"
        return None
    return int(decoded_id) if decoded_type == type_name and str(decoded_id).isdigit() else None


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
