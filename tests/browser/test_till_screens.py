"""The till's shift, returns, line-discount and new-customer screens (issue 18) in Chromium against
gunicorn with DEBUG off, driven by keyboard as a cashier drives them. What the server holds is
checked through the API with a manager's token. Screenshots: screenshots/till-2N-<step>.png.

The shift test puts its register in the demo's Store room, so the other till tests (which sell at
the default location, where no register exists) keep selling without a shift.
"""

import pytest

from tests.browser.conftest import PASSWORD
from tests.browser.test_back_office import graphql
from tests.browser.test_till import (
    BEANS,
    RICE,
    cart_rows,
    expect_text,
    log_in_as_cashier,
    scan,
    tender_exact_cash,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def manager_token(production_server) -> str:
    query = f'mutation {{ tokenAuth(username: "manager", password: "{PASSWORD}") {{ token }} }}'
    return graphql(production_server, query)["tokenAuth"]["token"]


def store_room_register(server, token) -> str:
    locations = graphql(server, "{ locations(first: 20) { edges { node { id name } } } }", token)
    room = next(e["node"]["id"] for e in locations["locations"]["edges"] if e["node"]["name"] == "Store room")
    created = graphql(
        server,
        f'mutation {{ createRegister(input: {{name: "Till 1", locationId: "{room}"}}) '
        "{ success errors { code } register { id } } }",
        token,
    )["createRegister"]
    assert created["success"], created
    return created["register"]["id"]


def complete_with_exact_cash(page) -> str:
    page.keyboard.press("F2")
    tender_exact_cash(page)
    page.locator("#complete").press("Enter")
    expect_text(page, "#receipt-summary", "Receipt")
    return page.locator("#receipt-summary").text_content().split()[1]


def test_till_shift_open_with_float_sell_pay_out_blind_close_and_print_z(
    page,
    production_server,
    manager_token,
    screenshot,
):
    register_id = store_room_register(production_server, manager_token)
    log_in_as_cashier(page, production_server)
    expect_text(page, "#shift-status", "No shift open on this till")

    # The till is told which register it is; without a shift there the server refuses the sale.
    page.keyboard.press("F4")
    page.get_by_label("Register (this till)").select_option(label="Till 1 · Store room")
    page.keyboard.press("Escape")
    expect_text(page, "#shift-status", "No shift open at Till 1")
    scan(page, RICE)
    expect_text(page, "#t-total", "10.00")
    page.keyboard.press("F2")
    tender_exact_cash(page)
    page.locator("#complete").press("Enter")
    expect_text(page, "#tender-message", "press F4 (Shift) and open one")
    screenshot("till-20-no-open-shift")

    page.keyboard.press("F4")  # straight from the refusal: the cart waits behind
    assert page.evaluate("document.activeElement.id") == "shift-float"
    page.get_by_label("Opening float").fill("100.00")
    page.get_by_label("Opening float").press("Enter")
    expect_text(page, "#shift-info", "Float 100.00")
    expect_text(page, "#shift-status", "Shift open at Till 1 (Store room)")
    screenshot("till-21-shift-open")
    page.keyboard.press("Escape")

    transaction_id = complete_with_exact_cash(page)
    page.keyboard.press("Enter")
    page.locator("#cart-empty").wait_for()

    page.keyboard.press("F4")
    page.get_by_label("Amount").fill("5.00")
    page.get_by_label("Reason for the pay-in or pay-out").fill("Milk for the office")
    page.get_by_label("Reason for the pay-in or pay-out").press("Enter")
    expect_text(page, "#shift-info", "Paid out 5.00: Milk for the office.")
    expect_text(page, "#shift-x", "Sales so far: 1 · paid in 0.00 · paid out 5.00")
    screenshot("till-22-pay-out")

    # Blind: nothing on the screen tells the cashier the 105.00 the drawer should hold.
    assert "105.00" not in page.locator("#shift-screen").inner_text()
    page.get_by_label("Cash counted").fill("103.00")
    page.get_by_label("Cash counted").press("Enter")
    expect_text(page, "#shift-info", "You counted cash 103.00, card slips none")  # shown back first
    assert page.locator("#close-shift").text_content() == "Confirm close"
    page.get_by_label("Cash counted").press("Enter")
    expect_text(page, "#close-summary", "variance -2.00")
    assert "Z 1 closed." in page.locator("#close-summary").text_content()
    page.locator("#z-tenders tr").first.wait_for()
    cash_row = page.locator("#z-tenders tr").first.locator("td").all_text_contents()
    assert cash_row == ["cash", "105.00", "103.00", "-2.00"]
    z = page.frame_locator("#z-frame")
    z.get_by_text("Z report 1").wait_for()
    z.get_by_text("Pay-outs").wait_for()
    expect_text(page, "#shift-status", "No shift open at Till 1")
    screenshot("till-23-blind-close")
    page.emulate_media(media="print")
    screenshot("till-24-z-print-view")
    assert 270 < page.frame("z").evaluate("document.body.getBoundingClientRect().width") < 290
    page.emulate_media(media="screen")

    shift = graphql(
        production_server,
        f'{{ shifts(registerId: "{register_id}", first: 1) {{ edges {{ node {{ status zNumber openingFloat '
        "countedCash variance cashier { username } } } } }",
        manager_token,
    )["shifts"]["edges"][0]["node"]
    assert shift == {
        "status": "CLOSED",
        "zNumber": 1,
        "openingFloat": "100.00",
        "countedCash": "103.00",
        "variance": "-2.00",
        "cashier": {"username": "cashier"},
    }
    sale = graphql(
        production_server,
        f'{{ sale(transactionId: "{transaction_id}") {{ location {{ name }} }} }}',
        manager_token,
    )["sale"]
    assert sale["location"]["name"] == "Store room"  # sold where the till's register stands
    assert not page.console_errors and not page.offline.blocked


def test_till_return_request_found_by_receipt_number(
    page,
    production_server,
    manager_token,
    screenshot,
):
    ids = {
        code: graphql(production_server, f'{{ productByCode(code: "{code}") {{ id }} }}', manager_token)[
            "productByCode"
        ]["id"]
        for code in (RICE, BEANS)
    }
    sold = graphql(
        production_server,
        f'mutation {{ createSale(input: {{ items: [{{productId: "{ids[RICE]}", quantity: 2}}, '
        f'{{productId: "{ids[BEANS]}", quantity: 1}}], payments: {{method: "cash", amount: "32.00"}} }}) '
        "{ success sale { id transactionId } } }",
        manager_token,
    )["createSale"]
    sale_id, transaction_id = sold["sale"]["id"], sold["sale"]["transactionId"]

    log_in_as_cashier(page, production_server)
    page.keyboard.press("F8")
    page.get_by_label("Receipt number").fill("S1999-999999")
    page.get_by_label("Receipt number").press("Enter")
    expect_text(page, "#return-message", "No sale has the receipt number")
    page.get_by_label("Receipt number").fill(transaction_id)
    page.get_by_label("Receipt number").press("Enter")
    expect_text(page, "#return-sale-summary", transaction_id)
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Return quantity of Rice 1kg"
    rows = [row.locator("td").all_text_contents()[1:6] for row in page.locator("#return-lines tr").all()]
    assert rows == [["2", "0", "0", "2", "20.00"], ["1", "0", "0", "1", "12.00"]]
    screenshot("till-25-return-found")

    page.get_by_label("Return quantity of Rice 1kg").fill("1")
    page.get_by_label("Reason for the return").fill("Torn bag")
    page.get_by_label("Reason for the return").press("Enter")
    expect_text(page, "#return-info", "refund 10.00, waiting for a manager's approval")
    rice = page.locator("#return-lines tr").first.locator("td").all_text_contents()[1:6]
    assert rice == ["2", "0", "1", "1", "20.00"]  # the request now counts as pending
    screenshot("till-26-return-requested")
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "scan"

    returns = graphql(
        production_server,
        f'{{ returns(saleId: "{sale_id}", first: 5) {{ edges {{ node {{ status refundMethod refundTotal '
        "requestedBy { username } items { quantity reason restock saleItem { product { name } } } } } } }",
        manager_token,
    )
    assert [e["node"] for e in returns["returns"]["edges"]] == [
        {
            "status": "PENDING",
            "refundMethod": "CASH",
            "refundTotal": "10.00",
            "requestedBy": {"username": "cashier"},
            "items": [
                {
                    "quantity": "1",
                    "reason": "Torn bag",
                    "restock": True,
                    "saleItem": {"product": {"name": "Rice 1kg"}},
                }
            ],
        }
    ]


def test_till_line_discount_over_the_cap_refused_within_accepted(
    page,
    production_server,
    manager_token,
    screenshot,
):
    log_in_as_cashier(page, production_server)
    scan(page, RICE)
    expect_text(page, "#t-total", "10.00")

    discount = page.get_by_label("Discount on Rice 1kg")
    discount.fill("abc")
    discount.press("Enter")
    expect_text(page, "#sale-message", "must be a plain number")
    assert page.locator("#pay").is_disabled() and page.locator("#t-total").text_content() == "…"

    discount.fill("2.00")
    discount.press("Enter")
    expect_text(page, "#sale-message", "needs a manager")
    assert "Lower the discount" in page.locator("#sale-message").text_content()
    assert page.locator("#pay").is_disabled()
    assert discount.get_attribute("aria-invalid") == "true"
    screenshot("till-27-discount-refused")

    discount.fill("1.00")
    discount.press("Enter")
    expect_text(page, "#t-total", "9.00")
    assert page.locator("#t-discount").text_content() == "1.00"
    assert page.locator("#sale-message").is_hidden()
    assert discount.get_attribute("aria-invalid") is None
    screenshot("till-28-discount-accepted")
    transaction_id = complete_with_exact_cash(page)

    sale = graphql(
        production_server,
        f'{{ sale(transactionId: "{transaction_id}") {{ total items {{ lineDiscount total }} }} }}',
        manager_token,
    )["sale"]
    assert sale == {"total": "9.00", "items": [{"lineDiscount": "1.00", "total": "9.00"}]}


def test_till_new_customer_created_and_attached(page, production_server, manager_token, screenshot):
    log_in_as_cashier(page, production_server)
    scan(page, BEANS)
    cart_rows(page).nth(0).wait_for()
    search = page.get_by_label("Customer", exact=True)
    search.fill("Grace Hopper")
    search.press("Enter")
    expect_text(page, "#sale-message", "No customer matches")

    page.get_by_role("button", name="New customer").press("Enter")
    assert page.get_by_label("Name", exact=True).input_value() == "Grace Hopper"
    assert page.evaluate("document.activeElement.id") == "new-customer-phone"
    page.keyboard.type("0803 555 0199")
    screenshot("till-29-new-customer")
    page.keyboard.press("Enter")
    expect_text(page, "#customer-name", "Grace Hopper")
    assert "Available credit" in page.locator("#customer-credit").text_content()
    screenshot("till-30-customer-attached")
    transaction_id = complete_with_exact_cash(page)

    sale = graphql(
        production_server,
        f'{{ sale(transactionId: "{transaction_id}") {{ customer {{ name phone }} }} }}',
        manager_token,
    )["sale"]
    assert sale["customer"]["name"] == "Grace Hopper"
    assert sale["customer"]["phone"].endswith("8035550199")
