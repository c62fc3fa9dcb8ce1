"""Extra GraphQL validation rules and request checks for a public endpoint."""

from __future__ import annotations

import re
from enum import StrEnum

from graphql import GraphQLError, StringValueNode, visit
from graphql.language import DocumentNode, Visitor
from graphql.validation import ValidationRule


class RequestErrorCode(StrEnum):
    """`extensions.code` of a request refused before execution (see docs/SECURITY.md)."""

    MALFORMED_REQUEST = "MALFORMED_REQUEST"
    BATCH_NOT_SUPPORTED = "BATCH_NOT_SUPPORTED"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
    JSON_TOO_DEEP = "JSON_TOO_DEEP"
    INVALID_STRING = "INVALID_STRING"
    QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    REQUEST_TIMEOUT = "REQUEST_TIMEOUT"
    # Automatic persisted queries (shared/persisted_queries.py).
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    PERSISTED_QUERY_INVALID = "PERSISTED_QUERY_INVALID"
    PERSISTED_QUERY_HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"


# NUL cannot be stored in a PostgreSQL text column; a lone surrogate cannot be encoded as UTF-8.
_INVALID_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


class MaxAliasesRule(ValidationRule):
    """Refuse documents with more than `max_aliases` aliased fields (alias-based amplification)."""

    max_aliases = 15

    @classmethod
    def limit(cls, max_aliases: int) -> type[MaxAliasesRule]:
        return type("MaxAliasesRule", (cls,), {"max_aliases": max_aliases})

    def __init__(self, context):
        super().__init__(context)
        self.count = 0

    def enter_field(self, node, *_args):
        if node.alias is not None:
            self.count += 1
            if self.count == self.max_aliases + 1:
                self.report_error(GraphQLError(f"The query uses more than {self.max_aliases} aliases.", node))


def has_invalid_characters(text: str) -> bool:
    return _INVALID_CHARACTERS.search(text) is not None


class JsonTooDeep(Exception):
    def __init__(self, where: str):
        super().__init__(where)
        self.where = where


def find_invalid_string(value, where: str, *, max_depth: int) -> str | None:
    """Where in a decoded JSON value a string or key holds NUL or a lone surrogate, or None.

    Walks without recursion and raises JsonTooDeep past `max_depth` nested containers, so a
    body nested thousands deep costs one pass and no Python stack.
    """
    pending = [(value, where, 0)]
    while pending:
        item, path, depth = pending.pop()
        if isinstance(item, str):
            if _INVALID_CHARACTERS.search(item):
                return path
        elif isinstance(item, dict | list):
            if depth >= max_depth:
                raise JsonTooDeep(path)
            if isinstance(item, dict):
                for key, child in item.items():
                    if _INVALID_CHARACTERS.search(key):
                        return f"{path} (a key)" if path else "a key of the body"
                    pending.append((child, f"{path}.{key}" if path else key, depth + 1))
            else:
                pending.extend((child, f"{path}.{index}", depth + 1) for index, child in enumerate(item))
    return None


class _StringLiterals(Visitor):
    def __init__(self):
        super().__init__()
        self.error: GraphQLError | None = None

    def enter_string_value(self, node: StringValueNode, *_args):
        if self.error is None and _INVALID_CHARACTERS.search(node.value):
            self.error = GraphQLError(
                "A string in the query contains a NUL character or an unpaired surrogate.",
                node,
                extensions={"code": RequestErrorCode.INVALID_STRING.value},
            )
            return self.BREAK
        return None


def invalid_string_literal(query: str, document: DocumentNode) -> GraphQLError | None:
    """The first string literal of the document holding NUL or a lone surrogate, if any."""
    if "\\u" not in query:  # raw characters were refused with the query text; only escapes remain
        return None
    visitor = _StringLiterals()
    visit(document, visitor)
    return visitor.error
