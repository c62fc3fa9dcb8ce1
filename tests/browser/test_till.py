"""The reference web till (/till/) in Chromium against gunicorn with DEBUG off: a cashier's sale end
to end, a network fault in the middle of createSale, and a refusal for stock the shop does not have.

The page is driven the way a cashier drives it: a keyboard-wedge scanner types a barcode and Enter,
F2 opens the tender, Enter completes. What the database holds is checked through the GraphQL API
with a manager's token. Screenshots go to screenshots/till-NN-<step>.png.
"""

import json
import urllib.request

import pytest

from tests.browser.conftest import PASSWORD
from tests.browser.test_back_office import graphql

pytestmark = pytest.mark.browser

RICE = "6151100000017"  # demo "Rice 1kg", retail 10.00, no tax, 200 in the shop
BEANS = "6151100000024"  # demo "Beans 1kg", retail 12.00, no tax, 60 in the shop
SALES_COUNT = "{ sales(first: 1) { totalCount } }"
# Issue 18 asks for under 100 ms on loopback; the CI machine is shared, so the test allows slack.
SCAN_TO_LINE_LIMIT_MS = 250


@pytest.fixture(scope="module")
def manager_token(production_server) -> str:
    data = graphql(
        production_server,
        f'mutation {{ tokenAuth(username: "manager", password: "{PASSWORD}") {{ token }} }}',
    )
    return data["tokenAuth"]["token"]


