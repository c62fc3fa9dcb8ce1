"""Returns: quantities, exact refunds, refund routes, restock vs write-off, decided once."""

from decimal import Decimal

import pytest

from customers.checks import find_ledger_mismatches as customer_mismatches
from products.checks import find_ledger_mismatches as stock_mismatches
from products.models import StockMovement
from returns import services
from returns.models import Return
from returns.services import ReturnLineRequest
from sales import services as sale_services
from sales.checks import find_ledger_mismatches as summary_mismatches
from sales.services import PaymentRequest, SaleLineRequest, SaleRequest
from shared.errors import DomainError
from tests.sales.helpers import stock_of, world_state

pytestmark = pytest.mark.django_db
D = Decimal


def sell(user, lines, payments, **kw):
    items = [
        SaleLineRequest(product_id=p.pk, quantity=D(q), **extra)
        for p, q, *rest in lines
        for extra in [rest[0] if rest else {}]
    ]
    return sale_services.create_sale(
        user=user,
        request=SaleRequest(items=items, payments=[PaymentRequest(m, D(a)) for m, a in payments], **kw),
    ).sale


def ask(user, sale, lines, method="cash"):
    items = {i.product_id: i for i in sale.items.all()}
    requests = [ReturnLineRequest(sale_item_id=items[p.pk].pk, quantity=D(q), restock=r) for p, q, r in lines]
    return services.create_return(user=user, sale_id=sale.pk, lines=requests, refund_method=method)


def reconciled():
    return stock_mismatches() == [] and customer_mismatches() == [] and summary_mismatches() == []


def test_partial_return_restocks_and_refunds_cash(cashier, manager, shop):
    sale = sell(cashier, [(shop["soap"], "5")], [("cash", "50.00")])
    ret = ask(cashier, sale, [(shop["soap"], "2", True)])

    approved = services.approve_return(user=manager, return_id=ret.pk)

    sale.refresh_from_db()
    assert (approved.status, approved.refund_total, approved.cash_refund_amount) == (
        "approved",
        D("20.00"),
        D("20.00"),
    )
    assert sale.status == "partially_returned"
    assert stock_of(shop["soap"]) == D("47")
    assert StockMovement.objects.filter(reference_type="return", movement_type="return").count() == 1
    assert reconciled()


def test_full_return_marks_sale_returned(cashier, manager, shop):
    sale = sell(cashier, [(shop["soap"], "2")], [("cash", "20.00")])

    services.approve_return(user=manager, return_id=ask(cashier, sale, [(shop["soap"], "2", True)]).pk)

    sale.refresh_from_db()
    assert sale.status == "returned" and stock_of(shop["soap"]) == D("50")


def test_second_return_beyond_sold_quantity_refused(cashier, manager, shop):
    sale = sell(cashier, [(shop["soap"], "3")], [("cash", "30.00")])
    ask(cashier, sale, [(shop["soap"], "2", True)])
    before = world_state(), Return.objects.count()

    with pytest.raises(DomainError) as exc:
        ask(cashier, sale, [(shop["soap"], "2", True)])

    assert exc.value.code == "RETURN_QUANTITY_EXCEEDED" and "Only 1" in exc.value.message
    assert (world_state(), Return.objects.count()) == before


def test_rejected_return_frees_the_quantity(cashier, manager, shop):
    sale = sell(cashier, [(shop["soap"], "2")], [("cash", "20.00")])
    first = ask(cashier, sale, [(shop["soap"], "2", True)])

    services.reject_return(user=manager, return_id=first.pk, reason="No receipt")
    second = ask(cashier, sale, [(shop["soap"], "2", True)])

    assert second.refund_total == D("20.00")


def test_refund_exact_to_the_cent_with_discounts_and_tax(cashier, manager, shop):
    # 3 x rice at 25.00 (7.5% tax included) with a 10.00 sale discount: the line total is 65.00.
    sale = sell(manager, [(shop["rice"], "3")], [("cash", "65.00")], discount=D("10.00"))
    item = sale.items.get()
    assert item.total == D("65.00")

    one = services.approve_return(user=manager, return_id=ask(cashier, sale, [(shop["rice"], "1", True)]).pk)
    two = services.approve_return(user=manager, return_id=ask(cashier, sale, [(shop["rice"], "1", True)]).pk)
    three = services.approve_return(
        user=manager, return_id=ask(cashier, sale, [(shop["rice"], "1", True)]).pk
    )

    # 65.00 / 3 = 21.666...: cumulative rounding gives 21.67, 21.66, 21.67 and never more than paid.
    assert [r.refund_total for r in (one, two, three)] == [D("21.67"), D("21.66"), D("21.67")]
    assert one.refund_total + two.refund_total + three.refund_total == item.total


