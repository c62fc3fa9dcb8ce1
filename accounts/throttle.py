"""Throttle failed logins, in the database so that every worker process counts the same attempts.

Three counters per failure, each over a fixed window of LOGIN_LOCKOUT_SECONDS from its first failure:
- (username, client address): LOGIN_FAILURES_PER_USER_ADDRESS, the tight one (guessing at one till);
- username: LOGIN_FAILURES_PER_USERNAME, much higher (guessing one account from many addresses);
- client address: LOGIN_FAILURES_PER_IP (trying many usernames from one address).
An address the user has logged in from successfully (within LOGIN_TRUSTED_ADDRESS_DAYS) is
trusted for that user: only the (username, address) counter applies there, so a stranger failing
elsewhere, or many times under other names, cannot lock a cashier out of their own till.
Each attempt is counted, so aliasing many tokenAuth calls into one request does not help.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import LoginThrottle

_KEY_LENGTH = LoginThrottle._meta.get_field("key").max_length


def client_ip(request) -> str:
    """The client's address; behind a trusted proxy, the one that proxy saw (last X-Forwarded-For hop).

    Earlier hops are whatever the client wrote into the header, so they never count.
    """
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded[-1]:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "unknown")


def _name(username: str) -> str:
    return (username or "").strip().lower()


def _key(kind: str, *parts: str) -> str:
    return f"{kind}:{'|'.join(parts)}"[:_KEY_LENGTH]


def _keys(username: str, ip: str) -> dict[str, str]:
    name = _name(username)
    return {
        "pair": _key("login-fail:user-addr", name, ip),
        "user": _key("login-fail:user", name),
        "addr": _key("login-fail:addr", ip),
        "trusted": _key("login-ok:user-addr", name, ip),
    }


def is_locked_out(*, username: str, ip: str) -> bool:
    keys = _keys(username, ip)
    live = dict(
        LoginThrottle.objects.filter(key__in=keys.values(), expires_at__gt=timezone.now()).values_list(
            "key", "failures"
        )
    )
    if live.get(keys["pair"], 0) >= settings.LOGIN_FAILURES_PER_USER_ADDRESS:
        return True
    if keys["trusted"] in live:
        return False
    return (
        live.get(keys["user"], 0) >= settings.LOGIN_FAILURES_PER_USERNAME
        or live.get(keys["addr"], 0) >= settings.LOGIN_FAILURES_PER_IP
    )


def record_failure(*, username: str, ip: str) -> None:
    now = timezone.now()
    window_end = now + timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    keys = _keys(username, ip)
    LoginThrottle.objects.filter(expires_at__lte=now).delete()
    for kind in ("pair", "user", "addr"):
        _count(keys[kind], now=now, window_end=window_end)


def record_success(*, username: str, ip: str) -> None:
    """Forget this till's failures for the user and trust the address for them from now on."""
    keys = _keys(username, ip)
    LoginThrottle.objects.filter(key=keys["pair"]).delete()
    trusted_until = timezone.now() + timedelta(days=settings.LOGIN_TRUSTED_ADDRESS_DAYS)
    LoginThrottle.objects.update_or_create(
        key=keys["trusted"], defaults={"failures": 0, "expires_at": trusted_until}
    )


def _count(key: str, *, now: datetime, window_end: datetime) -> None:
    """Add one failure to `key` in one statement (no lost counts between concurrent workers).

    A live window counts on; an expired one starts again at 1. The same SQL runs on PostgreSQL and
    SQLite (>= 3.24).
    """
    quote = connection.ops.quote_name
    table, key_column, failures, expires = (
        quote(name) for name in (LoginThrottle._meta.db_table, "key", "failures", "expires_at")
    )
    now_value = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, {failures}, {expires}) VALUES (%s, 1, %s) "
            f"ON CONFLICT ({key_column}) DO UPDATE SET "
            f"{failures} = CASE WHEN {table}.{expires} > %s THEN {table}.{failures} + 1 ELSE 1 END, "
            f"{expires} = CASE WHEN {table}.{expires} > %s THEN {table}.{expires} "
            f"ELSE EXCLUDED.{expires} END",
            [key, connection.ops.adapt_datetimefield_value(window_end), now_value, now_value],
        )
