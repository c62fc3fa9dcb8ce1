"""syncSales, syncExceptions, resolveSyncException and sale lookup by device receipt number over GraphQL."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from offline.models import Device, SyncException
from sales.models import Sale
from tests.offline.factories import register_device

pytestmark = pytest.mark.django_db
SYNC = """mutation($input: SyncSalesInput!) { syncSales(input: $input) {
  success message errors { field code message } highWaterMark highestSequence gaps
  results { clientId deviceSequence outcome errors { field code message }
    sale { transactionId deviceReceiptNumber total createdAt } exceptions { kind message } } } }"""
EXCEPTIONS = """query($status: SyncExceptionStatus, $kind: SyncExceptionKind) {
  syncExceptions(status: $status, kind: $kind, first: 20) { totalCount edges { node { id kind status
  message details resolution saleSync { deviceSequence deviceReceiptNumber soldAt device { name }
  sale { transactionId } } discrepancy { quantity unitCost value product { name } location { name } } } } } }"""
RESOLVE = """mutation($input: ResolveSyncExceptionInput!) { resolveSyncException(input: $input) {
  success message errors { field code message } exception { status resolution note } } }"""


@pytest.fixture
def credential(manager, shop):
    registered = register_device(manager)
    Device.objects.filter(pk=registered.device.pk).update(created_at=timezone.now() - timedelta(days=3))
    return registered.credential


def _sale(sequence, product, qty="1", price="10.00", **extra):
    amount = f"{int(qty) * float(price):.2f}"
    return {
        "clientId": str(uuid.uuid4()),
        "deviceSequence": sequence,
        "soldAt": (timezone.now() - timedelta(hours=1)).isoformat(),
        "deviceReceiptNumber": f"T1-{sequence:06d}",
        "items": [{"productId": str(product.pk), "quantity": qty, "unitPrice": price}],
        "payments": [{"method": "cash", "amount": amount}],
        **extra,
    }


def test_sync_sales_answers_outcomes_and_high_water_mark(as_cashier, shop, credential):
    sales = [_sale(1, shop["soap"]), _sale(2, shop["soap"], "60"), _sale(4, shop["syrup"], "1", "12.00")]

    body = as_cashier(SYNC, {"input": {"sales": sales}}, HTTP_X_POS_DEVICE=credential).payload("syncSales")

    assert body["success"] and body["errors"] == []
    assert [r["outcome"] for r in body["results"]] == ["SYNCED", "SYNCED_WITH_EXCEPTIONS", "SYNCED"]
    assert (body["highWaterMark"], body["highestSequence"], body["gaps"]) == (2, 4, [3])
    assert body["results"][1]["exceptions"][0]["kind"] == "STOCK_SHORTAGE"
    assert body["results"][0]["sale"]["deviceReceiptNumber"] == "T1-000001"


def test_sync_sales_refused_sale_has_coded_errors_per_sale(as_cashier, shop, credential):
    bad = _sale(1, shop["soap"])
    bad["items"][0]["productId"] = "not-an-id"

    body = as_cashier(SYNC, {"input": {"sales": [bad, _sale(2, shop["soap"])]}}, HTTP_X_POS_DEVICE=credential)

    results = body.payload("syncSales")["results"]
    assert [r["outcome"] for r in results] == ["REFUSED", "SYNCED"]
    assert results[0]["errors"][0]["field"] == "sales.0.items.0.productId"
    assert results[0]["sale"] is None


def test_sync_sales_without_device_header_is_refused_top_level(as_cashier, shop):
    response = as_cashier(SYNC, {"input": {"sales": [_sale(1, shop["soap"])]}})

    assert response.error_codes() == ["DEVICE_REQUIRED"]
    assert Sale.objects.count() == 0


def test_sync_sales_revoked_device_is_refused_top_level(as_cashier, manager, shop, credential):
    from offline import services

    services.revoke_device(user=manager, device_id=Device.objects.get().pk)

    response = as_cashier(SYNC, {"input": {"sales": [_sale(1, shop["soap"])]}}, HTTP_X_POS_DEVICE=credential)

    assert response.error_codes() == ["DEVICE_REVOKED"]
    assert Sale.objects.count() == 0


def test_sync_sales_device_id_of_another_device_is_refused(as_cashier, manager, shop, credential):
    other = register_device(manager, "Other").device
    variables = {"input": {"deviceId": str(other.pk), "sales": [_sale(1, shop["soap"])]}}

    body = as_cashier(SYNC, variables, HTTP_X_POS_DEVICE=credential).payload("syncSales")

    assert not body["success"] and body["errors"][0]["code"] == "DEVICE_MISMATCH"
    assert Sale.objects.count() == 0


def test_sync_sales_anonymous_is_refused(anon, shop, credential):
    response = anon(SYNC, {"input": {"sales": [_sale(1, shop["soap"])]}}, HTTP_X_POS_DEVICE=credential)

    assert response.error_codes() == ["UNAUTHENTICATED"]


def test_sale_found_by_device_receipt_number_and_printed_on_the_receipt(as_cashier, shop, credential):
    as_cashier(SYNC, {"input": {"sales": [_sale(7, shop["soap"])]}}, HTTP_X_POS_DEVICE=credential)
    sale = Sale.objects.get()

    one = as_cashier('{ sale(deviceReceiptNumber: "T1-000007") { transactionId } }').payload("sale")
    by_id = as_cashier('{ sale(id: "T1-000007") { transactionId } }').payload("sale")
    listed = as_cashier('{ sales(deviceReceiptNumber: "T1-000007", first: 5) { edges { node { id } } } }')
    receipt = as_cashier(
        "query($t: String!) { receipt(transactionId: $t) }", {"t": sale.transaction_id}
    ).payload("receipt")

    assert one == by_id == {"transactionId": sale.transaction_id}
    assert len(listed.payload("sales")["edges"]) == 1
    assert "Till receipt" in receipt and "T1-000007" in receipt


def _sync_rows(client, credential, shop, first_sequence, n):
    sales = [_sale(first_sequence + i, shop["soap"], "60") for i in range(n)]
    client(SYNC, {"input": {"sales": sales}}, HTTP_X_POS_DEVICE=credential).payload("syncSales")


def _cost(client, query, name):
    with CaptureQueriesContext(connection) as captured:
        client(query).payload(name)
    return len(captured)


def test_sync_exceptions_page_costs_the_same_for_2_and_10_rows(as_cashier, as_manager, shop, credential):
    _sync_rows(as_cashier, credential, shop, 1, 2)
    few = _cost(as_manager, EXCEPTIONS, "syncExceptions")
    _sync_rows(as_cashier, credential, shop, 3, 8)
    many = _cost(as_manager, EXCEPTIONS, "syncExceptions")

    # Pinned: auth user, count, one page joined to sync, device, sale, discrepancy, product, location.
    assert SyncException.objects.count() == 10
    assert few == many == 3


def test_sync_exceptions_is_for_managers(as_cashier, shop):
    assert as_cashier(EXCEPTIONS).error_codes() == ["FORBIDDEN"]


def test_resolve_sync_exception_settles_once(as_cashier, as_manager, shop, credential):
    _sync_rows(as_cashier, credential, shop, 1, 1)
    listed = as_manager(EXCEPTIONS, {"status": "OPEN", "kind": "STOCK_SHORTAGE"}).payload("syncExceptions")
    node = listed["edges"][0]["node"]
    assert node["discrepancy"]["value"] == "60.00" and node["discrepancy"]["unitCost"] == "6.0000"
    variables = {"input": {"exceptionId": node["id"], "resolution": "WRITE_OFF", "note": "Lost"}}

    done = as_manager(RESOLVE, variables).payload("resolveSyncException")
    again = as_manager(RESOLVE, variables).payload("resolveSyncException")

    assert done["success"] and done["exception"] == {
        "status": "RESOLVED",
        "resolution": "WRITE_OFF",
        "note": "Lost",
    }
    assert not again["success"] and again["errors"][0]["code"] == "SYNC_EXCEPTION_RESOLVED"
    assert as_manager(EXCEPTIONS, {"status": "OPEN"}).payload("syncExceptions")["totalCount"] == 0


def test_resolve_sync_exception_is_for_managers(as_cashier):
    variables = {"input": {"exceptionId": "1", "resolution": "COUNT"}}
    assert as_cashier(RESOLVE, variables).error_codes() == ["FORBIDDEN"]


VERSION = """query { catalogueChanges(first: 100) { hasMore nextCursor catalogueVersion } }"""


def test_sync_sales_takes_cashier_id_and_the_catalogue_version_of_a_page(
    as_cashier, manager, shop, credential
):
    page = as_cashier(VERSION, HTTP_X_POS_DEVICE=credential).payload("catalogueChanges")
    while page["hasMore"]:
        page = as_cashier(
            """query($s: String) { catalogueChanges(since: $s, first: 100) {
              hasMore nextCursor catalogueVersion } }""",
            {"s": page["nextCursor"]},
            HTTP_X_POS_DEVICE=credential,
        ).payload("catalogueChanges")
    sale = _sale(1, shop["soap"], cashierId=str(manager.pk), catalogueVersion=page["catalogueVersion"])
    bad = _sale(2, shop["soap"], cashierId="999999", catalogueVersion="not-a-version")

    body = as_cashier(SYNC, {"input": {"sales": [sale, bad]}}, HTTP_X_POS_DEVICE=credential)

    results = body.payload("syncSales")["results"]
    assert [r["outcome"] for r in results] == ["SYNCED", "REFUSED"]
    assert Sale.objects.get().cashier == manager
    assert {(e["code"], e["field"]) for e in results[1]["errors"]} == {
        ("INVALID", "sales.1.catalogueVersion"),
    }
