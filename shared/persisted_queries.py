"""Automatic persisted queries (Apollo's protocol): a client sends the SHA-256 of a query it sent before.

A till sends the same few documents all day; with this it sends a 64-character hash instead of the
text. Protocol (docs/API_CLIENTS.md, "Persisted queries"):
1. Send `extensions: {persistedQuery: {version: 1, sha256Hash}}` without `query`.
2. Unknown hash: the answer is the error PERSISTED_QUERY_NOT_FOUND; send the same request again
   with `query` as well. The server checks the hash matches the text and remembers it.
The store is a bounded LRU per server process: a hash may be forgotten (another worker, a restart,
eviction), which only costs the client one resend. Nothing else changes: the text then goes through
the same size, validation and cost limits as any query.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict

_HASH = re.compile(r"[0-9a-f]{64}")


class QueryStore:
    """A thread-safe LRU of query texts by their SHA-256 (gunicorn runs threads in each worker)."""

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._entries: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, sha256: str) -> str | None:
        with self._lock:
            query = self._entries.get(sha256)
            if query is not None:
                self._entries.move_to_end(sha256)
            return query

    def put(self, sha256: str, query: str) -> None:
        with self._lock:
            self._entries[sha256] = query
            self._entries.move_to_end(sha256)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def sha256_of(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def is_valid_hash(value: object) -> bool:
    return isinstance(value, str) and _HASH.fullmatch(value) is not None
