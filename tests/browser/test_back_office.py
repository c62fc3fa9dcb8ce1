"""A manager runs the shop from the admin in a real browser, against gunicorn with DEBUG off.

The pages are reached the way a person reaches them: from the index, the lists' search box, filters
and the links in the rows. Each step checks what the page shows and, through the GraphQL API with a
manager's token, what the database now holds. Screenshots go to screenshots/NN-<step>.png.
"""

import json
import re
import urllib.request
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser

PRODUCT_SKU = "MED-001"  # the demo's Paracetamol: batch-tracked, so a receipt needs an expiry date
SUBMIT = "input[type=submit][name=_submit]"


def graphql(server, query: str, token: str | None = None) -> dict:
    """One GraphQL request to the running server, as an API client makes it."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"JWT {token}"
    request = urllib.request.Request(
        server.url("/graphql/"), data=json.dumps({"query": query}).encode(), headers=headers
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.loads(response.read())
    assert "errors" not in body, body
    return body["data"]


@pytest.fixture(scope="module")
def manager_token(production_server) -> str:
    data = graphql(
        production_server,
        f'mutation {{ tokenAuth(username: "manager", password: "{PASSWORD}") {{ token }} }}',
    )
    return data["tokenAuth"]["token"]


def log_in_as_manager(page, server) -> None:
    page.goto(server.url("/admin/"))
    page.fill("#id_username", "manager")
    page.fill("#id_password", PASSWORD)
    follow(page, page.locator("input[type=submit]"), server.url("/admin/"))


def follow(page, link, url: str) -> None:
    """Click a link or button and wait until the next page has loaded (its scripts included).

    A click that leaves the page before its scripts arrive would abort them and read as a failure.
    """
    with page.expect_navigation(url=url):
        link.click()


def in_view_without_scrolling_sideways(page, element) -> bool:
    """True when the element sits inside the visible part of the list (which scrolls sideways)."""
    box = element.bounding_box()
    results = page.locator("#changelist .results").bounding_box()
    return results["x"] <= box["x"] and box["x"] + box["width"] <= results["x"] + results["width"]


def quantity(text: str) -> Decimal:
    return Decimal(text.strip().replace(",", ""))


def money(text: str) -> Decimal:
    return Decimal(text.strip().replace(",", "").removeprefix("₦").strip())


def product_stock(server, token: str) -> tuple[Decimal, list[dict]]:
    data = graphql(
        server,
        f'{{ productByCode(code: "{PRODUCT_SKU}") '
        "{ stockQuantity batches { batchNumber expiryDate quantity } } }",
        token,
    )["productByCode"]
    return Decimal(data["stockQuantity"]), data["batches"]


def find_product_row(page, server):
    """Products from the index, then the list's search box: the row of PRODUCT_SKU."""
    follow(page, page.locator("tr.model-product th a"), "**/admin/products/product/")
    page.locator("#searchbar").fill("Paracetamol")
    follow(
        page,
        page.locator("#changelist-search input[type=submit]"),
        "**/admin/products/product/?q=Paracetamol",
    )
    return page.locator("#result_list tbody tr", has_text=PRODUCT_SKU)


def test_manager_receives_a_batch_with_expiry_and_sees_the_stock_change(
    page, production_server, manager_token, screenshot
):
    log_in_as_manager(page, production_server)
    row = find_product_row(page, production_server)
    shown_before = quantity(row.locator("td.field-stock_on_hand").inner_text())
    stored_before, _batches = product_stock(production_server, manager_token)
    screenshot("10-product-list")
    assert in_view_without_scrolling_sideways(page, row.get_by_role("link", name="receive"))
    assert re.fullmatch(r"\d+", row.locator("td.field-reorder_at").inner_text())  # 20, not 20.000

    follow(
        page, row.get_by_role("link", name="receive"), "**/admin/products/product/receive-stock/?product=*"
    )
    expiry = (datetime.now(UTC).date() + timedelta(days=400)).isoformat()
    page.fill("#id_quantity", "24")
    page.fill("#id_unit_cost", "1.10")
    page.fill("#id_batch_number", "PCM-BROWSER-1")
    page.fill("#id_expiry_date", expiry)
    screenshot("11-receive-form")
    follow(page, page.locator(SUBMIT), f"**/admin/products/product/?q={PRODUCT_SKU}")
    screenshot("12-received")

    shown_after = quantity(
        page.locator("#result_list tbody tr", has_text=PRODUCT_SKU)
        .locator("td.field-stock_on_hand")
        .inner_text()
    )
    stored_after, batches = product_stock(production_server, manager_token)
    assert shown_after == shown_before + 24
    assert stored_before == shown_before and stored_after == shown_after
    assert {"batchNumber": "PCM-BROWSER-1", "expiryDate": expiry, "quantity": "24"} in batches
    assert page.locator("ul.messagelist li.success").count() == 1
    assert page.failed == [] and page.offline.blocked == [] and page.console_errors == []


