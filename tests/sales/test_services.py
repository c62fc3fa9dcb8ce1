"""create_sale / void_sale / price_sale: every money rule, and refusals that change nothing."""

from dataclasses import replace
from decimal import Decimal

import pytest

from customers.checks import find_ledger_mismatches as customer_mismatches
from products.checks import find_ledger_mismatches as stock_mismatches
from products.models import StockMovement
from sales import services
from sales.checks import find_ledger_mismatches as summary_mismatches
from sales.models import Sale
from sales.services import PaymentRequest, SaleLineRequest, SaleRequest
from shared.errors import DomainError
from tests.sales.helpers import stock_of, world_state

pytestmark = pytest.mark.django_db
D = Decimal


def line(product, qty="1", **kw):
    return SaleLineRequest(product_id=product.pk, quantity=D(qty), **kw)


def pay(method, amount, **kw):
    return PaymentRequest(method=method, amount=D(amount), **kw)


def sell(user, items, payments, **kw):
    return services.create_sale(user=user, request=SaleRequest(items=items, payments=payments, **kw)).sale


def refused(user, items, payments, **kw) -> DomainError:
    before = world_state()
    with pytest.raises(DomainError) as exc:
        sell(user, items, payments, **kw)
    assert world_state() == before, "a refused sale changed the database"
    return exc.value


def reconciled():
    return stock_mismatches() == [] and customer_mismatches() == [] and summary_mismatches() == []


def test_cash_sale_prices_from_catalogue_and_deducts_stock(cashier, shop):
    sale = sell(cashier, [line(shop["soap"], "2")], [pay("cash", "20.00", balance=D("0.00"))])

    assert (sale.total, sale.amount_paid, sale.change, sale.amount_on_account) == (
        D("20.00"),
        D("20.00"),
        D("0"),
        D("0"),
    )
    assert sale.transaction_id.startswith("S") and sale.status == "completed"
    assert stock_of(shop["soap"]) == D("48")
    item = sale.items.get()
    assert (item.unit_price, item.unit_cost, item.total) == (D("10.00"), D("6.0000"), D("20.00"))
    movement = StockMovement.objects.get(reference_type="sale", reference_id=sale.pk)
    assert (movement.quantity, movement.reference) == (D("-2"), sale.transaction_id)
    assert reconciled()


def test_split_tender_cash_and_card_with_change(cashier, shop):
    sale = sell(cashier, [line(shop["rice"], "2")], [pay("card", "30.00"), pay("cash", "30.00")])

    assert (sale.total, sale.change, sale.amount_paid) == (D("50.00"), D("10.00"), D("60.00"))
    assert sorted(sale.payments.values_list("method", "amount")) == [
        ("card", D("30.00")),
        ("cash", D("30.00")),
    ]


def test_tax_inclusive_line_tax(cashier, shop):
    sale = sell(cashier, [line(shop["rice"], "1")], [pay("cash", "25.00")])

    # 25.00 includes 7.5% tax: 25.00 * 0.075 / 1.075 = 1.744... -> 1.74
    assert (sale.tax_total, sale.total) == (D("1.74"), D("25.00"))


def test_wholesale_sale_uses_wholesale_price(manager, shop):
    sale = sell(manager, [line(shop["rice"], "3")], [pay("transfer", "60.00")], sale_type="wholesale")

    assert sale.total == D("60.00")


def test_part_payment_puts_remainder_on_account(cashier, shop):
    customer = shop["regular"]

    sale = sell(cashier, [line(shop["soap"], "5")], [pay("part_payment", "20.00")], customer_id=customer.pk)

    customer.refresh_from_db()
    assert (sale.amount_on_account, customer.balance) == (D("30.00"), D("30.00"))
    assert customer.ledger_entries.get().reference == sale.transaction_id
    assert reconciled()


def test_credit_method_charges_whole_total(cashier, shop):
    sale = sell(cashier, [line(shop["soap"], "3")], [pay("credit", "30.00")], customer_id=shop["regular"].pk)

    assert sale.amount_on_account == D("30.00")


def test_credit_without_customer_refused(cashier, shop):
    error = refused(cashier, [line(shop["soap"])], [pay("credit", "10.00")])

    assert error.code == "CUSTOMER_REQUIRED"


def test_credit_over_limit_refused_and_nothing_written(cashier, shop):
    error = refused(
        cashier, [line(shop["soap"], "11")], [pay("credit", "110.00")], customer_id=shop["regular"].pk
    )

    assert error.code == "CREDIT_LIMIT_EXCEEDED"
    assert "100.00" in error.message


def test_cash_overpayment_kept_as_credit_when_asked(cashier, shop):
    customer = shop["regular"]

    sale = sell(
        cashier,
        [line(shop["soap"])],
        [pay("cash", "15.00")],
        customer_id=customer.pk,
        keep_change_as_credit=True,
    )

    customer.refresh_from_db()
    assert (sale.change, sale.credit_created, customer.balance) == (D("0"), D("5.00"), D("-5.00"))


