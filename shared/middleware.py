import itertools
import logging
import os
import secrets
import time

logger = logging.getLogger("pos.request")

# Request ids are a random per-process prefix and a counter: unique across workers and restarts
# (the prefix is drawn again after a fork) and a few hundred nanoseconds instead of a uuid4's
# urandom read and hex formatting.
_process: tuple[int, str, itertools.count] | None = None


def new_request_id() -> str:
    """A request id unique across processes and restarts, e.g. `3f9a2c1d8e4b-17`."""
    global _process
    pid = os.getpid()
    if _process is None or _process[0] != pid:  # first call in this (possibly forked) process
        _process = (pid, secrets.token_hex(6), itertools.count(1))
    _, prefix, counter = _process
    return f"{prefix}-{next(counter)}"  # next() on a count is atomic under the GIL


class RequestIdMiddleware:
    """Tag every request with an id (echoed in X-Request-Id) and log one line per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-Id", "")
        request.request_id = incoming[:64] if incoming.isprintable() and incoming else new_request_id()
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-Id"] = request.request_id
        if request.path != "/healthz" and logger.isEnabledFor(logging.INFO):
            logger.info(
                "request",
                extra={
                    "request_id": request.request_id,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
        return response
