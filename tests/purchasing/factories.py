from decimal import Decimal

from purchasing import services
from purchasing.services import OrderLineRequest, ReceiveLineRequest
from tests.products.factories import ProductFactory, SupplierFactory

D = Decimal


def draft_order(user, supplier=None, lines=None, location=None):
    """A draft PO; `lines` are (product, quantity, unit_cost) with quantities and costs as strings."""
    supplier = supplier or SupplierFactory()
    lines = lines or [(ProductFactory(), "10", "2.00")]
    return services.create_purchase_order(
        user=user,
        supplier_id=supplier.pk,
        location_id=location.pk if location else None,
        lines=[OrderLineRequest(p.pk, D(qty), D(cost)) for p, qty, cost in lines],
    )


def ordered(user, **kwargs):
    purchase_order = draft_order(user, **kwargs)
    return services.order_purchase_order(user=user, purchase_order_id=purchase_order.pk)


def receive(user, purchase_order, lines, **kwargs):
    """`lines`: (order line, quantity[, unit cost]) with strings."""
    requests = [
        ReceiveLineRequest(line.pk, D(qty), D(rest[0]) if rest else None) for line, qty, *rest in lines
    ]
    return services.receive_purchase_order(
        user=user, purchase_order_id=purchase_order.pk, lines=requests, **kwargs
    )
