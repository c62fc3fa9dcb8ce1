from datetime import timedelta

import pytest

from products import services as product_services
from products.checks import find_ledger_mismatches
from products.models import Batch, StockLevel, StockMovement
from purchasing import services
from purchasing.checks import find_ledger_mismatches as find_document_mismatches
from purchasing.models import PurchaseOrder, PurchaseReceiptLine
from purchasing.services import ReceiveLineRequest, allocate_by_value
from shared import clock
from shared.errors import DomainError
from tests.products.factories import BatchProductFactory, ProductFactory
from tests.purchasing.factories import D, draft_order, ordered, receive

pytestmark = pytest.mark.django_db
Status = PurchaseOrder.Status


def test_allocate_by_value_uneven_split_sums_exactly_to_the_total():
    parts = allocate_by_value(D("0.10"), [D("1"), D("1"), D("1")])

    assert parts == [D("0.04"), D("0.03"), D("0.03")]


def test_allocate_by_value_gives_left_over_cents_to_the_largest_remainders():
    # exact shares 6.666.., 3.333..: rounded down 6.66 + 3.33 = 9.99, the cent goes to 6.666..
    parts = allocate_by_value(D("10.00"), [D("200"), D("100")])

    assert parts == [D("6.67"), D("3.33")]
    assert sum(parts) == D("10.00")


def test_allocate_by_value_zero_values_split_evenly():
    assert allocate_by_value(D("1.00"), [D("0"), D("0")]) == [D("0.50"), D("0.50")]


def test_receive_purchase_order_two_deliveries_with_landed_cost_give_the_hand_computed_average(
    manager, location
):
    # given: 10 of A already on hand at 4.00
    a, b = ProductFactory(), ProductFactory()
    product_services.receive_stock(
        user=manager, product=a, location=location, quantity=D("10"), unit_cost=D("4.00")
    )
    purchase_order = ordered(manager, lines=[(a, "30", "5.00"), (b, "20", "2.50")])
    line_a, line_b = purchase_order.lines.order_by("pk")

    # when: delivery 1 = 10 A at 5.00 (value 50.00) and 20 B at 2.50 (value 50.00), freight 15.00
    first = receive(manager, purchase_order, [(line_a, "10"), (line_b, "20")], landed_cost=D("15.00"))
    a.refresh_from_db()
    b.refresh_from_db()

    # then: 7.50 each; A enters at (50 + 7.50) / 10 = 5.75, average (10 x 4 + 10 x 5.75) / 20 = 4.875
    assert [line.landed_cost_amount for line in first.lines.all()] == [D("7.50"), D("7.50")]
    assert a.cost_price == D("4.8750")
    assert b.cost_price == D("2.8750")  # (50 + 7.50) / 20, nothing was on hand
    assert PurchaseOrder.objects.get(pk=purchase_order.pk).status == Status.PARTIALLY_RECEIVED

    # when: delivery 2 = the other 20 A invoiced at 5.20, duty 10.00
    second = receive(manager, purchase_order, [(line_a, "20", "5.20")], landed_cost=D("10.00"))
    a.refresh_from_db()

    # then: A enters at (104 + 10) / 20 = 5.70; average (20 x 4.875 + 20 x 5.70) / 40 = 5.2875
    (line,) = second.lines.all()
    assert (line.unit_cost, line.landed_cost_amount) == (D("5.7000"), D("10.00"))
    assert line.price_variance_amount == D("4.00")  # (5.20 - 5.00) x 20
    assert a.cost_price == D("5.2875")
    assert StockLevel.objects.get(product=a, location=location).quantity == D("40.000")
    assert PurchaseOrder.objects.get(pk=purchase_order.pk).status == Status.RECEIVED
    assert find_ledger_mismatches() == find_document_mismatches() == []


def test_receive_purchase_order_movements_reference_the_order(manager, location):
    purchase_order = ordered(manager)

    receipt = receive(manager, purchase_order, [(purchase_order.lines.get(), "4")])

    movement = StockMovement.objects.get(pk=receipt.lines.get().movement_id)
    assert (movement.reference_type, movement.reference_id, movement.reference) == (
        "purchase_order",
        purchase_order.pk,
        purchase_order.number,
    )
    assert (movement.movement_type, movement.quantity) == ("receipt", D("4.000"))


