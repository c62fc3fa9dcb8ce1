"""An offline sale the server refuses when it syncs (docs/OFFLINE.md, rule 5; docs/TILL.md, "The
outbox and sync"), in Chromium against gunicorn with DEBUG off. The refusal is one a till really
meets: its device serves a register at a location where shifts are required, and nobody had a shift
open there when the sale synced (NO_OPEN_SHIFT). The till keeps the sale, lists it for the cashier,
does not send it again on its own, and sends it once the cause is fixed and the cashier asks.
Screenshots: screenshots/till-offline-2N-<step>.png.
"""

import pytest

from tests.browser.conftest import PASSWORD
from tests.browser.test_back_office import graphql
from tests.browser.test_till import RICE, expect_text, log_in_as_cashier
from tests.browser.test_till_offline import (
    close_panel,
    go_offline,
    sales_by_receipt,
    sell_offline,
    set_up_device,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def manager_token(production_server) -> str:
    query = f'mutation {{ tokenAuth(username: "manager", password: "{PASSWORD}") {{ token }} }}'
    return graphql(production_server, query)["tokenAuth"]["token"]


def kiosk_device(server, token: str) -> str:
    """A location with a register (so sales there need a shift) and a device serving that register."""
    location = graphql(
        server,
        'mutation { createLocation(input: {name: "Kiosk"}) { success errors { code } location { id } } }',
        token,
    )["createLocation"]
    assert location["success"], location
    register = graphql(
        server,
        f'mutation {{ createRegister(input: {{name: "Kiosk till", locationId: "{location["location"]["id"]}"}}) '
        "{ success errors { code } register { id } } }",
        token,
    )["createRegister"]
    assert register["success"], register
    device = graphql(
        server,
        f'mutation {{ registerDevice(input: {{name: "OFF-E", registerId: "{register["register"]["id"]}"}}) '
        "{ success errors { code } credential } }",
        token,
    )["registerDevice"]
    assert device["success"], device
    return device["credential"]


def answers_heard(page, sent: list, count: int) -> None:
    """Response events reach this thread only while Playwright waits: wait until `count` arrived."""
    for _ in range(50):
        if len(sent) >= count:
            return
        page.wait_for_timeout(100)


def test_till_offline_sale_refused_at_sync_stays_listed_until_resent_after_the_fix(
    page, production_server, manager_token, screenshot
):
    credential = kiosk_device(production_server, manager_token)
    log_in_as_cashier(page, production_server)
    set_up_device(page, credential)
    close_panel(page)
    go_offline(page)
    sell_offline(page, RICE, "OFF-E-000001")
    page.keyboard.press("Enter")
    expect_text(page, "#net-outbox", "Outbox 1")
    client_id = page.evaluate(
        """() => new Promise((resolve) => {
            const request = indexedDB.open("pos-till");
            request.onsuccess = () => {
                const all = request.result.transaction("outbox").objectStore("outbox").getAll();
                all.onsuccess = () => resolve(all.result.map((entry) => entry.clientId));
            };
        })"""
    )
    assert len(client_id) == 1
    sent, outcomes = [], []

    def watch_sync(response):
        body = response.request.post_data or ""
        if "syncSales" in body and response.ok:
            results = response.json()["data"]["syncSales"]["results"]
            sent.append(body.count(client_id[0]))
            outcomes.extend(result["outcome"] for result in results)

    page.on("response", watch_sync)
    page.context.set_offline(False)

    # Refused: nothing recorded, the sale kept in the outbox and shown, the indicator amber.
    expect_text(page, "#net-exceptions", "Exceptions 1")
    expect_text(page, "#net-mode", "Online")
    expect_text(page, "#net-outbox", "Outbox 1")
    assert page.locator("#net-status").get_attribute("data-state") == "warn"
    answers_heard(page, sent, 1)
    assert outcomes == ["REFUSED"]
    assert sales_by_receipt(production_server, manager_token, "OFF-E-000001") == []
    page.keyboard.press("F9")
    refused = page.locator("#sync-problems li")
    expect_text(page, "#sync-problems", "Refused: OFF-E-000001")
    assert "Open a shift at a register here before taking money." in refused.text_content()
    assert "press F4 (Shift)" in refused.text_content()  # what the cashier can do about it
    assert page.locator("#resend-refused").is_visible()
    expect_text(page, "#refused-hint", "not sent again on its own")
    screenshot("till-offline-21-refused")

    # Not sent again on its own: a sync (asked for, or the next poll) leaves it where it is.
    with page.expect_response(lambda r: "catalogueChanges" in (r.request.post_data or "")):
        page.locator("#sync-now").click()  # the outbox goes first, then the catalogue
    answers_heard(page, sent, 2)  # gives a resend every chance to show up: none does
    assert sent == [1]
    expect_text(page, "#net-outbox", "Outbox 1")
    assert refused.count() == 1

    # The cause fixed (a shift opened at the kiosk's register), the cashier sends it again.
    page.keyboard.press("Escape")
    page.keyboard.press("F4")
    page.get_by_label("Register (this till)").select_option(label="Kiosk till · Kiosk")
    page.get_by_label("Opening float").fill("50.00")
    page.get_by_label("Opening float").press("Enter")
    expect_text(page, "#shift-info", "Float 50.00")
    page.keyboard.press("Escape")
    page.keyboard.press("F9")
    page.locator("#resend-refused").click()
    expect_text(page, "#net-outbox", "Outbox 0")
    answers_heard(page, sent, 2)
    assert sent == [1, 1]
    # Recorded once; the kiosk held no rice, so it is flagged a stock shortage for a manager.
    assert outcomes == ["REFUSED", "SYNCED_WITH_EXCEPTIONS"]
    synced = sales_by_receipt(production_server, manager_token, "OFF-E-000001")
    assert [sale["total"] for sale in synced] == ["10.00"]
    expect_text(page, "#sync-problems", "Synced with exceptions: OFF-E-000001")
    assert "Refused" not in page.locator("#sync-problems").text_content()
    assert page.locator("#resend-refused").is_hidden() and page.locator("#refused-hint").is_hidden()
    screenshot("till-offline-22-resent")

    # Close the shift again (counted exactly), so later tests find the cashier without one.
    token = page.evaluate("JSON.parse(sessionStorage.getItem('till.session')).token")
    shift = graphql(production_server, "{ currentShift { id } }", token)["currentShift"]
    closed = graphql(
        production_server,
        f'mutation {{ closeShift(input: {{shiftId: "{shift["id"]}", countedCash: "60.00"}}) '
        "{ success errors { code message } } }",
        token,
    )["closeShift"]
    assert closed["success"], closed
    assert not page.console_errors