def test_receiving_a_batch_without_expiry_is_refused_on_the_expiry_field(
    page, production_server, manager_token, screenshot
):
    log_in_as_manager(page, production_server)
    row = find_product_row(page, production_server)
    stored_before, batches_before = product_stock(production_server, manager_token)
    follow(
        page, row.get_by_role("link", name="receive"), "**/admin/products/product/receive-stock/?product=*"
    )
    page.fill("#id_quantity", "5")
    page.fill("#id_unit_cost", "1.10")
    page.fill("#id_batch_number", "PCM-BROWSER-NO-EXPIRY")
    follow(page, page.locator(SUBMIT), "**/admin/products/product/receive-stock/?product=*")
    screenshot("13-receive-refused")

    expiry_errors = page.locator(".form-row.field-expiry_date ul.errorlist").inner_text()
    stored_after, batches_after = product_stock(production_server, manager_token)
    assert "tracks expiry: give the batch's expiry date." in expiry_errors
    assert page.locator(".form-row.errors").count() == 1
    assert page.url.endswith(
        "/admin/products/product/receive-stock/?product=" + page.input_value("#id_product")
    )
    assert page.input_value("#id_quantity") == "5"
    assert (stored_after, batches_after) == (stored_before, batches_before)


def test_manager_records_a_payment_from_a_customer_who_owes(
    page, production_server, manager_token, screenshot
):
    log_in_as_manager(page, production_server)
    follow(page, page.locator("#back-office a", has_text="Customers"), "**/admin/customers/customer/")
    rows = page.locator("#result_list tbody tr")
    balances = [money(text) for text in rows.locator("td.field-balance").all_inner_texts()]
    owing = next(i for i, balance in enumerate(balances) if balance > 0)
    name = rows.nth(owing).locator("th a").inner_text()
    screenshot("20-customer-list")

    follow(page, rows.nth(owing).locator("th a"), re.compile(r"/admin/customers/customer/\d+/change/$"))
    shown_before = money(page.locator(".field-balance .readonly").inner_text())
    screenshot("21-customer")
    follow(page, page.locator("#record-payment-link"), "**/record-payment/")
    amount = min(shown_before, Decimal("10.00"))
    page.fill("#id_amount", str(amount))
    page.select_option("#id_method", "cash")
    screenshot("22-payment-form")
    follow(page, page.locator(SUBMIT), re.compile(r"/admin/customers/customer/\d+/change/$"))
    screenshot("23-payment-recorded")

    shown_after = money(page.locator(".field-balance .readonly").inner_text())
    customer = graphql(
        production_server,
        f'{{ customers(search: "{name}") {{ edges {{ node {{ name balance }} }} }} }}',
        manager_token,
    )["customers"]["edges"][0]["node"]
    assert shown_after == shown_before - amount
    assert f"balance now {shown_after:.2f}" in page.locator("ul.messagelist li.success").inner_text()
    assert customer == {"name": name, "balance": f"{shown_after:.2f}"}
    assert page.failed == [] and page.console_errors == []


def test_manager_voids_a_completed_sale_through_the_confirmation_page(
    page, production_server, manager_token, screenshot
):
    log_in_as_manager(page, production_server)
    follow(page, page.locator("tr.model-sale th a"), "**/admin/sales/sale/")
    follow(
        page,
        page.locator("#changelist-filter a", has_text="Completed"),
        "**/admin/sales/sale/?status__exact=completed",
    )
    first = page.locator("#result_list tbody tr").first
    transaction_id = first.locator("th a").inner_text()
    screenshot("30-sales-completed")

    follow(page, first.locator("th a"), re.compile(r"/admin/sales/sale/\d+/change/"))
    follow(page, page.locator("#void-sale-link"), re.compile(r"/admin/sales/sale/\d+/void/$"))
    page.fill("#id_reason", "Rang up twice (browser check)")
    screenshot("31-void-confirmation")
    follow(page, page.locator(SUBMIT), re.compile(r"/admin/sales/sale/\d+/change/"))
    screenshot("32-sale-voided")

    status = page.locator(".field-status .readonly").inner_text()
    sale = graphql(
        production_server,
        f'{{ sale(transactionId: "{transaction_id}") {{ status voidReason voidedBy {{ username }} }} }}',
        manager_token,
    )["sale"]
    assert status == "Voided"
    assert page.locator("#void-sale-link").count() == 0
    item_quantities = page.locator("td.field-item_quantity").all_inner_texts()
    assert item_quantities and all(re.fullmatch(r"\d+(\.\d*[1-9])?", text) for text in item_quantities)
    assert page.locator(".field-request_fingerprint, .field-idempotency_key, .field-id").count() == 0
    assert sale == {
        "status": "VOIDED",
        "voidReason": "Rang up twice (browser check)",
        "voidedBy": {"username": "manager"},
    }
    assert page.failed == [] and page.console_errors == []


def test_manager_opens_the_dashboard_from_the_index(page, production_server, manager_token, screenshot):
    log_in_as_manager(page, production_server)
    follow(page, page.locator("#dashboard-link"), "**/admin/dashboard/")
    owed = page.locator(".kpi", has_text="Owed by customers")
    owed.wait_for()
    screenshot("40-dashboard")
    methods = page.locator("h2:has-text('Payment methods') + table.report td:first-child").all_inner_texts()

    debt = graphql(production_server, "{ outstandingDebt { totalOwed customersOwing } }", manager_token)
    assert owed.locator("b").inner_text() == debt["outstandingDebt"]["totalOwed"]
    assert f"{debt['outstandingDebt']['customersOwing']} customers" in owed.inner_text()
    assert page.locator("svg[aria-label='Revenue by day'] rect").count() == 30
    assert "Cash" in methods and not any("_" in method for method in methods)
    assert page.failed == [] and page.console_errors == []