def test_refund_as_store_credit(cashier, manager, shop):
    customer = shop["regular"]
    sale = sell(cashier, [(shop["soap"], "2")], [("cash", "20.00")], customer_id=customer.pk)

    ret = services.approve_return(
        user=manager, return_id=ask(cashier, sale, [(shop["soap"], "1", True)], "store_credit").pk
    )

    customer.refresh_from_db()
    assert (ret.credit_refund_amount, ret.cash_refund_amount, customer.balance) == (
        D("10.00"),
        D("0"),
        D("-10.00"),
    )
    assert reconciled()


def test_store_credit_refund_needs_a_customer(cashier, shop):
    sale = sell(cashier, [(shop["soap"], "1")], [("cash", "10.00")])
    before = world_state()

    with pytest.raises(DomainError) as exc:
        ask(cashier, sale, [(shop["soap"], "1", True)], "store_credit")

    assert exc.value.code == "INVALID_REFUND_METHOD"
    assert world_state() == before and Return.objects.count() == 0


def test_refund_reduces_sale_debt_first(cashier, manager, shop):
    customer = shop["regular"]
    sale = sell(
        cashier, [(shop["soap"], "5")], [("part_payment", "20.00")], customer_id=customer.pk
    )  # 30.00 owed

    ret = services.approve_return(user=manager, return_id=ask(cashier, sale, [(shop["soap"], "4", True)]).pk)

    customer.refresh_from_db()
    assert (ret.refund_total, ret.debt_reduction_amount, ret.cash_refund_amount) == (
        D("40.00"),
        D("30.00"),
        D("10.00"),
    )
    assert customer.balance == D("0.00")
    assert reconciled()


def test_not_restocked_items_are_written_off(cashier, manager, shop):
    sale = sell(cashier, [(shop["soap"], "3")], [("cash", "30.00")])

    services.approve_return(user=manager, return_id=ask(cashier, sale, [(shop["soap"], "1", False)]).pk)

    write_off = StockMovement.objects.get(movement_type="write_off")
    assert (write_off.quantity, write_off.affects_stock) == (D("-1"), False)
    assert stock_of(shop["soap"]) == D("47")
    assert reconciled()


def test_restock_goes_back_to_the_batches_it_came_from(cashier, manager, shop):
    sale = sell(cashier, [(shop["syrup"], "5")], [("cash", "60.00")])  # 3 from SOON, 2 from LATER

    services.approve_return(user=manager, return_id=ask(cashier, sale, [(shop["syrup"], "4", True)]).pk)

    back = sorted(
        StockMovement.objects.filter(movement_type="return").values_list("batch__batch_number", "quantity")
    )
    assert back == [("LATER", D("1")), ("SOON", D("3"))]
    assert reconciled()


def test_approving_twice_refused(cashier, manager, shop):
    sale = sell(cashier, [(shop["soap"], "1")], [("cash", "10.00")])
    ret = ask(cashier, sale, [(shop["soap"], "1", True)])
    services.approve_return(user=manager, return_id=ret.pk)
    before = world_state()

    with pytest.raises(DomainError) as approve_again:
        services.approve_return(user=manager, return_id=ret.pk)
    with pytest.raises(DomainError) as reject_after:
        services.reject_return(user=manager, return_id=ret.pk, reason="x")

    assert approve_again.value.code == reject_after.value.code == "RETURN_ALREADY_DECIDED"
    assert world_state() == before


def test_voided_sale_cannot_be_returned(cashier, manager, shop):
    sale = sell(cashier, [(shop["soap"], "1")], [("cash", "10.00")])
    sale_services.void_sale(user=manager, sale_id=sale.pk, reason="Mistake")

    with pytest.raises(DomainError) as exc:
        ask(cashier, sale, [(shop["soap"], "1", True)])

    assert exc.value.code == "SALE_VOIDED"


def test_sale_with_returns_cannot_be_voided(cashier, manager, shop):
    sale = sell(cashier, [(shop["soap"], "2")], [("cash", "20.00")])
    services.approve_return(user=manager, return_id=ask(cashier, sale, [(shop["soap"], "1", True)]).pk)

    with pytest.raises(DomainError) as exc:
        sale_services.void_sale(user=manager, sale_id=sale.pk, reason="Too late")

    assert exc.value.code == "SALE_HAS_RETURNS"


@pytest.mark.parametrize("qty", ["0", "-1"])
def test_invalid_return_quantity(cashier, shop, qty):
    sale = sell(cashier, [(shop["soap"], "1")], [("cash", "10.00")])

    with pytest.raises(DomainError) as exc:
        ask(cashier, sale, [(shop["soap"], qty, True)])

    assert exc.value.code == "INVALID" and Return.objects.count() == 0


def test_item_of_another_sale_refused(cashier, shop):
    sale = sell(cashier, [(shop["soap"], "1")], [("cash", "10.00")])
    other = sell(cashier, [(shop["soap"], "1")], [("cash", "10.00")])

    with pytest.raises(DomainError) as exc:
        services.create_return(
            user=cashier,
            sale_id=sale.pk,
            lines=[ReturnLineRequest(sale_item_id=other.items.get().pk, quantity=D("1"))],
            refund_method="cash",
        )

    assert exc.value.code == "SALE_ITEM_NOT_IN_SALE"
