from datetime import timedelta
from decimal import Decimal

import pytest

from products import services
from products.checks import find_ledger_mismatches
from products.models import Batch, Location, StockLevel, StockMovement
from products.services import StockRequest
from shared.errors import DomainError
from tests.factories import UserFactory
from tests.products.factories import BatchProductFactory, LocationFactory, ProductFactory
from tests.products.helpers import level, stock_snapshot

D = Decimal


def codes(exc_info):
    return [e.code for e in exc_info.value.errors]


# --- receive_stock ------------------------------------------------------------------------------


def test_receive_stock_creates_level_and_receipt_movement(manager, shop):
    product = ProductFactory()

    movement = services.receive_stock(
        user=manager, product=product, location=shop, quantity=D("12"), unit_cost=D("4.25"), note="INV-1"
    )

    assert level(product, shop) == D("12.000")
    assert movement.movement_type == "receipt"
    assert movement.quantity == D("12.000")
    assert movement.balance_after == D("12.000")
    assert movement.unit_cost == D("4.2500")
    assert movement.user == manager
    assert movement.reason == "INV-1"
    assert find_ledger_mismatches() == []


def test_receive_stock_updates_moving_weighted_average_cost(manager, shop, store_room):
    product = ProductFactory()

    services.receive_stock(user=manager, product=product, location=shop, quantity=10, unit_cost=D("4.00"))
    services.receive_stock(
        user=manager, product=product, location=store_room, quantity=30, unit_cost=D("6.00")
    )
    product.refresh_from_db()
    after_two = product.cost_price
    services.receive_stock(user=manager, product=product, location=shop, quantity=3, unit_cost=D("1.0000"))
    product.refresh_from_db()

    # (10*4 + 30*6) / 40 = 5.5; then (40*5.5 + 3*1) / 43 = 5.186046... -> 5.1860
    assert after_two == D("5.5000")
    assert product.cost_price == D("5.1860")


def test_receive_stock_after_stock_ran_out_takes_the_new_cost(manager, shop, stocked):
    product = stocked("2", unit_cost="4.00")
    services.deduct_stock(
        user=manager,
        location=shop,
        requests=[StockRequest(product.pk, D("2"))],
        reference_type="sale",
        reference_id=1,
    )

    services.receive_stock(user=manager, product=product, location=shop, quantity=1, unit_cost=D("9.00"))

    product.refresh_from_db()
    assert product.cost_price == D("9.0000")


@pytest.mark.parametrize(
    "quantity,unit_cost,field",
    [
        ("0", "1.00", "quantity"),
        ("-1", "1.00", "quantity"),
        ("1.0001", "1.00", "quantity"),
        ("1", "-1.00", "unitCost"),
        ("1", "1.00001", "unitCost"),
    ],
)
def test_receive_stock_bad_numbers_are_invalid_and_change_nothing(
    manager, shop, stocked, quantity, unit_cost, field
):
    product = stocked("5")
    before = stock_snapshot()

    with pytest.raises(DomainError) as exc:
        services.receive_stock(
            user=manager, product=product, location=shop, quantity=D(quantity), unit_cost=D(unit_cost)
        )

    assert codes(exc) == ["INVALID"]
    assert exc.value.field == field
    assert stock_snapshot() == before


def test_receive_stock_archived_product_is_refused(manager, shop, stocked):
    product = stocked("5")
    services.archive_product(user=manager, product=product)
    before = stock_snapshot()

    with pytest.raises(DomainError) as exc:
        services.receive_stock(user=manager, product=product, location=shop, quantity=1, unit_cost=D("1"))

    assert codes(exc) == ["PRODUCT_ARCHIVED"]
    assert stock_snapshot() == before


def test_receive_stock_batch_product_needs_batch_number(manager, shop):
    product = BatchProductFactory()

    with pytest.raises(DomainError) as exc:
        services.receive_stock(user=manager, product=product, location=shop, quantity=1, unit_cost=D("1"))

    assert codes(exc) == ["BATCH_REQUIRED"]
    assert not StockMovement.objects.exists()
    assert not StockLevel.objects.exists()


