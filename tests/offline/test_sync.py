"""syncSales as services: exactly once, in sequence order, offline sales recorded as facts."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from offline import services
from offline.models import SaleSync, StockDiscrepancy, SyncException
from products.models import Batch, StockLevel, StockMovement
from sales.models import Sale
from shared.errors import DomainError

D = Decimal


def _level(product, location):
    return StockLevel.objects.get(product=product, location=location).quantity


def _outcomes(result):
    return [o.outcome for o in result.outcomes]


def _ledgers_clean():
    call_command("check_ledgers")  # raises CommandError on any mismatch


def test_sync_sales_records_each_sale_with_its_receipt_number_and_sold_at(cashier, shop, till):
    sold_at = timezone.now() - timedelta(hours=5)
    till.sell([(shop["soap"], "2")], sold_at=sold_at)
    till.sell([(shop["soap"], "1")])

    (result,) = till.sync(cashier)

    assert _outcomes(result) == ["SYNCED", "SYNCED"]
    assert (result.high_water_mark, result.highest_sequence, result.gaps) == (2, 2, [])
    first = Sale.objects.get(device_receipt_number="T1-000001")
    assert first.created_at == sold_at and first.total == D("20.00")
    assert first.offline_sync.device_sequence == 1
    assert _level(shop["soap"], shop["location"]) == D("47")
    _ledgers_clean()


def test_sync_sales_replayed_batch_answers_stored_outcomes_and_creates_nothing(cashier, shop, till):
    till.sell([(shop["soap"], "1")])
    till.sell([(shop["soap"], "60")])  # beyond the 49 left: an exception
    (first,) = till.sync(cashier)

    (again,) = till.sync(cashier)

    assert _outcomes(first) == ["SYNCED", "SYNCED_WITH_EXCEPTIONS"]
    assert _outcomes(again) == ["ALREADY_SYNCED", "ALREADY_SYNCED"]
    assert [o.sale_sync.sale_id for o in again.outcomes] == [o.sale_sync.sale_id for o in first.outcomes]
    assert [e.pk for e in again.outcomes[1].exceptions] == [e.pk for e in first.outcomes[1].exceptions]
    assert Sale.objects.count() == 2 and SyncException.objects.count() == 1
    assert _level(shop["soap"], shop["location"]) == 0


def test_sync_sales_same_client_id_with_another_body_is_refused(cashier, shop, till):
    request = till.sell([(shop["soap"], "1")])
    till.sync(cashier)
    changed = replace(request, sale=replace(request.sale, note="changed"))

    result = services.sync_sales(user=cashier, device=till.device, sales=[changed])

    (outcome,) = result.outcomes
    assert outcome.outcome == "REFUSED"
    assert [(e.code, e.field) for e in outcome.errors] == [("CLIENT_ID_REUSED", "sales.0.clientId")]
    assert Sale.objects.count() == 1


def test_sync_sales_sequence_held_by_another_client_id_is_refused(cashier, shop, till):
    request = till.sell([(shop["soap"], "1")])
    till.sync(cashier)

    result = services.sync_sales(
        user=cashier, device=till.device, sales=[replace(request, client_id=uuid.uuid4())]
    )

    assert result.outcomes[0].errors[0].code == "SEQUENCE_REUSED"
    assert Sale.objects.count() == 1


def test_sync_sales_out_of_order_batch_is_applied_in_sequence_order_and_answered_in_input_order(
    cashier, shop, till
):
    for _ in range(3):
        till.sell([(shop["soap"], "1")])
    shuffled = [till.outbox[2], till.outbox[0], till.outbox[1]]

    (result,) = till.sync(cashier, shuffled)

    assert [o.device_sequence for o in result.outcomes] == [3, 1, 2]
    by_sequence = dict(SaleSync.objects.values_list("device_sequence", "sale_id"))
    assert by_sequence[1] < by_sequence[2] < by_sequence[3]  # sale ids follow the till's sequence
    assert result.high_water_mark == 3


def test_sync_sales_gap_is_reported_and_high_water_mark_stops_before_it(cashier, shop, till):
    for _ in range(5):
        till.sell([(shop["soap"], "1")])

    (result,) = till.sync(cashier, [till.outbox[0], till.outbox[1], till.outbox[3]])

    assert (result.high_water_mark, result.highest_sequence, result.gaps) == (2, 4, [3])
    (later,) = till.sync(cashier, [till.outbox[2], till.outbox[4]])
    assert (later.high_water_mark, later.highest_sequence, later.gaps) == (5, 5, [])


def test_sync_sales_refused_sale_keeps_the_rest_of_the_batch_and_leaves_a_gap(cashier, shop, till):
    till.sell([(shop["soap"], "1")])
    bad = till.sell([(shop["soap"], "1")])
    till.sell([(shop["soap"], "1")])
    till.outbox[1] = replace(
        bad, sale=replace(bad.sale, items=[replace(bad.sale.items[0], product_id=999999)])
    )

    (result,) = till.sync(cashier)

    assert _outcomes(result) == ["SYNCED", "REFUSED", "SYNCED"]
    assert [(e.code, e.field) for e in result.outcomes[1].errors] == [
        ("NOT_FOUND", "sales.1.items.0.productId")
    ]
    assert (result.high_water_mark, result.gaps) == (1, [2])
    assert Sale.objects.count() == 2


def test_sync_sales_batch_over_the_limit_is_refused_whole(cashier, shop, till, settings):
    settings.POS_SYNC_MAX_BATCH = 2
    for _ in range(3):
        till.sell([(shop["soap"], "1")])

    with pytest.raises(DomainError) as caught:
        till.sync(cashier, batch=3)

    assert caught.value.code == "BATCH_TOO_LARGE"
    assert Sale.objects.count() == 0


def test_sync_sales_connection_cut_mid_batch_keeps_the_first_sales_and_a_resend_completes_once(
    cashier, shop, till, monkeypatch
):
    for _ in range(5):
        till.sell([(shop["soap"], "1")])
    real, calls = services.sync.sync_sale, []

    def cut_after_three(**kwargs):
        if len(calls) == 3:
            raise ConnectionError("connection lost")
        calls.append(1)
        return real(**kwargs)

    monkeypatch.setattr(services.sync, "sync_sale", cut_after_three)
    with pytest.raises(ConnectionError):
        till.sync(cashier)
    assert SaleSync.objects.count() == 3
    monkeypatch.setattr(services.sync, "sync_sale", real)

    (result,) = till.sync(cashier)

    assert _outcomes(result) == ["ALREADY_SYNCED"] * 3 + ["SYNCED"] * 2
    assert Sale.objects.count() == 5 and result.high_water_mark == 5
    assert _level(shop["soap"], shop["location"]) == D("45")


def test_sync_sales_shortage_draws_stock_to_zero_and_records_a_discrepancy_at_cost(cashier, shop, till):
    till.sell([(shop["soap"], "53")])  # 50 on hand

    (result,) = till.sync(cashier)

    assert _outcomes(result) == ["SYNCED_WITH_EXCEPTIONS"]
    assert _level(shop["soap"], shop["location"]) == 0
    discrepancy = StockDiscrepancy.objects.get()
    assert (discrepancy.quantity, discrepancy.unit_cost, discrepancy.value) == (
        D("3"),
        D("6.0000"),
        D("18.00"),
    )
    sale = Sale.objects.get()
    assert discrepancy.sale_sync.sale == sale
    assert discrepancy.movement.movement_type == "offline_shortage"
    assert discrepancy.movement.reference == sale.transaction_id
    (exception,) = result.outcomes[0].exceptions
    assert exception.kind == "STOCK_SHORTAGE" and exception.discrepancy == discrepancy
    _ledgers_clean()


def test_sync_sales_shortage_of_batch_tracked_product_draws_real_batches_first(cashier, shop, till):
    # Syrup: OLD (5, expired), SOON (3), LATER (10): 13 usable.
    till.sell([(shop["syrup"], "15")])

    (result,) = till.sync(cashier)

    assert _outcomes(result) == ["SYNCED_WITH_EXCEPTIONS"]
    batches = dict(Batch.objects.filter(product=shop["syrup"]).values_list("batch_number", "quantity"))
    assert batches == {"OLD": D("5"), "SOON": 0, "LATER": 0, "OFFLINE-SHORTAGE": 0}
    assert _level(shop["syrup"], shop["location"]) == D("5")  # the expired batch, not sold
    assert StockDiscrepancy.objects.get().quantity == D("2")
    _ledgers_clean()


def test_sync_sales_credit_limit_breach_is_recorded_and_flagged(cashier, shop, till):
    regular = shop["regular"]  # limit 100.00
    till.sell([(shop["soap"], "15")], customer=regular, on_account=True)

    (result,) = till.sync(cashier)

    assert _outcomes(result) == ["SYNCED_WITH_EXCEPTIONS"]
    regular.refresh_from_db()
    assert regular.balance == D("150.00")
    (exception,) = result.outcomes[0].exceptions
    assert exception.kind == "CREDIT_LIMIT" and exception.details["over_by"] == "50.00"
    _ledgers_clean()


def test_sync_sales_till_price_is_kept_and_a_difference_flagged(cashier, shop, till):
    till.sell([(shop["soap"], "2")], unit_prices={shop["soap"].pk: D("9.00")})

    (result,) = till.sync(cashier)

    sale = Sale.objects.get()
    assert sale.total == D("18.00")
    (exception,) = result.outcomes[0].exceptions
    assert exception.kind == "PRICE_MISMATCH"
    assert exception.details["lines"] == [
        {"line": 1, "product_id": shop["soap"].pk, "unit_price": "9.00", "catalogue_unit_price": "10.00"}
    ]


@pytest.mark.parametrize("offset", [timedelta(hours=2), -timedelta(hours=100)])
def test_sync_sales_sold_at_out_of_bounds_is_dated_when_received_and_flagged(cashier, shop, till, offset):
    till.sell([(shop["soap"], "1")], sold_at=timezone.now() + offset)
    before = timezone.now()

    (result,) = till.sync(cashier)

    sale = Sale.objects.get()
    assert sale.created_at >= before
    assert [e.kind for e in result.outcomes[0].exceptions] == ["CLOCK_SKEW"]


def test_sync_sales_offline_sale_lands_on_its_sold_at_day_in_reports(cashier, manager, shop, till):
    from reports.selectors import sales_figures

    yesterday = timezone.localtime() - timedelta(days=1)
    till.sell([(shop["soap"], "3")], sold_at=yesterday)
    till.sync(cashier)

    stats = sales_figures.sales_stats_summary(date_from=yesterday.date(), date_to=yesterday.date())
    today = sales_figures.sales_stats_summary(date_from=timezone.localdate(), date_to=timezone.localdate())

    assert stats.total_sales == D("30.00") and stats.total_transactions == 1
    assert today.total_transactions == 0


def test_resolve_shortage_as_write_off_posts_the_loss_without_changing_stock(cashier, manager, shop, till):
    till.sell([(shop["soap"], "53")])
    till.sync(cashier)
    exception = SyncException.objects.get()

    services.resolve_sync_exception(
        user=manager, exception_id=exception.pk, resolution="WRITE_OFF", note="theft"
    )

    exception.refresh_from_db()
    assert (exception.status, exception.resolution, exception.resolved_by) == (
        "RESOLVED",
        "WRITE_OFF",
        manager,
    )
    write_off = StockMovement.objects.get(movement_type="write_off")
    assert (write_off.quantity, write_off.unit_cost, write_off.affects_stock) == (D("-3"), D("6.0000"), False)
    assert _level(shop["soap"], shop["location"]) == 0
    _ledgers_clean()


def test_resolve_shortage_as_count_posts_nothing(cashier, manager, shop, till):
    till.sell([(shop["soap"], "53")])
    till.sync(cashier)
    movements = StockMovement.objects.count()

    services.resolve_sync_exception(
        user=manager, exception_id=SyncException.objects.get().pk, resolution="COUNT"
    )

    assert StockMovement.objects.count() == movements


def test_resolve_sync_exception_twice_or_with_a_wrong_resolution_is_refused(cashier, manager, shop, till):
    till.sell([(shop["soap"], "53")])
    till.sync(cashier)
    exception = SyncException.objects.get()

    with pytest.raises(DomainError) as wrong:
        services.resolve_sync_exception(user=manager, exception_id=exception.pk, resolution="ACCEPTED")
    services.resolve_sync_exception(user=manager, exception_id=exception.pk, resolution="RECEIPT")
    with pytest.raises(DomainError) as twice:
        services.resolve_sync_exception(user=manager, exception_id=exception.pk, resolution="COUNT")

    assert wrong.value.code == "RESOLUTION_NOT_ALLOWED"
    assert twice.value.code == "SYNC_EXCEPTION_RESOLVED"
    exception.refresh_from_db()
    assert exception.resolution == "RECEIPT"


def test_check_ledgers_reports_a_shortage_movement_without_its_discrepancy(cashier, shop, till):
    from offline import checks

    till.sell([(shop["soap"], "53")])
    till.sync(cashier)
    assert checks.find_ledger_mismatches() == []

    StockDiscrepancy.objects.update(quantity=D("1"))

    assert len(checks.find_ledger_mismatches()) == 1


@pytest.mark.parametrize("page", ["salesync", "stockdiscrepancy", "syncexception"])
def test_admin_lists_synced_sales_discrepancies_and_exceptions(client, admin_user, cashier, shop, till, page):
    till.sell([(shop["soap"], "53")])
    till.sync(cashier)
    client.force_login(admin_user)

    response = client.get(f"/admin/offline/{page}/")

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 1


def test_admin_write_off_action_settles_through_the_service(client, admin_user, cashier, shop, till):
    till.sell([(shop["soap"], "53")])
    till.sync(cashier)
    exception = SyncException.objects.get()
    client.force_login(admin_user)

    client.post(
        "/admin/offline/syncexception/",
        {"action": "write_off_selected", "_selected_action": [exception.pk]},
    )

    exception.refresh_from_db()
    assert exception.resolution == "WRITE_OFF"
    assert StockMovement.objects.filter(movement_type="write_off").count() == 1


def test_sync_sales_malformed_sale_is_refused_with_coded_errors_and_records_nothing(cashier, shop, till):
    request = till.sell([(shop["soap"], "1")])
    bad = replace(
        request, device_sequence=0, device_receipt_number=" ", sold_at=request.sold_at.replace(tzinfo=None)
    )

    result = services.sync_sales(user=cashier, device=till.device, sales=[bad])

    errors = {(e.code, e.field) for e in result.outcomes[0].errors}
    assert errors == {
        ("OUT_OF_RANGE", "sales.0.deviceSequence"),
        ("REQUIRED", "sales.0.deviceReceiptNumber"),
        ("INVALID", "sales.0.soldAt"),
    }
    assert SaleSync.objects.count() == 0 and Sale.objects.count() == 0


def test_sync_sales_refused_sale_can_be_corrected_and_resent_with_the_same_client_id(cashier, shop, till):
    request = till.sell([(shop["soap"], "1")])
    wrong = replace(request, sale=replace(request.sale, payments=[]))
    assert (
        services.sync_sales(user=cashier, device=till.device, sales=[wrong]).outcomes[0].outcome == "REFUSED"
    )

    (result,) = till.sync(cashier)

    assert _outcomes(result) == ["SYNCED"] and result.high_water_mark == 1
