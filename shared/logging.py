"""Structured logs: one JSON object per line on stdout."""

import json
import logging
from datetime import UTC, datetime

_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_PLAIN = (str, int, float, bool, type(None))
_encode = json.JSONEncoder(default=str).encode


class JsonFormatter(logging.Formatter):
    """Every request writes one of these lines (shared.middleware), so it is kept to one pass."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key[:1] != "_":
                entry[key] = value if type(value) in _PLAIN else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return _encode(entry)
