"""A real browser (Debian's Chromium, driven by Playwright) against real servers.

`production_server` is the deploy a shop runs: `scripts/gunicorn.sh` (collectstatic, WhiteNoise,
gunicorn) with DEBUG off, on a scratch SQLite database holding the demo shop (logins: `manager`,
`admin`, `cashier`, password `PASSWORD`). `dev_server` is `manage.py runserver` with DEBUG on, as
`scripts/dev.sh` starts it. Both start once per test session and are shared by every test here, so a
scenario is one more test function: `page.goto(production_server.url("/admin/"))`.

These tests run only when selected with `-m browser` (scripts/test.sh does, in a step of its own);
screenshots go to `screenshots/` (or $POS_SCREENSHOTS).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("POS_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("POS_SCREENSHOTS") or ROOT / "screenshots")
PASSWORD = "pos-browser-2026"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: drives Chromium against a running server (run with -m browser)"
    )


def pytest_collection_modifyitems(config, items):
    """Browser tests need Chromium and a minute: they run only when `-m browser` asks for them."""
    if "browser" in (config.getoption("markexpr") or ""):
        return
    # The marker, not the keyword: every test in this folder has "browser" among its keywords.
    skipped = [item for item in items if item.get_closest_marker("browser")]
    if skipped:
        config.hook.pytest_deselected(items=skipped)
        items[:] = [item for item in items if not item.get_closest_marker("browser")]


@dataclass
class Server:
    base: str
    env: dict
    process: subprocess.Popen
    log: Path

    def url(self, path: str = "/") -> str:
        return self.base + path

    def manage(self, *args: str) -> str:
        """Run a management command against this server's database and settings."""
        return _run([sys.executable, "manage.py", *args], self.env)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(command: list[str], env: dict) -> str:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _server_env(workdir: Path, *, debug: bool) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_", "DATABASE_URL", "STATIC_"))
    }
    env.update(
        DEBUG="1" if debug else "0",
        SECRET_KEY="browser-test-secret-key-not-for-production-0123456789",
        JWT_SECRET="browser-test-jwt-secret-not-for-production-9876543210",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
        STATIC_ROOT=str(workdir / "static"),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    return env


def _start(command: list[str], env: dict, port: int, log: Path) -> Server:
    with open(log, "w") as out:
        # A session of its own, so the whole group (gunicorn master and workers) stops together.
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return Server(base, env, process, log)
        except OSError:
            time.sleep(0.3)
    _stop(process)
    pytest.fail(f"{' '.join(command)} did not answer /healthz; its log:\n{log.read_text()}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="session")
def browser_workdir(tmp_path_factory) -> Path:
    """The scratch database both servers share: migrated, with the demo shop loaded."""
    workdir = tmp_path_factory.mktemp("browser")
    env = _server_env(workdir, debug=False)
    _run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
    _run([sys.executable, "manage.py", "seed_demo", "--allow-production", "--password", PASSWORD], env)
    return workdir


@pytest.fixture(scope="session")
def production_server(browser_workdir):
    """`bash scripts/gunicorn.sh` (as docker-compose runs it) with DEBUG off."""
    port = _free_port()
    env = {**_server_env(browser_workdir, debug=False), "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"}
    server = _start(["bash", "scripts/gunicorn.sh"], env, port, browser_workdir / "gunicorn.log")
    yield server
    _stop(server.process)


@pytest.fixture(scope="session")
def dev_server(browser_workdir):
    """`manage.py runserver` with DEBUG on, as scripts/dev.sh starts it (GraphiQL is on)."""
    port = _free_port()
    env = _server_env(browser_workdir, debug=True)
    command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    server = _start(command, env, port, browser_workdir / "runserver.log")
    yield server
    _stop(server.process)


@pytest.fixture(scope="session")
def chromium():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install_browser.sh (as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Only 127.0.0.1 resolves: nothing this project serves may need the internet.
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"],
        )
        yield browser
        browser.close()


class Offline:
    """Requests the page made to anything but this machine; each is aborted."""

    def __init__(self, context):
        self.blocked: list[str] = []
        context.route("**/*", self._route)

    def _route(self, route):
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort("internetdisconnected")


@pytest.fixture
def page(chromium):
    """A fresh browser context (no cookies) whose network reaches 127.0.0.1 only.

    `page.offline.blocked` lists the outside requests it tried; `page.failed` the local responses >= 400
    and failed requests; `page.console_errors` the page's JavaScript errors.
    """
    context = chromium.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.offline = Offline(context)
    page.failed = []
    page.console_errors = []
    page.on("response", lambda r: r.status >= 400 and page.failed.append(f"{r.status} {r.url}"))
    page.on("requestfailed", lambda r: page.failed.append(f"failed {r.url}"))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    """`screenshot("name")` saves the whole page as screenshots/<name>.png."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
