"""The hardened /graphql/ endpoint and the health check."""

from __future__ import annotations

import json
import logging
import math
import re
import uuid
from functools import lru_cache
from time import monotonic

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import RequestDataTooBig
from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from graphene_django.views import GraphQLView, HttpError
from graphql import (
    ExecutionContext,
    ExecutionResult,
    GraphQLError,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from graphql.validation import (
    ExecutableDefinitionsRule,
    KnownFragmentNamesRule,
    NoFragmentCyclesRule,
    NoSchemaIntrospectionCustomRule,
    UniqueFragmentNamesRule,
)
from graphql_jwt.exceptions import JSONWebTokenError

from accounts.backends import token_from_header
from accounts.jwt import user_from_token
from shared import db_errors, persisted_queries
from shared.errors import ErrorCode
from shared.plain_fields import MISS, execute_plain_field
from shared.query_cost import CostSettings, analyse_document, operation_cost
from shared.validation import (
    JsonTooDeep,
    MaxAliasesRule,
    RequestErrorCode,
    find_invalid_string,
    has_invalid_characters,
    invalid_string_literal,
)

logger = logging.getLogger("pos.graphql")

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")
# Errors raised on purpose whose message is safe to show as it is.
_SAFE_ORIGINAL_ERRORS = (GraphQLError, JSONWebTokenError)
_HEALTHZ_TIMEOUT_MS = "1000"
# Cheap structural rules that must hold before anything walks fragments (cycles would never end).
_STRUCTURE_RULES = (
    ExecutableDefinitionsRule,
    UniqueFragmentNamesRule,
    KnownFragmentNamesRule,
    NoFragmentCyclesRule,
)


# Automatic persisted queries: query texts by SHA-256, per process (shared/persisted_queries.py).
persisted = persisted_queries.QueryStore(settings.GRAPHQL_PERSISTED_QUERIES)
# get_graphql_params hands this on as the query when a hash is not known here.
_PERSISTED_QUERY_NOT_FOUND = object()


class RequestRefused(HttpError):
    """A request refused before execution: a 4xx JSON answer `{errors: [{message, extensions.code}]}`."""

    def __init__(self, code: RequestErrorCode, message: str, status: int = 400):
        super().__init__(HttpResponse(status=status), message)
        self.code = code


def _refuse_invalid_string(where: str) -> RequestRefused:
    return RequestRefused(
        RequestErrorCode.INVALID_STRING,
        f"`{where}` contains a NUL character or an unpaired surrogate, which no field accepts.",
    )


def _decode_json(text: str, what: str):
    try:
        return json.loads(text)
    except RecursionError:
        raise RequestRefused(RequestErrorCode.JSON_TOO_DEEP, f"{what} nests JSON too deeply.") from None
    except ValueError:
        raise RequestRefused(RequestErrorCode.MALFORMED_REQUEST, f"{what} is not valid JSON.") from None


def _check_strings(value, where: str) -> None:
    try:
        bad = find_invalid_string(value, where, max_depth=settings.GRAPHQL_MAX_JSON_DEPTH)
    except JsonTooDeep as too_deep:
        raise RequestRefused(
            RequestErrorCode.JSON_TOO_DEEP,
            f"`{too_deep.where}` nests JSON more than {settings.GRAPHQL_MAX_JSON_DEPTH} levels deep.",
        ) from None
    if bad is not None:
        raise _refuse_invalid_string(bad)


def _limits() -> tuple:
    return (
        settings.GRAPHQL_MAX_TOKENS,
        settings.GRAPHQL_MAX_ALIASES,
        settings.GRAPHQL_INTROSPECTION,
        _cost_settings(),
    )


def _cost_settings() -> CostSettings:
    return CostSettings(
        max_depth=settings.GRAPHQL_MAX_DEPTH,
        max_repeats=settings.GRAPHQL_MAX_FIELD_REPEATS,
        page_size=settings.GRAPHENE["RELAY_CONNECTION_MAX_LIMIT"],
        list_estimate=settings.GRAPHQL_LIST_SIZE_ESTIMATE,
        list_estimates=tuple(sorted(settings.GRAPHQL_LIST_SIZE_ESTIMATES.items())),
    )


@lru_cache(maxsize=512)
def _parse_and_validate(schema, query: str, limits: tuple):
    """Parse, validate and cost a query once; tills send the same few documents over and over.

    Returns (document, errors, costs by operation name). `limits` is part of the cache key so that a
    settings change takes effect. Every step is linear in the document: structure and fragment
    cycles first, then depth, repetition and cost (fragments memoised), and only then the spec's
    rules, whose field-merging check is quadratic in repeated fields.
    """
    max_tokens, max_aliases, introspection, cost_settings = limits
    try:
        document = parse(query, max_tokens=max_tokens)
    except GraphQLError as error:
        return None, [error], {}
    except RecursionError:
        return (
            None,
            [
                GraphQLError(
                    "The query nests too deeply.", extensions={"code": RequestErrorCode.QUERY_TOO_DEEP.value}
                )
            ],
            {},
        )
    string_error = invalid_string_literal(query, document)
    if string_error is not None:
        return None, [string_error], {}
    errors = validate(schema, document, _STRUCTURE_RULES)
    if errors:
        return None, errors, {}
    costs, errors = analyse_document(schema, document, cost_settings)
    if errors:
        return None, errors, {}
    rules = [*specified_rules, MaxAliasesRule.limit(max_aliases)]
    if not introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return document, validate(schema, document, rules), costs


class TimeBudgetExecutionContext(ExecutionContext):
    """Stops resolving fields once the request has used its time budget (GRAPHQL_REQUEST_TIMEOUT).

    A query stops everywhere and answers no data. A mutation never starts a root field after the
    deadline, but one already running finishes with its payload: its service has committed (or
    rolled back) as one transaction, and the client must learn which.
    """

    # Every resolver here is synchronous (the Django ORM under WSGI): graphql-core's default check,
    # a `hasattr(value, "__await__")` per field, list item and type check, would find nothing.
    is_awaitable = staticmethod(lambda value: False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline = self.context_value.graphql_deadline
        self.is_query = self.operation.operation is not OperationType.MUTATION
        self.stopped_at = None
        # Field middleware must see every field (with read replicas, GRAPHENE["MIDDLEWARE"]).
        self.plain_fields = not (self.middleware_manager and self.middleware_manager.middlewares)

    def execute_field(self, parent_type, source, field_nodes, path):
        if monotonic() > self.deadline and (self.is_query or path.prev is None):
            if self.stopped_at is None:
                self.stopped_at = (field_nodes, path)
            return None
        field_node = field_nodes[0]
        if not field_node.arguments and not field_node.directives and self.plain_fields:
            value = execute_plain_field(self, parent_type, source, field_nodes, path)
            if value is not MISS:
                return value
        return super().execute_field(parent_type, source, field_nodes, path)

    def build_response(self, data, errors):
        if self.stopped_at is None:
            return super().build_response(data, errors)
        field_nodes, path = self.stopped_at
        limit = settings.GRAPHQL_REQUEST_TIMEOUT
        logger.warning(
            "Request stopped by its time budget", extra={"path": ".".join(str(key) for key in path.as_list())}
        )
        timeout = GraphQLError(
            f"The request ran longer than its time budget of {limit:g} seconds and was stopped.",
            field_nodes,
            path=path.as_list(),
            extensions={"code": RequestErrorCode.REQUEST_TIMEOUT.value, "limitSeconds": limit},
        )
        return super().build_response(None if self.is_query else data, [timeout, *errors])


class PosGraphQLView(GraphQLView):
    """graphene-django's view with the limits and error masking a public endpoint needs.

    - Identity comes from the `Authorization: JWT <token>` header only: the session cookie is ignored
      (this endpoint is CSRF-exempt, so cookie auth would allow cross-site requests).
    - Malformed bodies, strings with NUL or lone surrogates, deep JSON: a coded 4xx before parsing.
    - Standard validation (linear in the document) plus depth, alias, token, size and cost limits;
      introspection off in production; a time budget per request.
    - Batching (a JSON list body) is refused: one operation per request.
    - Unexpected exceptions are logged and answered with a masked message and an error id.
    """

    def dispatch(self, request, *args, **kwargs):
        timeout = settings.GRAPHQL_REQUEST_TIMEOUT
        request.graphql_deadline = monotonic() + timeout if timeout > 0 else math.inf
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
        if request.method == "POST":
            # graphene-django wraps dispatch in ensure_csrf_cookie: a new masked token and a
            # Set-Cookie on every answer. This endpoint is CSRF-exempt and authenticates by JWT only,
            # so an API call skips it (3 % of a sale's CPU); GraphiQL's page (GET) keeps it.
            return GraphQLView.dispatch.__wrapped__(self, request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def parse_body(self, request):
        if request.method != "POST":
            return {}
        max_body = settings.GRAPHQL_MAX_QUERY_BYTES * 2
        try:
            too_large = (
                int(request.META.get("CONTENT_LENGTH") or 0) > max_body or len(request.body) > max_body
            )
        except (ValueError, RequestDataTooBig):
            too_large = True
        if too_large:
            raise RequestRefused(
                RequestErrorCode.REQUEST_TOO_LARGE, "The request body is too large.", status=413
            )
        content_type = self.get_content_type(request)
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise RequestRefused(
                RequestErrorCode.MALFORMED_REQUEST, "The request body is not valid UTF-8."
            ) from None
        if content_type == "application/graphql":
            return {"query": text}
        if content_type != "application/json":
            raise RequestRefused(
                RequestErrorCode.UNSUPPORTED_MEDIA_TYPE,
                "Send the request as application/json: {query, variables, operationName}.",
                status=415,
            )
        body = _decode_json(text, "The request body")
        if isinstance(body, list):
            raise RequestRefused(
                RequestErrorCode.BATCH_NOT_SUPPORTED,
                "Batched requests are not supported: send one operation per request.",
            )
        if not isinstance(body, dict):
            raise RequestRefused(
                RequestErrorCode.MALFORMED_REQUEST, "The request body must be a JSON object with a `query`."
            )
        _check_strings(body, "")
        return body

    def get_graphql_params(self, request, data):
        query = request.GET.get("query") or data.get("query")
        variables = request.GET.get("variables") or data.get("variables")
        operation_name = request.GET.get("operationName") or data.get("operationName")
        if operation_name == "null":
            operation_name = None
        if query is not None and not isinstance(query, str):
            raise RequestRefused(RequestErrorCode.MALFORMED_REQUEST, "`query` must be a string.")
        if operation_name is not None and not isinstance(operation_name, str):
            raise RequestRefused(RequestErrorCode.MALFORMED_REQUEST, "`operationName` must be a string.")
        if isinstance(variables, str):
            variables = _decode_json(variables, "`variables`") if variables.strip() else None
            _check_strings(variables, "variables")
        if variables is not None and not isinstance(variables, dict):
            raise RequestRefused(RequestErrorCode.MALFORMED_REQUEST, "`variables` must be a JSON object.")
        for where, text in (("query", query), ("operationName", operation_name)):
            if text and has_invalid_characters(text):
                raise _refuse_invalid_string(where)
        extensions = request.GET.get("extensions") or data.get("extensions")
        if isinstance(extensions, str):
            extensions = _decode_json(extensions, "`extensions`") if extensions.strip() else None
        if extensions is not None:
            query = self._persisted_query(extensions, query)
        return query, variables, operation_name, None

    @staticmethod
    def _persisted_query(extensions, query):
        """Resolve or remember an automatic persisted query (shared/persisted_queries.py)."""
        if not isinstance(extensions, dict):
            raise RequestRefused(RequestErrorCode.MALFORMED_REQUEST, "`extensions` must be a JSON object.")
        apq = extensions.get("persistedQuery")
        if apq is None:
            return query
        if not (
            isinstance(apq, dict)
            and apq.get("version") == 1
            and persisted_queries.is_valid_hash(apq.get("sha256Hash"))
        ):
            raise RequestRefused(
                RequestErrorCode.PERSISTED_QUERY_INVALID,
                "`extensions.persistedQuery` must be {version: 1, sha256Hash: <64 lowercase hex digits>}.",
            )
        sha256 = apq["sha256Hash"]
        if settings.GRAPHQL_PERSISTED_QUERIES <= 0:
            return query if query else _PERSISTED_QUERY_NOT_FOUND
        if not query:
            return persisted.get(sha256) or _PERSISTED_QUERY_NOT_FOUND
        if persisted_queries.sha256_of(query) != sha256:
            raise RequestRefused(
                RequestErrorCode.PERSISTED_QUERY_HASH_MISMATCH,
                "`extensions.persistedQuery.sha256Hash` is not the SHA-256 of `query` (UTF-8, as sent).",
            )
        if len(query.encode()) <= settings.GRAPHQL_MAX_QUERY_BYTES:
            persisted.put(sha256, query)
        return query

    def execute_graphql_request(self, request, data, query, variables, operation_name, show_graphiql=False):
        if query is _PERSISTED_QUERY_NOT_FOUND:
            # Apollo's clients look for this message or code, then resend with the query text.
            return ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        "PersistedQueryNotFound",
                        extensions={"code": RequestErrorCode.PERSISTED_QUERY_NOT_FOUND.value},
                    )
                ],
            )
        if not query:
            if show_graphiql:
                return None
            raise RequestRefused(RequestErrorCode.MALFORMED_REQUEST, "Must provide a query string.")
        if len(query.encode()) > settings.GRAPHQL_MAX_QUERY_BYTES:
            raise RequestRefused(RequestErrorCode.REQUEST_TOO_LARGE, "The query is too large.", status=413)

        schema = self.schema.graphql_schema
        document, errors, costs = _parse_and_validate(schema, query, _limits())
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
        if operation is not None:
            too_complex = self._cost_error(schema, document, operation, costs, variables)
            if too_complex is not None:
                return ExecutionResult(data=None, errors=[too_complex])
        try:
            return execute(
                schema,
                document,
                root_value=self.get_root_value(request),
                context_value=self.get_context(request),
                variable_values=variables,
                operation_name=operation_name,
                middleware=self.get_middleware(request),
                execution_context_class=TimeBudgetExecutionContext,
            )
        except GraphQLError as error:
            return ExecutionResult(data=None, errors=[error])

    @staticmethod
    def _cost_error(schema, document, operation, costs, variables) -> GraphQLError | None:
        known = costs[operation.name.value if operation.name else None]
        cost = known.cost
        if known.uses_variables:
            cost = operation_cost(schema, document, _cost_settings(), operation, variables or {})
        limit = settings.GRAPHQL_MAX_COST
        if cost <= limit:
            return None
        return GraphQLError(
            f"The query would cost {cost}, over the limit of {limit}: ask for smaller pages"
            " (`first`), fewer nested lists or fewer aliases.",
            operation,
            extensions={"code": RequestErrorCode.QUERY_TOO_COMPLEX.value, "cost": cost, "maxCost": limit},
        )

    @staticmethod
    def format_error(error):
        if isinstance(error, RequestRefused):
            return {"message": error.message, "extensions": {"code": error.code.value}}
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
