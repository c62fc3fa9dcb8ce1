"""The till reloaded while the server cannot be reached (docs/TILL.md, "Reloading offline"), in
Chromium against gunicorn with DEBUG off: the service worker at /till/sw.js serves the page and its
modules from its cache, the tab's own login comes back, and the catalogue in IndexedDB still sells;
a new tab gets the page but no login. Screenshots: screenshots/till-offline-1N-<step>.png.
"""

import re
import urllib.request

import pytest

from tests.browser.conftest import PASSWORD
from tests.browser.test_back_office import graphql
from tests.browser.test_till import RICE, expect_text, log_in_as_cashier
from tests.browser.test_till_offline import (
    close_panel,
    go_offline,
    register_device,
    sales_by_receipt,
    sell_offline,
    set_up_device,
)

pytestmark = pytest.mark.browser

CACHED_URLS = """async () => {
    const urls = [];
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        urls.push(...(await cache.keys()).map((request) => [name, new URL(request.url).pathname]));
    }
    return urls;
}"""


@pytest.fixture(scope="module")
def manager_token(production_server) -> str:
    query = f'mutation {{ tokenAuth(username: "manager", password: "{PASSWORD}") {{ token }} }}'
    return graphql(production_server, query)["tokenAuth"]["token"]


def worker_shell(server) -> tuple[str, list[str]]:
    """The cache name and the URLs the deployed worker keeps, as it says in its source."""
    with urllib.request.urlopen(server.url("/till/sw.js"), timeout=30) as response:
        source = response.read().decode()
    version = re.search(r'const VERSION = "([0-9a-f]+)"', source).group(1)
    shell = re.search(r"const SHELL = (\[.*?\]);", source).group(1)
    return f"till-shell-{version}", re.findall(r'"([^"]+)"', shell)


def test_till_reloaded_offline_keeps_its_login_and_sells_into_the_outbox(
    page, production_server, manager_token, screenshot
):
    credential, _ = register_device(production_server, manager_token, "OFF-D")
    log_in_as_cashier(page, production_server)
    set_up_device(page, credential)
    close_panel(page)
    # Installed (the shell cached) and in control of this page.
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=20_000)
    cache_name, shell = worker_shell(production_server)
    assert "/till/" in shell and "/graphql/" not in shell
    assert any(re.fullmatch(r"/static/till/till\.[0-9a-f]{12}\.js", url) for url in shell)

    go_offline(page)
    logged = production_server.log.stat().st_size
    response = page.reload()
    assert response.from_service_worker
    page.locator("#sale-screen").wait_for()
    # Nothing of the reload reached the server: the page and every module came from the cache.
    with open(production_server.log) as log:
        log.seek(logged)
        assert not re.findall(r'"path": "(/till/|/static/till/[^"]*)"', log.read())
    expect_text(page, "#who", "cashier")  # this tab's login came back, no password asked
    expect_text(page, "#net-mode", "Offline")
    screenshot("till-offline-11-reloaded")

    # The catalogue is still there: a scan is priced from IndexedDB and the sale queued.
    assert sell_offline(page, RICE, "OFF-D-000001").startswith("Offline receipt OFF-D-000001 · total 10.00")
    expect_text(page, "#net-outbox", "Outbox 1")
    screenshot("till-offline-12-sold-after-reload")

    # What the worker keeps is the shell of this deploy and nothing else: no GraphQL answer.
    cached = page.evaluate(CACHED_URLS)
    assert {name for name, _ in cached} == {cache_name}
    assert {path for _, path in cached} == set(shell)

    # A new tab holds no login: the page loads from the cache, logging in needs the server.
    other = page.context.new_page()
    other.goto(production_server.url("/till/"))
    other.locator("#login-screen").wait_for()
    other.get_by_label("Username").fill("cashier")
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_label("Password").press("Enter")
    expect_text(other, "#login-error", "could not be reached")
    assert other.locator("#sale-screen").is_hidden()
    other.close()

    # Back online, the restored login hands the sale over.
    page.keyboard.press("Enter")
    page.context.set_offline(False)
    expect_text(page, "#net-outbox", "Outbox 0")
    synced = sales_by_receipt(production_server, manager_token, "OFF-D-000001")
    assert [sale["total"] for sale in synced] == ["10.00"]
    assert not page.console_errors
