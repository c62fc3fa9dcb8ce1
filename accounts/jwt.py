"""Access-token payload and verification (signature, algorithm, expiry, user, token version)."""

from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from graphql_jwt.exceptions import JSONWebTokenError
from graphql_jwt.utils import get_payload

from shared.prepared import PreparedQuery

# Every authenticated request reads its user: compiled once, not per request (shared.prepared).
_USER_BY_PK = PreparedQuery(get_user_model(), lambda pks: get_user_model().objects.filter(pk=pks[0]))


def build_payload(user, context=None) -> dict:
    now = datetime.now(UTC)
    return {
        "username": user.get_username(),
        "sub": str(user.pk),
        "role": user.role,
        "ver": user.token_version,
        "iat": int(now.timestamp()),
        "exp": int((now + settings.ACCESS_TOKEN_LIFETIME).timestamp()),
    }


def user_from_token(token: str, context=None):
    """Return the user a valid access token belongs to; raise JSONWebTokenError otherwise.

    graphql_jwt's decoder pins the algorithm list to HS256, so `alg=none` and tokens signed with
    another key or algorithm fail signature checks; expiry is always verified.
    """
    payload = get_payload(token, context)
    if "exp" not in payload or "ver" not in payload or "sub" not in payload:
        raise JSONWebTokenError("Invalid token.")
    try:
        user_id = int(payload["sub"])
    except (TypeError, ValueError):
        raise JSONWebTokenError("Invalid token.") from None
    found = _USER_BY_PK.fetch([user_id])
    user = found[0] if found else None
    if user is None or not user.is_active:
        raise JSONWebTokenError("This account is disabled.")
    if payload["ver"] != user.token_version:
        raise JSONWebTokenError("This token has been revoked; log in again.")
    return user, payload
