"""The hardened /graphql/ endpoint and the health check."""

from __future__ import annotations

import json
import logging
import re
import uuid
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from graphene.validation import depth_limit_validator
from graphene_django.views import GraphQLView, HttpError
from graphql import (
    ExecutionResult,
    GraphQLError,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from graphql_jwt.exceptions import JSONWebTokenError

from accounts.backends import token_from_header
from accounts.jwt import user_from_token
from shared import db_errors
from shared.errors import ErrorCode
from shared.validation import MaxAliasesRule

logger = logging.getLogger("pos.graphql")

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")
# Errors raised on purpose whose message is safe to show as it is.
_SAFE_ORIGINAL_ERRORS = (GraphQLError, JSONWebTokenError)
_HEALTHZ_TIMEOUT_MS = "1000"


def _bad_request(message: str, status: int = 400) -> HttpError:
    response = HttpResponse(status=status)
    response.content = json.dumps({"errors": [{"message": message}]})
    return HttpError(response, message)


def _limits() -> tuple:
    return (
        settings.GRAPHQL_MAX_TOKENS,
        settings.GRAPHQL_MAX_DEPTH,
        settings.GRAPHQL_MAX_ALIASES,
        settings.GRAPHQL_INTROSPECTION,
    )


@lru_cache(maxsize=512)
def _parse_and_validate(schema, query: str, limits: tuple):
    """Parse and validate a query once; tills send the same few documents over and over.

    `limits` is part of the cache key so that a settings change takes effect.
    """
    max_tokens, max_depth, max_aliases, introspection = limits
    try:
        document = parse(query, max_tokens=max_tokens)
    except GraphQLError as error:
        return None, [error]
    rules = [*specified_rules, depth_limit_validator(max_depth=max_depth), MaxAliasesRule.limit(max_aliases)]
    if not introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return document, validate(schema, document, rules)


class PosGraphQLView(GraphQLView):
    """graphene-django's view with the limits and error masking a public endpoint needs.

    - Identity comes from the `Authorization: JWT <token>` header only: the session cookie is ignored
      (this endpoint is CSRF-exempt, so cookie auth would allow cross-site requests).
    - Standard validation plus depth, alias, token and size limits; introspection off in production.
    - Batching (a JSON list body) is refused: one operation per request.
    - Unexpected exceptions are logged and answered with a masked message and an error id.
    """

    def dispatch(self, request, *args, **kwargs):
        request.user, request.jwt_error = AnonymousUser(), None
        token = token_from_header(request)
        if token is not None:
            try:
                request.user, _payload = user_from_token(token, request)
            except JSONWebTokenError as error:
                request.jwt_error = str(error)
        self.graphiql = settings.GRAPHIQL
        if request.method == "GET" and not settings.GRAPHIQL:
            return HttpResponseNotAllowed(["POST"], content=b'{"errors":[{"message":"Use POST."}]}')
        return super().dispatch(request, *args, **kwargs)

    def parse_body(self, request):
        if len(request.body) > settings.GRAPHQL_MAX_QUERY_BYTES * 2:
            raise _bad_request("The request body is too large.", status=413)
        content_type = self.get_content_type(request)
        if content_type == "application/json":
            try:
                body = json.loads(request.body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise _bad_request("The request body is not valid JSON.") from None
            if isinstance(body, list):
                raise _bad_request("Batched requests are not supported: send one operation per request.")
            if not isinstance(body, dict):
                raise _bad_request("The request body must be a JSON object with a `query`.")
            if body.get("variables") is not None and not isinstance(body.get("variables"), dict | str):
                raise _bad_request("`variables` must be a JSON object.")
            return body
        return super().parse_body(request)

    def execute_graphql_request(self, request, data, query, variables, operation_name, show_graphiql=False):
        if not query:
            if show_graphiql:
                return None
            raise _bad_request("Must provide a query string.")
        if not isinstance(query, str) or len(query.encode()) > settings.GRAPHQL_MAX_QUERY_BYTES:
            raise _bad_request("The query is too large.", status=413)

        schema = self.schema.graphql_schema
        document, errors = _parse_and_validate(schema, query, _limits())
        if errors:
            return ExecutionResult(data=None, errors=errors)

        operation = get_operation_ast(document, operation_name)
        if (
            request.method.lower() == "get"
            and operation is not None
            and operation.operation != OperationType.QUERY
        ):
            if show_graphiql:
                return None
            raise HttpError(HttpResponseNotAllowed(["POST"], "Mutations need a POST request."))
        try:
            return execute(
                schema,
                document,
                root_value=self.get_root_value(request),
                context_value=self.get_context(request),
                variable_values=variables,
                operation_name=operation_name,
                middleware=self.get_middleware(request),
            )
        except GraphQLError as error:
            return ExecutionResult(data=None, errors=[error])

    @staticmethod
    def format_error(error):
        if not isinstance(error, GraphQLError):
            return {"message": str(error)}
        original = getattr(error, "original_error", None)
        if original is not None and db_errors.is_retryable(original):
            return _database_refusal(error, original)
        if original is not None and not isinstance(original, _SAFE_ORIGINAL_ERRORS):
            error_id = uuid.uuid4().hex[:12]
            logger.error(
                "Unhandled error in GraphQL resolver",
                exc_info=(type(original), original, original.__traceback__),
                extra={"error_id": error_id, "path": ".".join(str(p) for p in (error.path or []))},
            )
            formatted = {
                "message": f"Internal server error (reference {error_id}).",
                "extensions": {"code": "INTERNAL_SERVER_ERROR", "errorId": error_id},
            }
            if error.path:
                formatted["path"] = error.path
            return formatted
        formatted = error.formatted
        if isinstance(original, JSONWebTokenError):
            formatted.setdefault("extensions", {})["code"] = "UNAUTHENTICATED"
        if not settings.DEBUG:
            formatted["message"] = _SUGGESTION.sub("", formatted["message"])
        return formatted


def _database_refusal(error: GraphQLError, original: BaseException) -> dict:
    """A query stopped by statement_timeout (TIMEOUT) or a lock wait/deadlock (BUSY_TRY_AGAIN)."""
    timeout = db_errors.is_statement_timeout(original)
    logger.warning("Database refusal in a query: %s", db_errors.sqlstate(original) or original)
    formatted = {
        "message": db_errors.TIMEOUT_MESSAGE if timeout else db_errors.BUSY_MESSAGE,
        "extensions": {"code": "TIMEOUT" if timeout else ErrorCode.BUSY_TRY_AGAIN.value},
    }
    if error.path:
        formatted["path"] = error.path
    return formatted


graphql_view = csrf_exempt(PosGraphQLView.as_view(graphiql=settings.GRAPHIQL))


@require_GET
def healthz(request):
    """Liveness and readiness: 200 when the database answers, 503 when it does not.

    Reads no table, so a locked row cannot hold it. On PostgreSQL its statement is capped at one
    second (a saturated database answers 503 at once instead of hanging the probe); on SQLite no
    transaction is opened, since an IMMEDIATE one would queue for the write lock.
    """
    try:
        if connection.vendor == "postgresql":
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [_HEALTHZ_TIMEOUT_MS])
                cursor.execute("SELECT 1")
        else:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
    except Exception:  # any database failure means "not ready"; the detail goes to the log only
        logger.exception("Health check failed")
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
