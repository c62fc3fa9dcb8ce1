from datetime import date

import pytest

from purchasing import services
from purchasing.models import PurchaseOrder
from purchasing.services import OrderLineRequest
from purchasing.services.numbering import format_po_number
from shared import clock
from tests.products.factories import ProductFactory, SupplierFactory
from tests.purchasing.factories import D, draft_order, ordered, receive

pytestmark = pytest.mark.django_db
Status = PurchaseOrder.Status


def test_create_purchase_order_valid_lines_is_an_unnumbered_draft_at_the_default_location(manager, location):
    soap, rice = ProductFactory(), ProductFactory()

    purchase_order = draft_order(manager, lines=[(soap, "10", "2.50"), (rice, "4", "12.0000")])

    assert purchase_order.status == Status.DRAFT
    assert purchase_order.number is None
    assert purchase_order.location == location
    assert [(line.product, line.quantity, line.unit_cost) for line in purchase_order.lines.all()] == [
        (soap, D("10.000"), D("2.5000")),
        (rice, D("4.000"), D("12.0000")),
    ]


def test_create_purchase_order_bad_lines_lists_every_error_and_writes_nothing(manager, location):
    soap = ProductFactory()
    archived = ProductFactory(is_active=False)
    lines = [
        OrderLineRequest(soap.pk, D("1"), D("1.00")),
        OrderLineRequest(soap.pk, D("1"), D("1.00")),
        OrderLineRequest(archived.pk, D("1"), D("1.00")),
        OrderLineRequest(999999, D("1"), D("1.00")),
    ]

    with pytest.raises(services.orders.DomainError) as refused:
        services.create_purchase_order(user=manager, supplier_id=SupplierFactory().pk, lines=lines)

    assert [(e.code, e.field) for e in refused.value.errors] == [
        ("INVALID", "lines.1.productId"),
        ("INVALID", "lines.2.productId"),
        ("NOT_FOUND", "lines.3.productId"),
    ]
    assert not PurchaseOrder.objects.exists()


def test_create_purchase_order_inactive_supplier_is_refused(manager, location):
    with pytest.raises(services.orders.DomainError) as refused:
        draft_order(manager, supplier=SupplierFactory(is_active=False))

    assert refused.value.code == "SUPPLIER_INACTIVE"
    assert not PurchaseOrder.objects.exists()


def test_create_purchase_order_cashier_is_refused(cashier, location):
    with pytest.raises(services.orders.DomainError) as refused:
        draft_order(cashier)

    assert refused.value.code == "PERMISSION_DENIED"
    assert not PurchaseOrder.objects.exists()


def test_order_purchase_order_numbers_are_gapless_per_year_in_order_of_ordering(manager, location):
    first, second, third = draft_order(manager), draft_order(manager), draft_order(manager)
    services.cancel_purchase_order(user=manager, purchase_order_id=second.pk)  # a dropped draft: no number

    numbers = [
        services.order_purchase_order(user=manager, purchase_order_id=po.pk).number for po in (third, first)
    ]

    year = clock.localdate().year
    assert numbers == [format_po_number(year, 1), format_po_number(year, 2)]
    assert PurchaseOrder.objects.get(pk=second.pk).number is None


def test_order_purchase_order_twice_is_refused_and_keeps_the_number(manager, location):
    purchase_order = ordered(manager)

    with pytest.raises(services.orders.DomainError) as refused:
        services.order_purchase_order(user=manager, purchase_order_id=purchase_order.pk)

    assert refused.value.code == "PO_NOT_EDITABLE"
    purchase_order.refresh_from_db()
    assert purchase_order.number.endswith("-00001")


def test_update_purchase_order_lines_draft_replaces_the_lines(manager, location):
    purchase_order = draft_order(manager)
    tea = ProductFactory()

    services.update_purchase_order_lines(
        user=manager, purchase_order_id=purchase_order.pk, lines=[OrderLineRequest(tea.pk, D("3"), D("1.10"))]
    )

    assert [(line.product, line.quantity) for line in purchase_order.lines.all()] == [(tea, D("3.000"))]


def test_update_purchase_order_lines_ordered_is_po_not_editable(manager, location):
    purchase_order = ordered(manager)
    before = list(purchase_order.lines.values_list("product_id", "quantity"))

    with pytest.raises(services.orders.DomainError) as refused:
        services.update_purchase_order_lines(
            user=manager,
            purchase_order_id=purchase_order.pk,
            lines=[OrderLineRequest(ProductFactory().pk, D("3"), D("1.10"))],
        )

    assert refused.value.code == "PO_NOT_EDITABLE"
    assert list(purchase_order.lines.values_list("product_id", "quantity")) == before


def test_cancel_purchase_order_ordered_without_receipts_is_cancelled(manager, location):
    purchase_order = ordered(manager)

    services.cancel_purchase_order(user=manager, purchase_order_id=purchase_order.pk)

    purchase_order.refresh_from_db()
    assert purchase_order.status == Status.CANCELLED
    assert purchase_order.cancelled_at is not None


def test_cancel_purchase_order_after_a_receipt_is_refused(manager, location):
    purchase_order = ordered(manager)
    receive(manager, purchase_order, [(purchase_order.lines.get(), "1")])

    with pytest.raises(services.orders.DomainError) as refused:
        services.cancel_purchase_order(user=manager, purchase_order_id=purchase_order.pk)

    assert refused.value.code == "PO_NOT_CANCELLABLE"
    assert PurchaseOrder.objects.get(pk=purchase_order.pk).status == Status.PARTIALLY_RECEIVED


def test_order_purchase_order_missing_is_not_found(manager):
    with pytest.raises(services.orders.DomainError) as refused:
        services.order_purchase_order(user=manager, purchase_order_id=123456)

    assert (refused.value.code, refused.value.field) == ("NOT_FOUND", "purchaseOrderId")


def test_create_purchase_order_quantities_are_validated(manager, location):
    with pytest.raises(services.orders.DomainError) as refused:
        draft_order(manager, lines=[(ProductFactory(), "0", "1.00")])

    assert (refused.value.code, refused.value.field) == ("INVALID", "lines.0.quantity")


def test_create_purchase_order_expected_on_out_of_range_is_refused(manager, location):
    with pytest.raises(services.orders.DomainError) as refused:
        services.create_purchase_order(
            user=manager,
            supplier_id=SupplierFactory().pk,
            lines=[OrderLineRequest(ProductFactory().pk, D("1"), D("1.00"))],
            expected_on=date(1, 1, 1),
        )

    assert (refused.value.code, refused.value.field) == ("OUT_OF_RANGE", "expectedOn")
