"""The schema fuzzer's server: the production command (gunicorn, DEBUG off) on a scratch database.

Collected only when POS_FUZZ=1 (scripts/test.sh sets it in its own step): the fuzzer needs a real
server process, a seeded shop and about a minute, which the ordinary suite should not pay for.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FUZZ_PASSWORD = "fuzz-pass-2026"


def pytest_ignore_collect(collection_path, config):
    return os.environ.get("POS_FUZZ") != "1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


@dataclass
class FuzzServer:
    url: str
    tokens: dict[str, str]
    log_path: Path

    def post(self, query: str, *, role: str | None = None, timeout: float = 30) -> tuple[int, dict | None]:
        """POST one operation; answer (HTTP status, JSON body or None when it is not JSON)."""
        headers = {"Content-Type": "application/json"}
        if role is not None:
            headers["Authorization"] = f"JWT {self.tokens[role]}"
        request = urllib.request.Request(
            f"{self.url}/graphql/", data=json.dumps({"query": query}).encode(), headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, None


def _wait_for(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited early; its log:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer /healthz; its log:\n{log_path.read_text()}")


@pytest.fixture(scope="session")
def fuzz_server(tmp_path_factory) -> FuzzServer:
    database_url = os.environ.get("POS_FUZZ_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
    }
    _manage({**env, "DEBUG": "0"}, "migrate", "--noinput", "-v0")
    # The demo shop gives the fuzzer real rows to hit (ids 1, 2, ... exist); demo logins need DEBUG on.
    _manage({**env, "DEBUG": "1"}, "seed_demo", "--password", FUZZ_PASSWORD)

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("fuzz") / "gunicorn.log"
    server_env = {**env, "DEBUG": "0", "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"}
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            ["bash", "scripts/gunicorn.sh", "--access-logfile", "/dev/null"],
            cwd=ROOT,
            env=server_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(url, process, log_path)
        server = FuzzServer(url=url, tokens={}, log_path=log_path)
        for role in ("manager", "cashier"):
            status, body = server.post(
                f'mutation {{ tokenAuth(username: "{role}", password: "{FUZZ_PASSWORD}") {{ token }} }}'
            )
            assert status == 200 and body and body["data"]["tokenAuth"], body
            server.tokens[role] = body["data"]["tokenAuth"]["token"]
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)
