from datetime import timedelta

import pytest

from products import services as product_services
from products.models import Batch, StockLevel, StockMovement
from products.services import StockRequest
from purchasing import services
from purchasing.models import Stocktake
from shared import clock
from shared.errors import DomainError
from tests.products.factories import BatchProductFactory, CategoryFactory, LocationFactory, ProductFactory
from tests.purchasing.factories import D

pytestmark = pytest.mark.django_db


@pytest.fixture
def stock(manager, location):
    """`stock(qty, cost)`: a plain product with `qty` received at the default location."""

    def make(quantity, unit_cost="2.00", **fields):
        product = ProductFactory(**fields)
        product_services.receive_stock(
            user=manager, product=product, location=location, quantity=D(quantity), unit_cost=D(unit_cost)
        )
        return product

    return make


def sell(user, location, product, quantity):
    product_services.deduct_stock(
        user=user,
        location=location,
        requests=[StockRequest(product.pk, D(quantity))],
        reference_type="sale",
        reference_id=None,
    )


def level(product, location):
    return StockLevel.objects.get(product=product, location=location).quantity


def test_finalize_stocktake_with_sales_and_receipts_after_the_count_posts_only_the_hand_computed_difference(
    manager, cashier, location, stock
):
    tea, sugar = stock("50"), stock("20", "1.00")
    stocktake = services.start_stocktake(user=manager)
    sell(cashier, location, tea, "5")  # before the count: the system knows, 45
    services.record_count(user=cashier, stocktake_id=stocktake.pk, product_id=tea.pk, counted=D("43"))
    sell(cashier, location, tea, "3")  # after the count: not a discrepancy
    product_services.receive_stock(
        user=manager, product=tea, location=location, quantity=D("10"), unit_cost=D("2.00")
    )

    services.finalize_stocktake(user=manager, stocktake_id=stocktake.pk, uncounted="leave")

    # counted 43 against 45 known at the count: -2, applied to 45 - 3 + 10 = 52, giving 50
    assert level(tea, location) == D("50.000")
    assert level(sugar, location) == D("20.000")  # not counted, left alone
    (line,) = stocktake.lines.all()
    assert (line.counted, line.quantity_at_count, line.difference) == (D("43.000"), D("45.000"), D("-2.000"))
    assert (line.unit_cost, line.variance_amount) == (D("2.0000"), D("-4.00"))
    movement = line.movement
    assert (movement.movement_type, movement.reference_type, movement.reference_id) == (
        "adjustment",
        "stocktake",
        stocktake.pk,
    )
    stocktake.refresh_from_db()
    assert (stocktake.status, stocktake.uncounted) == (Stocktake.Status.FINALIZED, "leave")


def test_finalize_stocktake_zero_uncounted_sets_uncounted_stock_in_scope_to_zero(manager, location, stock):
    tea, sugar = stock("50"), stock("20", "1.50")
    stocktake = services.start_stocktake(user=manager)
    services.record_count(user=manager, stocktake_id=stocktake.pk, product_id=tea.pk, counted=D("50"))

    services.finalize_stocktake(user=manager, stocktake_id=stocktake.pk, uncounted="zero")

    assert level(tea, location) == D("50.000")
    assert level(sugar, location) == D("0.000")
    lines = {line.product_id: line for line in stocktake.lines.all()}
    assert (lines[tea.pk].difference, lines[tea.pk].movement) == (D("0.000"), None)
    assert (lines[sugar.pk].counted, lines[sugar.pk].difference) == (None, D("-20.000"))
    assert lines[sugar.pk].variance_amount == D("-30.00")


def test_finalize_stocktake_zero_uncounted_outside_the_category_is_left_alone(manager, location, stock):
    drinks = CategoryFactory()
    tea, soap = stock("50", category=drinks), stock("7")
    juice = stock("4", category=drinks)
    stocktake = services.start_stocktake(user=manager, scope="category", category_id=drinks.pk)
    services.record_count(user=manager, stocktake_id=stocktake.pk, product_id=tea.pk, counted=D("48"))

    services.finalize_stocktake(user=manager, stocktake_id=stocktake.pk, uncounted="zero")

    assert (level(tea, location), level(juice, location), level(soap, location)) == (
        D("48.000"),
        D("0.000"),
        D("7.000"),
    )


def test_record_count_outside_the_scope_is_refused(manager, location, stock):
    tea, soap = stock("5"), stock("5")
    stocktake = services.start_stocktake(user=manager, scope="products", product_ids=[tea.pk])

    with pytest.raises(DomainError) as refused:
        services.record_count(user=manager, stocktake_id=stocktake.pk, product_id=soap.pk, counted=D("1"))

    assert (refused.value.code, refused.value.field) == ("NOT_IN_STOCKTAKE_SCOPE", "productId")
    assert not stocktake.counts.exists()