def test_receive_stock_already_expired_batch_is_refused(manager, shop, today):
    product = BatchProductFactory()

    with pytest.raises(DomainError) as exc:
        services.receive_stock(
            user=manager,
            product=product,
            location=shop,
            quantity=1,
            unit_cost=D("1"),
            batch_number="B1",
            expiry_date=today - timedelta(days=1),
        )

    assert codes(exc) == ["BATCH_EXPIRED"]
    assert not Batch.objects.exists()


def test_receive_stock_batch_on_plain_product_is_invalid(manager, shop):
    product = ProductFactory()

    with pytest.raises(DomainError) as exc:
        services.receive_stock(
            user=manager, product=product, location=shop, quantity=1, unit_cost=D("1"), batch_number="X"
        )

    assert codes(exc) == ["INVALID"]


def test_receive_stock_same_batch_other_expiry_is_a_mismatch(manager, shop, today):
    product = BatchProductFactory()
    services.receive_stock(
        user=manager,
        product=product,
        location=shop,
        quantity=1,
        unit_cost=D("1"),
        batch_number="B1",
        expiry_date=today + timedelta(days=9),
    )
    before = stock_snapshot()

    with pytest.raises(DomainError) as exc:
        services.receive_stock(
            user=manager,
            product=product,
            location=shop,
            quantity=1,
            unit_cost=D("1"),
            batch_number="B1",
            expiry_date=today + timedelta(days=99),
        )

    assert codes(exc) == ["BATCH_MISMATCH"]
    assert stock_snapshot() == before


def test_receive_stock_into_existing_batch_averages_its_cost(manager, shop, today):
    product = BatchProductFactory()
    expiry = today + timedelta(days=9)
    for qty, cost in ((1, "2.00"), (3, "4.00")):
        services.receive_stock(
            user=manager,
            product=product,
            location=shop,
            quantity=qty,
            unit_cost=D(cost),
            batch_number="B1",
            expiry_date=expiry,
        )

    batch = Batch.objects.get()
    assert batch.quantity == D("4.000")
    assert batch.unit_cost == D("3.5000")
    assert level(product, shop) == D("4.000")


def test_receive_stock_inactive_location_is_refused(manager):
    product = ProductFactory()
    closed = LocationFactory(is_active=False)

    with pytest.raises(DomainError) as exc:
        services.receive_stock(user=manager, product=product, location=closed, quantity=1, unit_cost=D("1"))

    assert codes(exc) == ["LOCATION_INACTIVE"]


# --- deduct_stock -------------------------------------------------------------------------------


def test_deduct_stock_plain_product_writes_sale_movement(cashier, shop, stocked):
    product = stocked("10", unit_cost="4.00", unit="kg", quantity_decimals=3)

    [result] = services.deduct_stock(
        user=cashier,
        location=shop,
        requests=[StockRequest(product.pk, D("1.5"))],
        reference_type="sale",
        reference_id=7,
        reference="T-0007",
    )

    assert result.product_id == product.pk
    assert result.quantity == D("1.500")
    assert result.unit_cost == D("4.0000")
    assert result.draws == [services.BatchDraw(batch_id=None, quantity=D("1.500"), unit_cost=D("4.0000"))]
    assert level(product, shop) == D("8.500")
    movement = StockMovement.objects.get(movement_type="sale")
    assert (movement.quantity, movement.balance_after) == (D("-1.500"), D("8.500"))
    assert (movement.reference_type, movement.reference_id, movement.reference) == ("sale", 7, "T-0007")
    assert movement.user == cashier
    assert find_ledger_mismatches() == []


