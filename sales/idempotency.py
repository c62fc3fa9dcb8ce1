"""Idempotent createSale: one key, one sale, whatever the retries and their concurrency."""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields, is_dataclass
from decimal import Decimal
from typing import Any

from django.db import connection


def plain(value: Any) -> Any:
    """`dataclasses.asdict` without its deep copies (the same dicts and lists, leaves shared)."""
    if is_dataclass(value):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list | tuple):
        return type(value)(plain(v) for v in value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def fingerprint(payload: dict[str, Any]) -> str:
    """A stable hash of a request's meaningful content (Decimals normalised, keys sorted)."""

    def normalise(value):
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")
        if isinstance(value, dict):
            return {k: normalise(v) for k, v in sorted(value.items())}
        if isinstance(value, list | tuple):
            return [normalise(v) for v in value]
        return value

    canonical = json.dumps(normalise(payload), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def lock_key(key: str) -> None:
    """Serialise requests that carry the same idempotency key until the transaction ends.

    PostgreSQL: a transaction-level advisory lock on a 64-bit hash of the key, taken before any
    row lock (so it never inverts the project's lock order). SQLite: IMMEDIATE transactions
    already serialise every writer, so nothing is needed.
    """
    if connection.vendor != "postgresql":
        return
    digest = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [digest])