def test_record_count_by_scanned_code_remembers_the_ledger_position(cashier, manager, location, stock):
    tea = stock("12", barcode="5012345678900")
    stocktake = services.start_stocktake(user=manager)
    last = StockMovement.objects.filter(product=tea).latest("pk")

    count = services.record_count(
        user=cashier, stocktake_id=stocktake.pk, code="5012345678900", counted=D("11")
    )

    assert (count.product, count.quantity_at_count, count.last_movement_id) == (tea, D("12.000"), last.pk)


def test_record_count_repeated_the_last_count_is_the_one_posted(manager, location, stock):
    tea = stock("10")
    stocktake = services.start_stocktake(user=manager)
    for counted in ("7", "9"):
        services.record_count(user=manager, stocktake_id=stocktake.pk, product_id=tea.pk, counted=D(counted))

    services.finalize_stocktake(user=manager, stocktake_id=stocktake.pk, uncounted="leave")

    assert level(tea, location) == D("9.000")


def test_record_count_after_finalize_is_stocktake_closed(manager, location, stock):
    tea = stock("10")
    stocktake = services.start_stocktake(user=manager)
    services.record_count(user=manager, stocktake_id=stocktake.pk, product_id=tea.pk, counted=D("10"))
    services.finalize_stocktake(user=manager, stocktake_id=stocktake.pk, uncounted="leave")

    with pytest.raises(DomainError) as counting:
        services.record_count(user=manager, stocktake_id=stocktake.pk, product_id=tea.pk, counted=D("1"))
    with pytest.raises(DomainError) as finalizing:
        services.finalize_stocktake(user=manager, stocktake_id=stocktake.pk, uncounted="leave")

    assert counting.value.code == finalizing.value.code == "STOCKTAKE_CLOSED"
    assert level(tea, location) == D("10.000")


def test_finalize_stocktake_with_nothing_counted_is_refused(manager, location):
    stocktake = services.start_stocktake(user=manager)

    with pytest.raises(DomainError) as refused:
        services.finalize_stocktake(user=manager, stocktake_id=stocktake.pk, uncounted="zero")

    assert refused.value.code == "NOTHING_COUNTED"
    assert Stocktake.objects.get(pk=stocktake.pk).status == Stocktake.Status.OPEN


def test_finalize_stocktake_cashier_is_refused(cashier, manager, location, stock):
    tea = stock("10")
    stocktake = services.start_stocktake(user=manager)
    services.record_count(user=cashier, stocktake_id=stocktake.pk, product_id=tea.pk, counted=D("1"))

    with pytest.raises(DomainError) as refused:
        services.finalize_stocktake(user=cashier, stocktake_id=stocktake.pk, uncounted="leave")

    assert refused.value.code == "PERMISSION_DENIED"
    assert level(tea, location) == D("10.000")


def test_record_count_batch_tracked_product_is_counted_per_batch(manager, location):
    syrup = BatchProductFactory()
    expiry = clock.localdate() + timedelta(days=60)
    for number in ("A", "B"):
        product_services.receive_stock(
            user=manager,
            product=syrup,
            location=location,
            quantity=D("5"),
            unit_cost=D("3.00"),
            batch_number=number,
            expiry_date=expiry,
        )
    batch_a = Batch.objects.get(batch_number="A")
    stocktake = services.start_stocktake(user=manager)
    with pytest.raises(DomainError) as refused:
        services.record_count(user=manager, stocktake_id=stocktake.pk, product_id=syrup.pk, counted=D("4"))
    services.record_count(
        user=manager, stocktake_id=stocktake.pk, product_id=syrup.pk, batch_id=batch_a.pk, counted=D("4")
    )

    services.finalize_stocktake(user=manager, stocktake_id=stocktake.pk, uncounted="zero")

    assert (refused.value.code, refused.value.field) == ("REQUIRED", "batchId")
    assert dict(Batch.objects.values_list("batch_number", "quantity")) == {"A": D("4.000"), "B": D("0.000")}
    assert level(syrup, location) == D("4.000")


def test_start_stocktake_at_an_unknown_or_inactive_location_is_refused_and_opens_nothing(manager):
    closed = LocationFactory(is_active=False)

    with pytest.raises(DomainError) as unknown:
        services.start_stocktake(user=manager, location_id=closed.pk + 1000)
    with pytest.raises(DomainError) as inactive:
        services.start_stocktake(user=manager, location_id=closed.pk)

    assert (unknown.value.code, unknown.value.field) == ("NOT_FOUND", "locationId")
    assert (inactive.value.code, inactive.value.field) == ("INVALID", "locationId")
    assert not Stocktake.objects.exists()
