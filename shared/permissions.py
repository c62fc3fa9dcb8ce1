"""Server-side role checks for GraphQL resolvers.

Refusals are top-level GraphQL errors (the field is null) with `extensions.code` UNAUTHENTICATED or
FORBIDDEN, as API.md requires. Each decorator leaves a `_required_role` marker that a schema test
checks on every root field, so a resolver without a declared permission fails the suite.
"""

from functools import wraps

from graphql import GraphQLError

from shared.roles import Role, has_role

PUBLIC = "public"


class NotAuthenticated(GraphQLError):
    def __init__(self, message: str = "You must be logged in to do this."):
        super().__init__(message, extensions={"code": "UNAUTHENTICATED"})


class Forbidden(GraphQLError):
    def __init__(self, message: str = "Your role does not allow this."):
        super().__init__(message, extensions={"code": "FORBIDDEN"})


def check_role(context, minimum: Role) -> None:
    """Raise unless the request's user holds `minimum` or higher.

    `context` is the request; a token that was sent but refused (expired, revoked, forged) leaves
    its reason in `context.jwt_error`, which is the message the caller sees.
    """
    user = getattr(context, "user", None)
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        raise NotAuthenticated(getattr(context, "jwt_error", None) or "You must be logged in to do this.")
    if not has_role(user, minimum):
        raise Forbidden(f"This needs the {minimum.label.lower()} role or higher.")


def role_required(minimum: Role):
    """Decorate a resolver `(root, info, **kwargs)` so only `minimum` or higher may call it."""

    def decorator(resolver):
        @wraps(resolver)
        def wrapper(root, info, *args, **kwargs):
            check_role(info.context, minimum)
            return resolver(root, info, *args, **kwargs)

        wrapper._required_role = minimum
        return wrapper

    return decorator


def login_required(resolver):
    """Any active staff member (cashier or higher)."""
    return role_required(Role.CASHIER)(resolver)


def public(resolver):
    """Mark a resolver as deliberately open to anonymous callers."""
    resolver._required_role = PUBLIC
    return resolver