def test_deduct_stock_draws_first_expiry_first_and_never_expired(cashier, shop, medicine):
    # medicine: OLD (expired, 5 @1.00), SOON (4 @2.00), LATE (5 @3.00)
    [result] = services.deduct_stock(
        user=cashier,
        location=shop,
        requests=[StockRequest(medicine.pk, D("6"))],
        reference_type="sale",
        reference_id=1,
    )

    batches = {b.batch_number: b for b in Batch.objects.filter(product=medicine)}
    assert [(batches_by_id(d.batch_id), d.quantity) for d in result.draws] == [
        ("SOON", D("4")),
        ("LATE", D("2")),
    ]
    assert batches["OLD"].quantity == D("5.000")
    assert batches["SOON"].quantity == D("0.000")
    assert batches["LATE"].quantity == D("3.000")
    # (4*2 + 2*3) / 6 = 2.3333
    assert result.unit_cost == D("2.3333")
    assert level(medicine, shop) == D("8.000")
    sales = StockMovement.objects.filter(movement_type="sale").order_by("pk")
    assert [(m.batch.batch_number, m.quantity, m.balance_after) for m in sales] == [
        ("SOON", D("-4.000"), D("10.000")),
        ("LATE", D("-2.000"), D("8.000")),
    ]
    assert find_ledger_mismatches() == []


def batches_by_id(batch_id):
    return Batch.objects.get(pk=batch_id).batch_number


def test_deduct_stock_only_expired_stock_left_is_insufficient(cashier, shop, medicine):
    services.deduct_stock(
        user=cashier,
        location=shop,
        requests=[StockRequest(medicine.pk, D("9"))],
        reference_type="sale",
        reference_id=1,
    )
    before = stock_snapshot()

    with pytest.raises(DomainError) as exc:
        services.deduct_stock(
            user=cashier,
            location=shop,
            requests=[StockRequest(medicine.pk, D("1"))],
            reference_type="sale",
            reference_id=2,
        )

    assert codes(exc) == ["INSUFFICIENT_STOCK"]
    assert exc.value.errors[0].params["shortages"] == [
        {"product_id": medicine.pk, "requested": D("1.000"), "available": D("0.000")}
    ]
    assert stock_snapshot() == before


