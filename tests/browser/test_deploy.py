"""The production deploy looks right in a real browser, and GraphiQL works with no internet."""

import json
import re

import pytest

from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser

ADMIN_HEADER_BLUE = "rgb(65, 118, 144)"  # Django admin's --header-bg (#417690): base.css applied


def test_production_admin_loads_its_css_and_a_manager_logs_in(page, production_server, screenshot):
    css = []
    page.on("response", lambda r: "/static/admin/css/base." in r.url and css.append((r.url, r.status)))

    page.goto(production_server.url("/admin/"))
    header_colour = page.eval_on_selector("#header", "el => getComputedStyle(el).backgroundColor")
    login_page_css = list(css)
    screenshot("admin-login")
    page.fill("#id_username", "manager")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(production_server.url("/admin/"))
    screenshot("admin-index")

    assert [status for _url, status in login_page_css] == [200]
    assert re.search(r"/static/admin/css/base\.[0-9a-f]{12}\.css$", login_page_css[0][0])
    assert header_colour == ADMIN_HEADER_BLUE
    assert page.locator("#user-tools").inner_text().upper().startswith("WELCOME, MANAGER")
    assert page.locator("tr.model-product th a").inner_text() == "Products"
    assert page.failed == [] and page.offline.blocked == [] and page.console_errors == []


def test_production_landing_page_links_what_the_deploy_offers(page, production_server, screenshot):
    page.goto(production_server.url("/"))
    screenshot("landing")
    title = page.title()
    links = page.eval_on_selector_all("main a", "els => els.map(a => [a.textContent.trim(), a.pathname])")

    page.get_by_role("link", name="Health check").click()
    health = json.loads(page.locator("body").inner_text())

    assert title.startswith("POS Server ")
    assert links == [
        ["Till", "/till/"],
        ["Django admin", "/admin/"],
        ["Dashboard", "/admin/dashboard/"],
        ["Health check", "/healthz"],
    ]
    assert health == {"status": "ok", "database": "ok"}
    assert page.failed == [] and page.offline.blocked == []


def test_development_graphiql_renders_and_runs_a_query_offline(page, dev_server, screenshot):
    page.goto(dev_server.url("/graphql/"))
    editor = page.locator(".graphiql-query-editor .CodeMirror")
    editor.wait_for(state="visible", timeout=15000)
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("{ __typename }")
    page.locator(".graphiql-execute-button").click()
    result = page.locator(".graphiql-response")
    result.get_by_text('"Query"').wait_for(timeout=15000)
    screenshot("graphiql")

    assert '"__typename": "Query"' in result.inner_text()
    assert page.offline.blocked == []
    assert page.failed == [] and page.console_errors == []


def test_browser_reaches_nothing_but_this_machine(page, production_server):
    """The control for the offline checks above: a request to a CDN really is cut off."""
    page.goto(production_server.url("/"))
    outcome = page.evaluate(
        "() => fetch('https://cdn.jsdelivr.net/npm/graphiql@2.4.7/graphiql.min.js', {mode: 'no-cors'})"
        ".then(() => 'loaded', () => 'blocked')"
    )

    assert outcome == "blocked"
    assert page.offline.blocked == ["https://cdn.jsdelivr.net/npm/graphiql@2.4.7/graphiql.min.js"]
