"""Demo returns: one approved (restocked, refunded in cash) and one waiting for a manager."""

from accounts.models import User
from returns import services
from returns.models import Return
from returns.services import ReturnLineRequest
from sales.models import Sale


def seed(stdout) -> None:
    if Return.objects.exists():
        return
    cashier = User.objects.filter(role="cashier").first()
    manager = User.objects.filter(role="manager").first()
    sales = list(Sale.objects.filter(status="completed").prefetch_related("items").order_by("pk")[:2])
    if not cashier or not manager or len(sales) < 2:
        return
    approved, pending = sales
    first_item = approved.items.all()[0]
    ret = services.create_return(
        user=cashier,
        sale_id=approved.pk,
        lines=[
            ReturnLineRequest(sale_item_id=first_item.pk, quantity=first_item.quantity, reason="Wrong size")
        ],
        refund_method="cash",
    )
    services.approve_return(user=manager, return_id=ret.pk, note="Unopened, back on the shelf")
    item = pending.items.all()[0]
    services.create_return(
        user=cashier,
        sale_id=pending.pk,
        lines=[
            ReturnLineRequest(sale_item_id=item.pk, quantity=item.quantity, reason="Damaged", restock=False)
        ],
        refund_method="cash",
        note="Customer says the box was crushed",
    )
    stdout.write("  returns: one approved, one pending for a manager")
