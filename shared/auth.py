"""Staff authentication for plain Django views (receipts, labels, CSV reports)."""

from functools import wraps

from django.http import HttpResponse
from graphql_jwt.exceptions import JSONWebTokenError

from accounts.backends import token_from_header
from accounts.jwt import user_from_token
from shared.roles import Role, has_role


def staff_view(minimum: Role = Role.CASHIER):
    """Allow a logged-in member of staff: a Django admin session or an `Authorization: JWT` header.

    These views are GET-only, so session cookies are safe here (unlike on the CSRF-exempt /graphql/).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return HttpResponse("Method not allowed.", status=405, content_type="text/plain")
            user = request.user if getattr(request.user, "is_authenticated", False) else None
            token = token_from_header(request)
            if user is None and token is not None:
                try:
                    user, _payload = user_from_token(token, request)
                except JSONWebTokenError as error:
                    return HttpResponse(str(error), status=401, content_type="text/plain")
            if user is None:
                return HttpResponse("Log in first.", status=401, content_type="text/plain")
            if not has_role(user, minimum):
                return HttpResponse("Your role does not allow this.", status=403, content_type="text/plain")
            request.user = user
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