def test_a_level_the_update_refused_stays_short_when_stock_arrives_before_the_refusal_is_written(
    cashier, shop, stocked
):
    from django.db import connection

    rice = stocked("1", name="Rice 5kg")
    landed = []

    def receipt_lands_meanwhile(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith('UPDATE "products_stocklevel"') and not landed:  # the UPDATE that refused
            landed.append(True)
            # What a receipt committed by another till would make the refusal's read see
            # (READ COMMITTED); here written in this transaction to the same effect.
            StockLevel.objects.filter(product=rice).update(quantity=D("10"))
        return result

    with pytest.raises(DomainError) as exc, connection.execute_wrapper(receipt_lands_meanwhile):
        services.deduct_stock(
            user=cashier,
            location=shop,
            requests=[StockRequest(rice.pk, D("2"))],
            reference_type="sale",
            reference_id=1,
        )

    # Was a KeyError (an internal error to the till) found by the concurrency test on PostgreSQL.
    assert exc.value.errors[0].code == "INSUFFICIENT_STOCK"
    assert exc.value.errors[0].params["shortages"][0]["product_id"] == rice.pk
    assert landed


def test_deduct_stock_collects_every_shortage_and_changes_nothing(cashier, shop, stocked):
    fine = stocked("10")
    short_a = stocked("2", name="Rice 5kg")
    short_b = ProductFactory(name="Beans")  # never stocked
    before = stock_snapshot()

    with pytest.raises(DomainError) as exc:
        services.deduct_stock(
            user=cashier,
            location=shop,
            requests=[
                StockRequest(fine.pk, D("1")),
                StockRequest(short_a.pk, D("2")),
                StockRequest(short_b.pk, D("1")),
                StockRequest(short_a.pk, D("1")),
            ],
            reference_type="sale",
            reference_id=1,
        )

    error = exc.value.errors[0]
    assert error.code == "INSUFFICIENT_STOCK"
    assert error.field == "items"
    assert error.params["shortages"] == [
        {"product_id": short_a.pk, "requested": D("3"), "available": D("2.000")},
        {"product_id": short_b.pk, "requested": D("1"), "available": D("0.000")},
    ]
    assert "Rice 5kg (2 available, 3 requested)" in error.message
    assert stock_snapshot() == before


def test_deduct_stock_results_follow_request_order_with_repeated_products(cashier, shop, stocked):
    a, b = stocked("10"), stocked("10")

    results = services.deduct_stock(
        user=cashier,
        location=shop,
        requests=[StockRequest(b.pk, D("1")), StockRequest(a.pk, D("2")), StockRequest(b.pk, D("3"))],
        reference_type="sale",
        reference_id=1,
    )

    assert [(r.product_id, r.quantity) for r in results] == [(b.pk, D("1")), (a.pk, D("2")), (b.pk, D("3"))]
    assert level(a, shop) == D("8") and level(b, shop) == D("6")
    assert find_ledger_mismatches() == []


def test_deduct_stock_unknown_archived_and_bad_quantities_are_refused(cashier, shop, stocked, manager):
    archived = stocked("5")
    services.archive_product(user=manager, product=archived)
    before = stock_snapshot()

    with pytest.raises(DomainError) as exc:
        services.deduct_stock(
            user=cashier,
            location=shop,
            requests=[StockRequest(999999, D("1")), StockRequest(archived.pk, D("1"))],
            reference_type="sale",
            reference_id=1,
        )
    with pytest.raises(DomainError) as zero:
        services.deduct_stock(
            user=cashier,
            location=shop,
            requests=[StockRequest(archived.pk, D("0"))],
            reference_type="sale",
            reference_id=1,
        )
    with pytest.raises(DomainError) as empty:
        services.deduct_stock(user=cashier, location=shop, requests=[], reference_type="sale", reference_id=1)

    assert [(e.code, e.field) for e in exc.value.errors] == [
        ("NOT_FOUND", "items.0.productId"),
        ("PRODUCT_ARCHIVED", "items.1.productId"),
    ]
    assert (zero.value.code, zero.value.field) == ("INVALID", "items.0.quantity")
    assert (empty.value.code, empty.value.field) == ("INVALID", "items")
    assert stock_snapshot() == before


def test_deduct_stock_only_draws_from_the_given_location(cashier, shop, store_room, stocked):
    product = stocked("5", location=store_room)

    with pytest.raises(DomainError) as exc:
        services.deduct_stock(
            user=cashier,
            location=shop,
            requests=[StockRequest(product.pk, D("1"))],
            reference_type="sale",
            reference_id=1,
        )

    assert codes(exc) == ["INSUFFICIENT_STOCK"]
    assert level(product, store_room) == D("5")


def test_stock_constraint_refuses_negative_quantity_in_the_database(shop, stocked):
    from django.db import IntegrityError, transaction

    product = stocked("1")

    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(product=product).update(quantity=D("-1"))


# --- return_stock / write_off_stock ------------------------------------------------------------


def test_return_stock_puts_goods_back_into_their_batch(cashier, shop, medicine):
    [result] = services.deduct_stock(
        user=cashier,
        location=shop,
        requests=[StockRequest(medicine.pk, D("2"))],
        reference_type="sale",
        reference_id=1,
    )
    draw = result.draws[0]

    movement = services.return_stock(
        user=cashier,
        location=shop,
        product_id=medicine.pk,
        quantity=D("2"),
        batch_id=draw.batch_id,
        unit_cost=draw.unit_cost,
        movement_type="return",
        reference_type="return",
        reference_id=3,
    )

    assert Batch.objects.get(pk=draw.batch_id).quantity == D("4.000")
    assert movement.balance_after == level(medicine, shop) == D("14.000")
    assert movement.movement_type == "return"
    assert find_ledger_mismatches() == []


def test_return_stock_at_another_location_recreates_the_batch_there(cashier, shop, store_room, medicine):
    [result] = services.deduct_stock(
        user=cashier,
        location=shop,
        requests=[StockRequest(medicine.pk, D("1"))],
        reference_type="sale",
        reference_id=1,
    )

    services.return_stock(
        user=cashier,
        location=store_room,
        product_id=medicine.pk,
        quantity=D("1"),
        batch_id=result.draws[0].batch_id,
        unit_cost=D("2.00"),
        movement_type="void",
        reference_type="sale",
        reference_id=1,
    )

    moved = Batch.objects.get(product=medicine, location=store_room)
    source = Batch.objects.get(pk=result.draws[0].batch_id)
    assert (moved.batch_number, moved.expiry_date, moved.quantity) == (
        source.batch_number,
        source.expiry_date,
        D("1"),
    )
    assert find_ledger_mismatches() == []


def test_return_stock_refusals(cashier, shop, medicine, stocked):
    plain = stocked("1")
    before = stock_snapshot()

    with pytest.raises(DomainError) as no_batch:
        services.return_stock(
            user=cashier,
            location=shop,
            product_id=medicine.pk,
            quantity=1,
            batch_id=None,
            unit_cost=D("1"),
            movement_type="return",
            reference_type="return",
            reference_id=1,
        )
    with pytest.raises(DomainError) as unknown:
        services.return_stock(
            user=cashier,
            location=shop,
            product_id=0,
            quantity=1,
            batch_id=None,
            unit_cost=D("1"),
            movement_type="return",
            reference_type="return",
            reference_id=1,
        )
    with pytest.raises(DomainError) as outbound:
        services.return_stock(
            user=cashier,
            location=shop,
            product_id=plain.pk,
            quantity=1,
            batch_id=None,
            unit_cost=D("1"),
            movement_type="sale",
            reference_type="return",
            reference_id=1,
        )

    assert codes(no_batch) == ["BATCH_REQUIRED"]
    assert codes(unknown) == ["NOT_FOUND"]
    assert codes(outbound) == ["INVALID"]
    assert stock_snapshot() == before


def test_write_off_stock_records_loss_without_changing_stock(manager, shop, stocked):
    product = stocked("3", unit_cost="2.00")

    movement = services.write_off_stock(
        user=manager,
        location=shop,
        product_id=product.pk,
        quantity=D("2"),
        batch_id=None,
        unit_cost=D("2.00"),
        reason="Damaged in return",
        reference_type="return",
        reference_id=5,
    )

    assert (movement.movement_type, movement.quantity, movement.affects_stock) == (
        "write_off",
        D("-2"),
        False,
    )
    assert movement.balance_after == level(product, shop) == D("3.000")
    assert find_ledger_mismatches() == []


def test_write_off_stock_needs_a_reason(manager, shop, stocked):
    product = stocked("3")

    with pytest.raises(DomainError) as exc:
        services.write_off_stock(
            user=manager,
            location=shop,
            product_id=product.pk,
            quantity=1,
            batch_id=None,
            unit_cost=D("1"),
            reason=" ",
            reference_type="return",
            reference_id=5,
        )

    assert codes(exc) == ["REQUIRED"]


# --- adjust_stock -------------------------------------------------------------------------------


def test_adjust_stock_to_counted_quantity_and_by_delta(manager, shop, stocked):
    product = stocked("10", unit_cost="4.00", unit="kg", quantity_decimals=3)

    counted = services.adjust_stock(
        user=manager, product=product, location=shop, reason="Count", counted_quantity=D("7")
    )
    delta = services.adjust_stock(
        user=manager, product=product, location=shop, reason="Found", delta=D("2.5")
    )

    assert (counted.quantity, counted.balance_after, counted.unit_cost) == (D("-3"), D("7"), D("4.0000"))
    assert (delta.quantity, delta.balance_after) == (D("2.5"), D("9.5"))
    assert counted.movement_type == "adjustment" and counted.reason == "Count"
    assert level(product, shop) == D("9.500")
    assert find_ledger_mismatches() == []


def test_adjust_stock_batch_product_adjusts_the_named_batch(manager, shop, medicine):
    batch = Batch.objects.get(product=medicine, batch_number="OLD")

    services.adjust_stock(
        user=manager,
        product=medicine,
        location=shop,
        reason="Expired, destroyed",
        counted_quantity=0,
        batch=batch,
    )

    batch.refresh_from_db()
    assert batch.quantity == D("0")
    assert level(medicine, shop) == D("9")
    assert find_ledger_mismatches() == []


@pytest.mark.parametrize(
    "kwargs,code",
    [
        ({"reason": "x", "delta": D("-11")}, "INSUFFICIENT_STOCK"),
        ({"reason": "", "delta": D("1")}, "REQUIRED"),
        ({"reason": "x"}, "INVALID"),
        ({"reason": "x", "delta": D("1"), "counted_quantity": D("1")}, "INVALID"),
        ({"reason": "x", "counted_quantity": D("10")}, "NOTHING_TO_ADJUST"),
        ({"reason": "x", "counted_quantity": D("-1")}, "INVALID"),
    ],
)
def test_adjust_stock_refusals_change_nothing(manager, shop, stocked, kwargs, code):
    product = stocked("10")
    before = stock_snapshot()

    with pytest.raises(DomainError) as exc:
        services.adjust_stock(user=manager, product=product, location=shop, **kwargs)

    assert codes(exc) == [code]
    assert stock_snapshot() == before


def test_adjust_stock_cashier_is_refused(cashier, shop, stocked):
    product = stocked("10")

    with pytest.raises(DomainError) as exc:
        services.adjust_stock(user=cashier, product=product, location=shop, reason="x", delta=D("1"))

    assert codes(exc) == ["PERMISSION_DENIED"]


def test_adjust_stock_batch_product_without_batch_is_refused(manager, shop, medicine):
    with pytest.raises(DomainError) as exc:
        services.adjust_stock(user=manager, product=medicine, location=shop, reason="x", delta=D("1"))

    assert codes(exc) == ["BATCH_REQUIRED"]


# --- transfer_stock -----------------------------------------------------------------------------


def test_transfer_stock_plain_product(manager, shop, store_room, stocked):
    product = stocked("10", unit_cost="4.00")

    result = services.transfer_stock(
        user=manager, product=product, from_location=shop, to_location=store_room, quantity=D("4")
    )

    assert level(product, shop) == D("6") and level(product, store_room) == D("4")
    assert [
        (m.movement_type, m.quantity, m.balance_after) for m in result.out_movements + result.in_movements
    ] == [
        ("transfer_out", D("-4"), D("6")),
        ("transfer_in", D("4"), D("4")),
    ]
    product.refresh_from_db()
    assert product.cost_price == D("4.0000")
    assert find_ledger_mismatches() == []


def test_transfer_stock_batches_move_fefo_and_keep_expiry_and_cost(manager, shop, store_room, medicine):
    services.transfer_stock(
        user=manager, product=medicine, from_location=shop, to_location=store_room, quantity=D("6")
    )

    moved = {b.batch_number: b for b in Batch.objects.filter(product=medicine, location=store_room)}
    assert {k: v.quantity for k, v in moved.items()} == {"SOON": D("4"), "LATE": D("2")}
    assert moved["LATE"].unit_cost == D("3.0000")
    assert level(medicine, store_room) == D("6") and level(medicine, shop) == D("8")
    assert find_ledger_mismatches() == []


def test_transfer_stock_refusals_change_nothing(manager, shop, store_room, stocked):
    product = stocked("3")
    before = stock_snapshot()

    with pytest.raises(DomainError) as same:
        services.transfer_stock(
            user=manager, product=product, from_location=shop, to_location=shop, quantity=1
        )
    with pytest.raises(DomainError) as short:
        services.transfer_stock(
            user=manager, product=product, from_location=shop, to_location=store_room, quantity=D("4")
        )

    assert codes(same) == ["SAME_LOCATION"]
    assert codes(short) == ["INSUFFICIENT_STOCK"]
    assert "3 available" in short.value.message
    assert (
        stock_snapshot()[2:] == before[2:]
    )  # a refused transfer may leave an empty level row; no quantities


# --- catalogue ----------------------------------------------------------------------------------


def test_create_product_duplicate_sku_and_barcode_are_refused(manager):
    services.create_product(
        user=manager, sku="A-1", name="Soap", barcode="4006381333931", retail_price=D("1.00")
    )

    with pytest.raises(DomainError) as sku:
        services.create_product(user=manager, sku="A-1", name="Other", retail_price=D("1.00"))
    with pytest.raises(DomainError) as barcode:
        services.create_product(
            user=manager, sku="A-2", name="Other", barcode="4006381333931", retail_price=D("1")
        )

    assert codes(sku) == ["DUPLICATE_SKU"]
    assert codes(barcode) == ["DUPLICATE_BARCODE"]


def test_create_product_validates_money_and_rates(manager):
    with pytest.raises(DomainError) as price:
        services.create_product(user=manager, sku="A-1", name="Soap", retail_price=D("-1.00"))
    with pytest.raises(DomainError) as rate:
        services.create_product(
            user=manager, sku="A-1", name="Soap", retail_price=D("1.00"), tax_rate=D("7.5")
        )

    assert (price.value.code, price.value.field) == ("INVALID", "retailPrice")
    assert (rate.value.code, rate.value.field) == ("INVALID", "taxRate")


def test_update_product_cannot_switch_batch_tracking_once_stocked(manager, stocked):
    product = stocked("1")

    with pytest.raises(DomainError) as exc:
        services.update_product(user=manager, product=product, track_batches=True)

    assert codes(exc) == ["TRACKING_LOCKED"]


def test_update_product_clears_barcode_with_empty_string(manager):
    product = ProductFactory(barcode="123")

    services.update_product(user=manager, product=product, barcode="", name="Renamed")

    product.refresh_from_db()
    assert (product.barcode, product.name) == (None, "Renamed")


def test_archive_product_twice_is_refused(manager):
    product = ProductFactory()
    services.archive_product(user=manager, product=product)

    with pytest.raises(DomainError) as exc:
        services.archive_product(user=manager, product=product)

    assert codes(exc) == ["PRODUCT_ARCHIVED"]


def test_create_location_as_default_moves_the_flag(db, shop):
    new = services.create_location(name="Warehouse", kind="warehouse", is_default=True)

    shop.refresh_from_db()
    assert new.is_default and not shop.is_default
    assert Location.objects.filter(is_default=True).count() == 1


def test_create_category_and_supplier_refuse_duplicates(db):
    parent = services.create_category(name="Drinks")
    child = services.create_category(name="Soft drinks", parent=parent)
    services.create_supplier(name="Acme")

    with pytest.raises(DomainError) as cat:
        services.create_category(name="drinks")
    with pytest.raises(DomainError) as sup:
        services.create_supplier(name="ACME")

    assert child.parent == parent
    assert codes(cat) == ["DUPLICATE_NAME"] and codes(sup) == ["DUPLICATE_NAME"]


# --- ledger check -------------------------------------------------------------------------------


def test_find_ledger_mismatches_reports_tampered_level_and_batch(manager, shop, medicine, stocked):
    product = stocked("5")
    assert find_ledger_mismatches() == []

    StockLevel.objects.filter(product=product).update(quantity=D("6"))
    Batch.objects.filter(product=medicine, batch_number="LATE").update(quantity=D("1"))

    problems = find_ledger_mismatches()
    assert len(problems) == 3
    assert any(f"product={product.pk}" in p and "6.000 on record" in p for p in problems)
    assert any("batch LATE" in p for p in problems)
    assert (
        f"batch-tracked product={medicine.pk} location={shop.pk}: stock level 14.000, batches sum to 10.000"
        in problems
    )


def test_movements_by_other_users_are_attributed(shop, stocked):
    product = stocked("5")
    other = UserFactory()

    services.deduct_stock(
        user=other,
        location=shop,
        requests=[StockRequest(product.pk, D("1"))],
        reference_type="sale",
        reference_id=1,
    )

    assert StockMovement.objects.get(movement_type="sale").user == other