def test_card_overpayment_becomes_credit(cashier, shop):
    customer = shop["regular"]

    sale = sell(cashier, [line(shop["soap"])], [pay("card", "12.00")], customer_id=customer.pk)

    customer.refresh_from_db()
    assert (sale.change, sale.credit_created, customer.balance) == (D("0"), D("2.00"), D("-2.00"))


def test_store_credit_spends_existing_credit(cashier, shop):
    customer = shop["in_credit"]

    sale = sell(cashier, [line(shop["soap"], "2")], [pay("store_credit", "20.00")], customer_id=customer.pk)

    customer.refresh_from_db()
    assert (sale.credit_applied, customer.balance) == (D("20.00"), D("-10.00"))
    assert reconciled()


def test_store_credit_beyond_what_is_held_refused(cashier, shop):
    error = refused(
        cashier, [line(shop["soap"], "4")], [pay("store_credit", "40.00")], customer_id=shop["in_credit"].pk
    )

    assert error.code == "INSUFFICIENT_STORE_CREDIT"


def test_balance_mismatch_refused(cashier, shop):
    error = refused(
        cashier,
        [line(shop["soap"], "2")],
        [pay("cash", "15.00", balance=D("0.00"))],
        customer_id=shop["regular"].pk,
    )

    assert error.code == "BALANCE_MISMATCH"


def test_cashier_price_override_refused_manager_allowed(cashier, manager, shop):
    error = refused(cashier, [line(shop["soap"], unit_price=D("8.00"))], [pay("cash", "8.00")])
    sale = sell(manager, [line(shop["soap"], unit_price=D("8.00"))], [pay("cash", "8.00")])

    assert error.code == "PRICE_OVERRIDE_NOT_ALLOWED"
    assert sale.items.get().is_price_override and sale.total == D("8.00")


def test_unit_price_equal_to_catalogue_is_not_an_override(cashier, shop):
    sale = sell(cashier, [line(shop["soap"], "2", unit_price=D("10.00"))], [pay("cash", "20.00")])

    assert not sale.items.get().is_price_override


def test_cashier_discount_cap(cashier, manager, shop, settings):
    settings.CASHIER_MAX_DISCOUNT_PERCENT = "10"

    allowed = sell(cashier, [line(shop["soap"], "10")], [pay("cash", "90.00")], discount=D("10.00"))
    error = refused(cashier, [line(shop["soap"], "10")], [pay("cash", "89.99")], discount=D("10.01"))
    by_manager = sell(manager, [line(shop["soap"], "10")], [pay("cash", "50.00")], discount=D("50.00"))

    assert allowed.total == D("90.00")
    assert error.code == "DISCOUNT_NOT_ALLOWED"
    assert by_manager.discount_total == D("50.00")


def test_insufficient_stock_lists_every_short_line(cashier, shop):
    error = refused(cashier, [line(shop["soap"], "51"), line(shop["rice"], "51")], [pay("cash", "2000.00")])

    assert error.code == "INSUFFICIENT_STOCK"
    assert {s["product_id"] for s in error.params["shortages"]} == {shop["soap"].pk, shop["rice"].pk}


def test_same_product_on_two_lines_counts_together(cashier, shop):
    error = refused(cashier, [line(shop["soap"], "30"), line(shop["soap"], "21")], [pay("cash", "510.00")])

    assert error.code == "INSUFFICIENT_STOCK"


def test_batches_first_expiry_first_out_never_expired(cashier, shop):
    sale = sell(cashier, [line(shop["syrup"], "5")], [pay("cash", "60.00")])

    draws = list(sale.items.get().batches.order_by("pk").values_list("batch__batch_number", "quantity"))
    assert draws == [("SOON", D("3")), ("LATER", D("2"))]
    # 3 x 5.00 + 2 x 6.00 = 27.00 over 5 units
    assert sale.items.get().unit_cost == D("5.4000")


def test_expired_batch_stock_is_not_sellable(cashier, shop):
    error = refused(cashier, [line(shop["syrup"], "14")], [pay("cash", "168.00")])

    assert error.code == "INSUFFICIENT_STOCK"
    assert error.params["shortages"][0]["available"] == D("13")


@pytest.mark.parametrize(
    "items_kw,field",
    [
        ({"qty": "0"}, "items.0.quantity"),
        ({"qty": "-1"}, "items.0.quantity"),
        ({"qty": "1.0001"}, "items.0.quantity"),
    ],
)
def test_invalid_quantities_refused(cashier, shop, items_kw, field):
    error = refused(cashier, [line(shop["soap"], items_kw["qty"])], [pay("cash", "10.00")])

    assert (error.code, error.field) == ("INVALID", field)


def test_unknown_and_archived_products_refused(cashier, manager, shop):
    from products.services import catalogue

    catalogue.archive_product(user=manager, product=shop["rice"])

    error = refused(
        cashier,
        [SaleLineRequest(product_id=999999, quantity=D("1")), line(shop["rice"])],
        [pay("cash", "35.00")],
    )

    assert [(e.code, e.field) for e in error.errors] == [
        ("NOT_FOUND", "items.0.productId"),
        ("PRODUCT_ARCHIVED", "items.1.productId"),
    ]


def test_empty_cart_refused(cashier, shop):
    assert refused(cashier, [], [pay("cash", "0.00")]).field == "items"