def test_receive_purchase_order_over_receipt_is_refused_and_nothing_is_written(manager, location):
    purchase_order = ordered(manager)  # 10 ordered
    line = purchase_order.lines.get()
    receive(manager, purchase_order, [(line, "8")])

    with pytest.raises(DomainError) as refused:
        receive(manager, purchase_order, [(line, "3")])

    assert (refused.value.code, refused.value.field) == ("OVER_RECEIPT", "lines.0.quantity")
    line.refresh_from_db()
    assert line.received_quantity == D("8.000")
    assert StockLevel.objects.get(product=line.product).quantity == D("8.000")
    assert PurchaseReceiptLine.objects.count() == 1


def test_receive_purchase_order_over_receipt_allowed_by_the_manager_completes_the_order(manager, location):
    purchase_order = ordered(manager)
    line = purchase_order.lines.get()

    receive(manager, purchase_order, [(line, "12")], allow_over_receipt=True)

    line.refresh_from_db()
    assert line.received_quantity == D("12.000")
    assert PurchaseOrder.objects.get(pk=purchase_order.pk).status == Status.RECEIVED


def test_receive_purchase_order_draft_or_cancelled_is_not_receivable(manager, location):
    draft = draft_order(manager)
    cancelled = ordered(manager)
    services.cancel_purchase_order(user=manager, purchase_order_id=cancelled.pk)

    for purchase_order in (draft, cancelled):
        with pytest.raises(DomainError) as refused:
            receive(manager, purchase_order, [(purchase_order.lines.get(), "1")])
        assert refused.value.code == "PO_NOT_RECEIVABLE"
    assert not StockMovement.objects.exists()


def test_receive_purchase_order_line_of_another_order_is_not_found(manager, location):
    purchase_order, other = ordered(manager), ordered(manager)

    with pytest.raises(DomainError) as refused:
        receive(manager, purchase_order, [(other.lines.get(), "1")])

    assert (refused.value.code, refused.value.field) == ("NOT_FOUND", "lines.0.lineId")
    assert not PurchaseReceiptLine.objects.exists()
    assert not StockMovement.objects.exists()
    assert PurchaseOrder.objects.get(pk=purchase_order.pk).status == Status.ORDERED


def test_receive_purchase_order_batch_tracked_line_creates_the_batch_with_its_expiry(manager, location):
    syrup = BatchProductFactory()
    purchase_order = ordered(manager, lines=[(syrup, "6", "3.00")])
    expiry = clock.localdate() + timedelta(days=90)

    services.receive_purchase_order(
        user=manager,
        purchase_order_id=purchase_order.pk,
        lines=[ReceiveLineRequest(purchase_order.lines.get().pk, D("6"), None, "LOT-7", expiry)],
    )

    batch = Batch.objects.get(product=syrup)
    assert (batch.batch_number, batch.expiry_date, batch.quantity) == ("LOT-7", expiry, D("6.000"))


def test_receive_purchase_order_batch_tracked_without_batch_number_is_refused(manager, location):
    syrup = BatchProductFactory()
    purchase_order = ordered(manager, lines=[(syrup, "6", "3.00")])

    expiry = clock.localdate() + timedelta(days=90)

    with pytest.raises(DomainError) as refused:
        services.receive_purchase_order(
            user=manager,
            purchase_order_id=purchase_order.pk,
            lines=[ReceiveLineRequest(purchase_order.lines.get().pk, D("6"), None, None, expiry)],
        )

    assert refused.value.code == "BATCH_REQUIRED"
    assert not PurchaseReceiptLine.objects.exists()
    assert PurchaseOrder.objects.get(pk=purchase_order.pk).status == Status.ORDERED


def test_receive_purchase_order_cashier_is_refused(cashier, manager, location):
    purchase_order = ordered(manager)

    with pytest.raises(DomainError) as refused:
        receive(cashier, purchase_order, [(purchase_order.lines.get(), "1")])

    assert refused.value.code == "PERMISSION_DENIED"
    assert not PurchaseReceiptLine.objects.exists()
    assert not StockMovement.objects.exists()
    assert PurchaseOrder.objects.get(pk=purchase_order.pk).status == Status.ORDERED
