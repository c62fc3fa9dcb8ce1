from datetime import timedelta

import pytest

from products import services as product_services
from products.checks import find_ledger_mismatches
from products.models import Batch, StockLevel, StockMovement
from purchasing import selectors, services
from purchasing.checks import find_ledger_mismatches as find_document_mismatches
from purchasing.models import StockTransfer, SupplierReturn
from purchasing.services import ArrivalRequest, SupplierReturnLineRequest, TransferLineRequest
from shared import clock
from shared.errors import DomainError
from tests.products.factories import BatchProductFactory, LocationFactory, ProductFactory, SupplierFactory
from tests.purchasing.factories import D

pytestmark = pytest.mark.django_db


@pytest.fixture
def syrup(manager, location):
    """Batch-tracked: EXPIRED (4 at 2.00, past its date) and GOOD (6 at 3.00) at the default location."""
    product = BatchProductFactory()
    for number, qty, cost in (("EXPIRED", "4", "2.00"), ("GOOD", "6", "3.00")):
        product_services.receive_stock(
            user=manager,
            product=product,
            location=location,
            quantity=D(qty),
            unit_cost=D(cost),
            batch_number=number,
            expiry_date=clock.localdate() + timedelta(days=30),
        )
    Batch.objects.filter(batch_number="EXPIRED").update(expiry_date=clock.localdate() - timedelta(days=1))
    return product


def _plain(manager, location, quantity, cost="2.00"):
    product = ProductFactory()
    product_services.receive_stock(
        user=manager, product=product, location=location, quantity=D(quantity), unit_cost=D(cost)
    )
    return product


def test_return_to_supplier_expired_batch_removes_exactly_that_batch_and_expects_its_credit(
    manager, location, syrup
):
    expired = Batch.objects.get(batch_number="EXPIRED")

    supplier_return = services.return_to_supplier(
        user=manager,
        supplier_id=SupplierFactory().pk,
        lines=[SupplierReturnLineRequest(syrup.pk, D("4"), "expired", batch_id=expired.pk)],
    )

    assert dict(Batch.objects.values_list("batch_number", "quantity")) == {"EXPIRED": D("0"), "GOOD": D("6")}
    assert StockLevel.objects.get(product=syrup, location=location).quantity == D("6")
    (line,) = supplier_return.lines.all()
    assert (line.unit_cost, line.credit_amount) == (D("2.0000"), D("8.00"))
    assert supplier_return.credit_expected_amount == D("8.00")
    movement = line.movement
    assert (movement.quantity, movement.batch_id, movement.reference_type, movement.reference_id) == (
        D("-4"),
        expired.pk,
        "supplier_return",
        supplier_return.pk,
    )
    assert find_ledger_mismatches() == []


def test_return_to_supplier_more_than_in_stock_is_refused_and_nothing_changes(manager, location):
    soap, tea = _plain(manager, location, "10"), _plain(manager, location, "3")

    with pytest.raises(DomainError) as refused:
        services.return_to_supplier(
            user=manager,
            supplier_id=SupplierFactory().pk,
            lines=[
                SupplierReturnLineRequest(soap.pk, D("2"), "damaged"),
                SupplierReturnLineRequest(tea.pk, D("5"), "damaged"),
            ],
        )

    assert (refused.value.code, refused.value.field) == ("INSUFFICIENT_STOCK", "lines.1.quantity")
    assert StockLevel.objects.get(product=soap).quantity == D("10")
    assert not SupplierReturn.objects.exists()


def test_return_to_supplier_batch_tracked_without_batch_or_reason_is_refused(manager, location, syrup):
    with pytest.raises(DomainError) as refused:
        services.return_to_supplier(
            user=manager,
            supplier_id=SupplierFactory().pk,
            lines=[
                SupplierReturnLineRequest(syrup.pk, D("1"), "damaged"),
                SupplierReturnLineRequest(syrup.pk, D("1"), " "),
            ],
        )

    assert [(e.code, e.field) for e in refused.value.errors] == [
        ("BATCH_REQUIRED", "lines.0.batchId"),
        ("REQUIRED", "lines.1.reason"),
    ]
    assert not SupplierReturn.objects.exists()
    assert dict(Batch.objects.values_list("batch_number", "quantity")) == {"EXPIRED": D("4"), "GOOD": D("6")}


