"""Throttle failed logins per username and per client address, using the cache.

Each attempt is counted, so aliasing many tokenAuth calls into one request does not help an attacker.
"""

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "unknown")


def _keys(username: str, ip: str) -> tuple[str, str]:
    return f"login-fail:user:{username.strip().lower()}", f"login-fail:ip:{ip}"


def is_locked_out(*, username: str, ip: str) -> bool:
    user_key, ip_key = _keys(username, ip)
    counts = cache.get_many([user_key, ip_key])
    return (
        counts.get(user_key, 0) >= settings.LOGIN_FAILURES_PER_USERNAME
        or counts.get(ip_key, 0) >= settings.LOGIN_FAILURES_PER_IP
    )


def record_failure(*, username: str, ip: str) -> None:
    for key in _keys(username, ip):
        # add() starts the window; incr() counts inside it without extending it.
        if not cache.add(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)


def reset_username(*, username: str) -> None:
    cache.delete(_keys(username, "")[0])