def test_idempotent_retry_returns_first_sale(cashier, shop):
    request = SaleRequest(
        items=[line(shop["soap"], "2")], payments=[pay("cash", "20.00")], idempotency_key="till-1-0001"
    )

    first = services.create_sale(user=cashier, request=request)
    again = services.create_sale(user=cashier, request=request)

    assert (again.sale.pk, again.replayed, first.replayed) == (first.sale.pk, True, False)
    assert Sale.objects.count() == 1 and stock_of(shop["soap"]) == D("48")


def test_a_retry_after_the_last_unit_was_sold_is_still_answered_with_its_sale(cashier, manager, shop):
    # The retry's own attempt is refused (no stock left); the key it carries makes it a replay.
    request = SaleRequest(
        items=[line(shop["soap"], "50")], payments=[pay("cash", "500.00")], idempotency_key="till-1-0009"
    )
    first = services.create_sale(user=cashier, request=request)
    assert stock_of(shop["soap"]) == D("0")

    again = services.create_sale(user=cashier, request=request)
    other = replace(request, items=[line(shop["soap"], "1")])

    assert (again.sale.pk, again.replayed) == (first.sale.pk, True)
    with pytest.raises(DomainError) as refused:
        services.create_sale(user=cashier, request=other)
    assert refused.value.code == "IDEMPOTENCY_KEY_REUSED"
    assert Sale.objects.count() == 1 and stock_of(shop["soap"]) == D("0")


def test_idempotency_key_reused_with_other_input_refused(cashier, shop):
    sell(cashier, [line(shop["soap"], "2")], [pay("cash", "20.00")], idempotency_key="till-1-0002")

    error = refused(cashier, [line(shop["soap"], "3")], [pay("cash", "30.00")], idempotency_key="till-1-0002")

    assert error.code == "IDEMPOTENCY_KEY_REUSED"


def test_price_sale_computes_without_writing(cashier, shop):
    before = world_state()

    quote = services.price_sale(
        user=cashier,
        request=SaleRequest(
            items=[line(shop["soap"], "60"), line(shop["rice"], "1")], payments=[pay("cash", "700.00")]
        ),
    )

    assert world_state() == before
    assert (quote.priced.total, quote.priced.change) == (D("625.00"), D("75.00"))
    assert quote.shortages == [
        {"product_id": shop["soap"].pk, "requested": D("60.000"), "available": D("50.000")}
    ]


def test_void_restores_stock_and_reverses_account(cashier, manager, shop):
    customer = shop["regular"]
    sale = sell(
        cashier,
        [line(shop["soap"], "2"), line(shop["syrup"], "4")],
        [pay("part_payment", "30.00")],
        customer_id=customer.pk,
    )

    services.void_sale(user=manager, sale_id=sale.pk, reason="Customer changed their mind")

    sale.refresh_from_db()
    customer.refresh_from_db()
    assert (sale.status, sale.voided_by, customer.balance) == ("voided", manager, D("0.00"))
    assert stock_of(shop["soap"]) == D("50") and stock_of(shop["syrup"]) == D("18")
    assert StockMovement.objects.filter(reference_id=sale.pk, movement_type="void").count() == 3
    assert reconciled()


def test_void_of_store_credit_sale_gives_credit_back(cashier, manager, shop):
    customer = shop["in_credit"]
    sale = sell(cashier, [line(shop["soap"])], [pay("store_credit", "10.00")], customer_id=customer.pk)

    services.void_sale(user=manager, sale_id=sale.pk, reason="Wrong customer")

    customer.refresh_from_db()
    assert customer.balance == D("-30.00")
    assert reconciled()


def test_void_twice_refused(cashier, manager, shop):
    sale = sell(cashier, [line(shop["soap"])], [pay("cash", "10.00")])
    services.void_sale(user=manager, sale_id=sale.pk, reason="Test")
    before = world_state()

    with pytest.raises(DomainError) as exc:
        services.void_sale(user=manager, sale_id=sale.pk, reason="Again")

    assert exc.value.code == "SALE_ALREADY_VOIDED"
    assert world_state() == before


def test_void_needs_a_reason(manager, cashier, shop):
    sale = sell(cashier, [line(shop["soap"])], [pay("cash", "10.00")])
    before = world_state()

    with pytest.raises(DomainError) as exc:
        services.void_sale(user=manager, sale_id=sale.pk, reason=" ")

    assert exc.value.code == "REQUIRED"
    assert world_state() == before
    sale.refresh_from_db()
    assert sale.status == "completed" and sale.voided_by is None


def test_price_sale_without_payments_prices_the_cart(cashier, shop):
    quote = services.price_sale(
        user=cashier, request=SaleRequest(items=[line(shop["rice"], "2")], payments=[])
    )

    assert (quote.priced.total, quote.amount_due, quote.priced.change) == (D("50.00"), D("50.00"), D("0"))


def test_create_sale_without_payment_and_without_customer_refused(cashier, shop):
    error = refused(cashier, [line(shop["soap"])], [])

    assert (error.code, error.field) == ("PAYMENT_SHORT", "payments")