def test_send_transfer_stock_is_in_transit_valued_and_arrives_with_a_recorded_discrepancy(manager, location):
    warehouse = LocationFactory()
    tea = _plain(manager, location, "10", "2.50")

    transfer = services.send_transfer(
        user=manager,
        from_location_id=None,
        to_location_id=warehouse.pk,
        lines=[TransferLineRequest(tea.pk, D("6"))],
    )

    # on the road: gone from the shop, not yet at the warehouse, still valued
    assert StockLevel.objects.get(product=tea, location=location).quantity == D("4")
    assert not StockLevel.objects.filter(product=tea, location=warehouse, quantity__gt=0).exists()
    assert selectors.in_transit_value() == D("15.00")
    (line,) = transfer.lines.all()

    services.receive_transfer(
        user=manager, transfer_id=transfer.pk, arrivals=[ArrivalRequest(line.pk, D("5"))], note="box torn"
    )

    line.refresh_from_db()
    assert (line.quantity_received, line.discrepancy) == (D("5"), D("1"))
    assert StockLevel.objects.get(product=tea, location=warehouse).quantity == D("5")
    assert selectors.in_transit_value() == D("0.00")
    write_off = StockMovement.objects.get(movement_type="write_off", reference_id=transfer.pk)
    assert (write_off.quantity, write_off.unit_cost, write_off.location) == (D("-1"), D("2.5000"), warehouse)
    assert StockTransfer.objects.get(pk=transfer.pk).status == StockTransfer.Status.RECEIVED
    assert find_ledger_mismatches() == find_document_mismatches() == []


def test_send_transfer_batch_tracked_arrives_in_the_same_batch_never_from_an_expired_one(
    manager, location, syrup
):
    warehouse = LocationFactory()

    transfer = services.send_transfer(
        user=manager,
        from_location_id=None,
        to_location_id=warehouse.pk,
        lines=[TransferLineRequest(syrup.pk, D("2"))],
    )
    services.receive_transfer(user=manager, transfer_id=transfer.pk)

    arrived = Batch.objects.get(location=warehouse)
    assert (arrived.batch_number, arrived.quantity, arrived.unit_cost) == ("GOOD", D("2"), D("3.0000"))
    assert Batch.objects.get(location=location, batch_number="EXPIRED").quantity == D("4")


def test_send_transfer_shortage_is_refused_on_lines(manager, location):
    tea = _plain(manager, location, "1")

    with pytest.raises(DomainError) as refused:
        services.send_transfer(
            user=manager,
            from_location_id=None,
            to_location_id=LocationFactory().pk,
            lines=[TransferLineRequest(tea.pk, D("2"))],
        )

    assert (refused.value.code, refused.value.field) == ("INSUFFICIENT_STOCK", "lines")
    assert not StockTransfer.objects.exists()
    assert StockLevel.objects.get(product=tea, location=location).quantity == D("1")


def test_receive_transfer_twice_or_more_than_sent_is_refused(manager, location):
    tea = _plain(manager, location, "5")
    warehouse = LocationFactory()
    transfer = services.send_transfer(
        user=manager,
        from_location_id=None,
        to_location_id=warehouse.pk,
        lines=[TransferLineRequest(tea.pk, D("2"))],
    )
    line = transfer.lines.get()

    with pytest.raises(DomainError) as too_many:
        services.receive_transfer(
            user=manager, transfer_id=transfer.pk, arrivals=[ArrivalRequest(line.pk, D("3"))]
        )
    assert StockTransfer.objects.get(pk=transfer.pk).status == transfer.status
    assert not StockLevel.objects.filter(product=tea, location=warehouse, quantity__gt=0).exists()
    services.receive_transfer(user=manager, transfer_id=transfer.pk)
    movements = StockMovement.objects.count()
    with pytest.raises(DomainError) as twice:
        services.receive_transfer(user=manager, transfer_id=transfer.pk)

    assert too_many.value.code == "RECEIVED_MORE_THAN_SENT"
    assert twice.value.code == "TRANSFER_ALREADY_RECEIVED"
    assert StockMovement.objects.count() == movements
    assert StockLevel.objects.get(product=tea, location=warehouse).quantity == D("2")


def test_check_ledgers_transfer_whose_lines_disagree_with_its_movements_is_reported(manager, location):
    tea = _plain(manager, location, "5")
    transfer = services.send_transfer(
        user=manager,
        from_location_id=None,
        to_location_id=LocationFactory().pk,
        lines=[TransferLineRequest(tea.pk, D("2"))],
    )
    assert find_document_mismatches() == []

    transfer.lines.update(quantity_sent=D("3"))

    assert find_document_mismatches() == [f"transfer {transfer.pk}: 3.000 sent, movements out sum to 2.000"]
