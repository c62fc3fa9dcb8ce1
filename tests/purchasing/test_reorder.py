import pytest

from products import services as product_services
from products.services import StockRequest
from purchasing import services
from purchasing.models import PurchaseOrder
from purchasing.reorder import reorder_suggestions
from shared.errors import DomainError
from tests.products.factories import ProductFactory, SupplierFactory
from tests.purchasing.factories import D, ordered

pytestmark = pytest.mark.django_db


def _stocked(manager, location, quantity, **fields):
    product = ProductFactory(**fields)
    product_services.receive_stock(
        user=manager, product=product, location=location, quantity=D(quantity), unit_cost=D("2.00")
    )
    return product


def _sell(user, location, product, quantity):
    product_services.deduct_stock(
        user=user,
        location=location,
        requests=[StockRequest(product.pk, D(quantity))],
        reference_type="sale",
        reference_id=None,
    )


def test_reorder_suggestions_count_level_velocity_stock_and_what_is_on_order(manager, cashier, location):
    supplier = SupplierFactory()
    tea = _stocked(manager, location, "40", supplier=supplier, reorder_level=D("10"))
    _sell(cashier, location, tea, "30")  # 30 in 30 days: 1 a day; 10 left
    _stocked(manager, location, "50", supplier=supplier, reorder_level=D("10"))  # plenty: no suggestion
    ordered(manager, supplier=supplier, lines=[(tea, "5", "2.00")])  # 5 already on the way

    (suggestion,) = reorder_suggestions(location_id=location.pk, days=30, cover_days=14)

    # target 10 + 1 x 14 = 24; have 10 + 5 on order; suggest 9
    assert suggestion.product == tea
    assert (suggestion.on_hand, suggestion.on_order, suggestion.sold) == (D("10"), D("5"), D("30"))
    assert (suggestion.daily_sales, suggestion.suggested_quantity) == (D("1.000"), D("9"))


def test_draft_purchase_orders_from_suggestions_one_draft_per_supplier(manager, location):
    first, second = SupplierFactory(), SupplierFactory()
    tea = _stocked(manager, location, "1", supplier=first, reorder_level=D("5"))
    rice = _stocked(manager, location, "2", supplier=second, reorder_level=D("5"))

    orders = services.draft_purchase_orders_from_suggestions(user=manager, location_id=location.pk)

    assert [(po.supplier, po.status) for po in orders] == [
        (first, PurchaseOrder.Status.DRAFT),
        (second, PurchaseOrder.Status.DRAFT),
    ]
    assert [(line.product, line.quantity, line.unit_cost) for po in orders for line in po.lines.all()] == [
        (tea, D("4"), D("2.0000")),
        (rice, D("3"), D("2.0000")),
    ]


def test_draft_purchase_orders_from_suggestions_nothing_low_is_refused(manager, location):
    _stocked(manager, location, "50", supplier=SupplierFactory(), reorder_level=D("5"))

    with pytest.raises(DomainError) as refused:
        services.draft_purchase_orders_from_suggestions(user=manager, location_id=location.pk)

    assert refused.value.code == "NOTHING_TO_REORDER"
    assert not PurchaseOrder.objects.exists()
