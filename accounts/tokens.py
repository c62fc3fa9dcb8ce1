"""Token lifecycle: password login, one-time refresh rotation with reuse detection, revocation."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from graphql_jwt.shortcuts import get_token

from accounts import throttle
from accounts.error_codes import AccountErrorCode
from accounts.models import RefreshToken, User
from shared.errors import DomainError


@dataclass
class TokenPair:
    user: User
    token: str
    refresh_token: str
    refresh_expires_at: datetime


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _issue(
    user: User, *, family: uuid.UUID | None = None, family_started_at: datetime | None = None
) -> TokenPair:
    now = timezone.now()
    family_started_at = family_started_at or now
    raw = secrets.token_urlsafe(32)
    expires_at = min(
        now + settings.REFRESH_TOKEN_LIFETIME, family_started_at + settings.REFRESH_TOKEN_ABSOLUTE_LIFETIME
    )
    RefreshToken.objects.create(
        user=user,
        token_hash=_hash(raw),
        family=family or uuid.uuid4(),
        family_started_at=family_started_at,
        expires_at=expires_at,
        token_version=user.token_version,
    )
    return TokenPair(user=user, token=get_token(user), refresh_token=raw, refresh_expires_at=expires_at)


@transaction.atomic
def issue_tokens(*, user: User) -> TokenPair:
    """Start a new token family for `user` (after a password login or a password change)."""
    return _issue(user)


def obtain_tokens(*, request, username: str, password: str) -> TokenPair:
    """Log in with a password, throttled per (username, address), username and address (see throttle)."""
    ip = throttle.client_ip(request)
    if throttle.is_locked_out(username=username, ip=ip):
        raise DomainError(
            AccountErrorCode.TOO_MANY_ATTEMPTS,
            "Too many failed login attempts. Wait a few minutes and try again.",
        )
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        throttle.record_failure(username=username, ip=ip)
        raise DomainError(AccountErrorCode.INVALID_CREDENTIALS, "Wrong username or password.")
    throttle.record_success(username=username, ip=ip)
    return issue_tokens(user=user)


def rotate_refresh_token(*, raw_token: str) -> TokenPair:
    """Exchange a refresh token for a new pair; the presented token can never be used again.

    Presenting a token that was already rotated means it was copied: every session of its user
    ends (refresh tokens revoked and `token_version` bumped, so every access token dies too), and
    that commits even though the call is refused.
    """
    reused_by: int | None = None
    with transaction.atomic():
        stored = (
            RefreshToken.objects.select_for_update()
            .select_related("user")
            .filter(token_hash=_hash(raw_token or ""))
            .first()
        )
        if stored is None or stored.revoked_at is not None:
            raise DomainError(AccountErrorCode.INVALID_REFRESH_TOKEN, "This refresh token is not valid.")
        if stored.used_at is not None:
            reused_by = stored.user_id
        else:
            now = timezone.now()
            user = stored.user
            if stored.expires_at <= now:
                raise DomainError(
                    AccountErrorCode.REFRESH_TOKEN_EXPIRED, "This refresh token has expired; log in again."
                )
            if not user.is_active or stored.token_version != user.token_version:
                raise DomainError(AccountErrorCode.INVALID_REFRESH_TOKEN, "This refresh token is not valid.")
            stored.used_at = now
            stored.save(update_fields=["used_at"])
            return _issue(user, family=stored.family, family_started_at=stored.family_started_at)
    log_out_everywhere(user_id=reused_by)
    raise DomainError(
        AccountErrorCode.REFRESH_TOKEN_REUSED,
        "This refresh token was already used; every session of this account has been logged out.",
    )


@transaction.atomic
def revoke_refresh_token(*, raw_token: str) -> RefreshToken:
    """Revoke one refresh token (log out this device)."""
    stored = RefreshToken.objects.select_for_update().filter(token_hash=_hash(raw_token or "")).first()
    if stored is None:
        raise DomainError(AccountErrorCode.INVALID_REFRESH_TOKEN, "This refresh token is not valid.")
    if stored.revoked_at is None:
        stored.revoked_at = timezone.now()
        stored.save(update_fields=["revoked_at"])
    return stored


@transaction.atomic
def revoke_all_refresh_tokens(*, user_id: int) -> int:
    """Revoke every live refresh token of a user."""
    return RefreshToken.objects.filter(user_id=user_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


@transaction.atomic
def log_out_everywhere(*, user_id: int) -> None:
    """End every session of a user: each access token (via `token_version`) and refresh token."""
    User.objects.filter(pk=user_id).update(token_version=F("token_version") + 1)
    revoke_all_refresh_tokens(user_id=user_id)