def graphql_raw(server, query: str) -> dict:
    """A GraphQL request whose top-level errors the test wants to see."""
    request = urllib.request.Request(
        server.url("/graphql/"),
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def log_in_as_cashier(page, server, *, goto: bool = True) -> None:
    page.set_viewport_size({"width": 1024, "height": 768})
    if goto:
        page.goto(server.url("/till/"))
    page.get_by_label("Username").fill("cashier")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.locator("#scan").wait_for()
    assert page.evaluate("document.activeElement.id") == "scan"


def scan(page, code: str) -> None:
    """A keyboard-wedge scanner: the code typed fast, then Enter."""
    page.locator("#scan").press_sequentially(code, delay=5)
    page.locator("#scan").press("Enter")


def scan_to_line_ms(page, code: str) -> float:
    """Milliseconds from a scanned code's Enter to its line in the cart, timed inside the page."""
    return page.evaluate(
        """code => new Promise(resolve => {
            const body = document.getElementById("cart-lines");
            const rows = body.rows.length;
            document.getElementById("scan").value = code;
            const start = performance.now();
            new MutationObserver((_, observer) => {
                if (body.rows.length > rows) {
                    observer.disconnect();
                    resolve(performance.now() - start);
                }
            }).observe(body, {childList: true});
            document.getElementById("scan-form").requestSubmit();
        })""",
        code,
    )


def cart_rows(page):
    return page.locator("#cart-lines tr")


def tender_exact_cash(page) -> None:
    """The Exact button fills in the amount due as the server quoted it."""
    page.locator("#cash-exact").click()
    page.wait_for_function("document.getElementById('pay-cash').value !== ''")


def expect_text(page, selector: str, text: str) -> None:
    page.wait_for_function(
        "([selector, text]) => document.querySelector(selector)?.textContent.includes(text)",
        arg=[selector, text],
        timeout=10_000,
    )


def test_till_cashier_sells_two_scanned_items_with_split_tender_and_prints_receipt(
    page, production_server, manager_token, screenshot
):
    log_in_as_cashier(page, production_server)
    screenshot("till-01-logged-in")

    scan(page, RICE)
    cart_rows(page).nth(0).wait_for()
    assert scan_to_line_ms(page, BEANS) < SCAN_TO_LINE_LIMIT_MS  # about 15 ms on loopback
    expect_text(page, "#t-total", "22.00")
    screenshot("till-02-scanned")

    quantity = page.get_by_label("Quantity of Rice 1kg")
    quantity.fill("3")
    quantity.press("Enter")
    expect_text(page, "#t-total", "42.00")
    assert cart_rows(page).nth(0).locator(".total").text_content() == "30.00"

    page.get_by_label("Customer", exact=True).fill("Ada Okafor")
    page.get_by_label("Customer", exact=True).press("Enter")
    expect_text(page, "#customer-name", "Ada Okafor")
    assert "Available credit" in page.locator("#customer-credit").text_content()
    screenshot("till-03-customer")

    page.keyboard.press("F2")
    page.get_by_label("Card", exact=True).fill("30.00")
    page.get_by_label("Cash received").fill("20.00")
    expect_text(page, "#q-change", "8.00")
    screenshot("till-04-tender")
    page.get_by_label("Cash received").press("Enter")

    expect_text(page, "#receipt-summary", "change 8.00")
    transaction_id = page.locator("#receipt-summary").text_content().split()[1]
    receipt = page.frame_locator("#receipt-frame")
    receipt.get_by_text(transaction_id).wait_for()
    receipt.get_by_text("Rice 1kg").wait_for()
    receipt.get_by_text("Ada Okafor").wait_for()
    screenshot("till-05-receipt")
    page.emulate_media(media="print")
    screenshot("till-06-print-view")
    # The 80 mm roll: 74 mm of printable width (about 280 CSS pixels) whatever the screen size.
    assert 270 < page.frame("receipt").evaluate("document.body.getBoundingClientRect().width") < 290
    page.emulate_media(media="screen")

    sale = graphql(
        production_server,
        f'{{ sale(transactionId: "{transaction_id}") {{ total change customer {{ name }} cashier {{ username }}'
        " payments { method amount } items { product { name } quantity } } }",
        manager_token,
    )["sale"]
    assert sale["total"] == "42.00"
    assert sale["change"] == "8.00"
    assert sale["customer"]["name"] == "Ada Okafor"
    assert sale["cashier"]["username"] == "cashier"
    assert sorted((p["method"], p["amount"]) for p in sale["payments"]) == [
        ("card", "30.00"),
        ("cash", "20.00"),
    ]
    assert [(i["product"]["name"], i["quantity"]) for i in sale["items"]] == [
        ("Rice 1kg", "3"),
        ("Beans 1kg", "1"),
    ]

    page.keyboard.press("Enter")  # Next sale (print media hid the focused button: Enter still works)
    page.locator("#cart-empty").wait_for()
    assert page.evaluate("document.activeElement.id") == "scan"
    assert not page.console_errors
    assert not page.offline.blocked


def test_till_retry_after_lost_create_sale_answer_records_one_sale(
    page, production_server, manager_token, screenshot
):
    log_in_as_cashier(page, production_server)
    lost = []

    def lose_first_create_sale_answer(route):
        if "createSale" in (route.request.post_data or "") and not lost:
            route.fetch()  # the server receives the sale and commits it...
            lost.append(route.request.post_data_json["variables"]["input"]["idempotencyKey"])
            route.abort("connectionreset")  # ...but the till never hears back
        else:
            route.continue_()

    page.route("**/graphql/", lose_first_create_sale_answer)
    scan(page, RICE)
    expect_text(page, "#t-total", "10.00")
    before = graphql(production_server, SALES_COUNT, manager_token)["sales"]["totalCount"]

    page.keyboard.press("F2")
    tender_exact_cash(page)
    expect_text(page, "#q-change", "0.00")
    page.locator("#complete").click()
    expect_text(page, "#tender-message", "connection was lost")
    assert page.locator("#complete").text_content() == "Retry"
    assert page.locator("#pay-cash").is_disabled()
    screenshot("till-07-connection-lost")
    assert graphql(production_server, SALES_COUNT, manager_token)["sales"]["totalCount"] == before + 1

    page.locator("#complete").click()
    expect_text(page, "#receipt-summary", "Receipt")
    screenshot("till-08-retried")
    assert graphql(production_server, SALES_COUNT, manager_token)["sales"]["totalCount"] == before + 1
    assert len(lost) == 1


def test_till_selling_more_than_stock_shows_the_short_line(
    page, production_server, manager_token, screenshot
):
    log_in_as_cashier(page, production_server)
    before = graphql(production_server, SALES_COUNT, manager_token)["sales"]["totalCount"]
    scan(page, BEANS)
    cart_rows(page).nth(0).wait_for()
    quantity = page.get_by_label("Quantity of Beans 1kg")
    quantity.fill("5000")
    quantity.press("Enter")
    expect_text(page, "#t-total", "60000.00")
    expect_text(page, "#sale-message", "Not enough stock")
    screenshot("till-09-short-in-cart")

    page.keyboard.press("F2")
    tender_exact_cash(page)
    page.locator("#complete").click()
    expect_text(page, "#tender-message", "Beans 1kg")
    message = page.locator("#tender-message").text_content()
    assert "Not enough stock" in message
    assert "5000 requested" in message
    assert "Lower the quantity" in message
    screenshot("till-10-insufficient-stock")
    assert graphql(production_server, SALES_COUNT, manager_token)["sales"]["totalCount"] == before


def test_till_search_by_name_lists_matches_to_pick_by_keyboard(page, production_server, screenshot):
    log_in_as_cashier(page, production_server)
    page.locator("#scan").fill("1kg")
    page.locator("#scan").press("Enter")
    results = page.locator("#product-results button")
    results.nth(1).wait_for()
    names = sorted(text.split(" · ")[0] for text in results.all_text_contents())
    assert names == ["Beans 1kg", "Rice 1kg"]
    screenshot("till-14-search")

    page.keyboard.press("ArrowDown")
    picked = page.evaluate("document.activeElement.textContent").split(" · ")[0]
    page.keyboard.press("Enter")
    cart_rows(page).nth(0).wait_for()
    assert page.locator("#cart-lines .name").all_text_contents() == [picked]
    assert page.locator("#product-results").is_hidden()
    assert page.evaluate("document.activeElement.id") == "scan"


def test_till_part_payment_puts_the_rest_on_the_customers_account(
    page, production_server, manager_token, screenshot
):
    log_in_as_cashier(page, production_server)
    scan(page, RICE)
    expect_text(page, "#t-total", "10.00")
    page.get_by_label("Customer", exact=True).fill("Chinedu")
    page.get_by_label("Customer", exact=True).press("Enter")
    expect_text(page, "#customer-credit", "Available credit")

    page.keyboard.press("F2")
    page.get_by_label("Cash received").fill("4.00")
    expect_text(page, "#q-due", "6.00")
    page.get_by_label("Put the rest on the customer's account").check()
    expect_text(page, "#q-account", "6.00")
    screenshot("till-11-part-payment")
    page.locator("#complete").click()

    expect_text(page, "#receipt-summary", "on account 6.00")
    transaction_id = page.locator("#receipt-summary").text_content().split()[1]
    sale = graphql(
        production_server,
        f'{{ sale(transactionId: "{transaction_id}") {{ amountPaid amountOnAccount customer {{ name }} }} }}',
        manager_token,
    )["sale"]
    assert sale == {"amountPaid": "4.00", "amountOnAccount": "6.00", "customer": {"name": "Chinedu Eze"}}


def test_till_cash_short_without_account_is_refused_in_plain_words(page, production_server, screenshot):
    log_in_as_cashier(page, production_server)
    scan(page, RICE)
    expect_text(page, "#t-total", "10.00")
    page.keyboard.press("F2")
    page.get_by_label("Cash received").fill("5.00")
    expect_text(page, "#q-due", "5.00")
    page.get_by_label("Cash received").press("Enter")

    expect_text(page, "#tender-message", "put the rest on account")
    assert page.locator("#receipt-screen").is_hidden()
    screenshot("till-12-payment-short")
    page.keyboard.press("Escape")
    assert page.locator("#tender-screen").is_hidden()
    assert page.evaluate("document.activeElement.id") == "scan"


def test_till_refreshes_its_token_and_ends_the_session_when_refresh_fails(
    page, production_server, screenshot
):
    """The access token is refreshed on UNAUTHENTICATED; once the refresh token is dead the page
    says so instead of failing silently. Runs last: replaying a used refresh token logs every
    session of the cashier out (accounts/tokens.py)."""
    refresh_tokens = []
    page.on(
        "response",
        lambda r: (
            r.url.endswith("/graphql/")
            and "refreshToken" in (r.request.post_data or "")
            and refresh_tokens.append(r)
        ),
    )
    log_in_as_cashier(page, production_server)
    expired = []

    def expire_access_token_once(route):
        if "productByCode" in (route.request.post_data or "") and not expired:
            expired.append(route.request.url)
            route.fulfill(
                json={
                    "errors": [
                        {"message": "Signature has expired", "extensions": {"code": "UNAUTHENTICATED"}}
                    ]
                }
            )
        else:
            route.continue_()

    page.route("**/graphql/", expire_access_token_once)
    scan(page, RICE)
    cart_rows(page).nth(0).wait_for()  # refreshed and retried: the scan still lands
    expect_text(page, "#t-total", "10.00")
    assert expired and len(refresh_tokens) == 2  # tokenAuth, then one refreshToken
    login_token = refresh_tokens[0].json()["data"]["tokenAuth"]["refreshToken"]

    # A stolen refresh token replayed elsewhere: the server ends every session of the account.
    replay = graphql_raw(
        production_server, f'mutation {{ refreshToken(refreshToken: "{login_token}") {{ token }} }}'
    )
    assert replay["errors"]

    scan(page, BEANS)
    page.locator("#ended-screen").wait_for()
    assert "refresh token is not valid" in page.locator("#ended-detail").text_content()
    screenshot("till-13-session-ended")
    page.keyboard.press("Enter")
    log_in_as_cashier(page, production_server, goto=False)
    expect_text(page, "#t-total", "10.00")  # the same cashier finds the cart as it was
    assert cart_rows(page).count() == 1
