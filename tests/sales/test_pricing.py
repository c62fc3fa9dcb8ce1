"""Pure unit tests of sales.pricing: every figure below is worked out by hand in the comments."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sales.choices import PaymentMethod
from sales.error_codes import SaleErrorCode
from sales.pricing import (
    MAX_PAYMENTS,
    PricedCart,
    PricedLineInput,
    PricedSale,
    TenderInput,
    allocate_proportionally,
    check_cashier_limits,
    discount_percent,
    normalize_payment_method,
    price_cart,
    price_sale,
    settle_payments,
)
from shared.errors import DomainError

D = Decimal
NO_TAX = D("0")
VAT = D("0.075")


def line(
    price: str, qty: str = "1", *, rate: Decimal = NO_TAX, override: str | None = None, discount: str = "0"
):
    return PricedLineInput(
        product_id=1,
        quantity=D(qty),
        catalogue_unit_price=D(price),
        tax_rate=rate,
        unit_price_override=None if override is None else D(override),
        line_discount=D(discount),
    )


def cash(amount: str, balance: str | None = None) -> TenderInput:
    return TenderInput("cash", D(amount), None if balance is None else D(balance))


def pay(method: str, amount: str, balance: str | None = None, reference: str = "") -> TenderInput:
    return TenderInput(method, D(amount), None if balance is None else D(balance), reference)


def sale(lines, payments, *, discount="0", include_tax=True, customer=False, store_credit="0", keep=False):
    return price_sale(
        lines,
        discount=D(discount),
        prices_include_tax=include_tax,
        payments=payments,
        keep_change_as_credit=keep,
        has_customer=customer,
        customer_store_credit_available=D(store_credit),
        max_items=200,
    )


def settle(total: str, payments, *, customer=False, store_credit="0", keep=False):
    return settle_payments(
        D(total),
        payments,
        keep_change_as_credit=keep,
        has_customer=customer,
        customer_store_credit_available=D(store_credit),
    )


def refusal(excinfo) -> tuple[str, str | None]:
    return excinfo.value.code, excinfo.value.field


def assert_settles(result, total: Decimal) -> None:
    assert (
        result.amount_paid
        - result.change
        + result.credit_applied
        + result.amount_on_account
        - (result.credit_created)
        == total
    )
    assert (
        sum((p.applied for p in result.payments), D("0"))
        + max(total - sum((p.amount for p in result.payments), D("0")), D("0"))
        == total
    )


# --- lines, discounts, tax -------------------------------------------------------------------------


def test_price_sale_seed_example_two_at_ten_paid_in_cash_exactly():
    # 2 x 10.00 = 20.00; cash 20.00 leaves 0.00; no change.
    result = sale([line("10.00", "2", override="10.00")], [cash("20.00", "0.00")], customer=True)

    assert isinstance(result, PricedSale)
    assert (result.subtotal, result.discount_total, result.total) == (D("20.00"), D("0.00"), D("20.00"))
    assert result.lines[0].is_price_override is False
    assert (result.amount_paid, result.change, result.amount_on_account) == (D("20.00"), D("0.00"), D("0.00"))
    assert result.payments[0].balance == D("0.00")


def test_price_cart_sale_discount_spread_exactly_with_remainder_on_largest_line():
    # Three lines of 3.33 = 9.99; a 10 % discount typed at the till is q(0.999) = 1.00.
    # Each share is q(1.00 * 3.33 / 9.99) = q(0.3333) = 0.33 -> 0.99; the remainder 0.01 goes to the
    # largest line (first on a tie): 0.34 + 0.33 + 0.33 = 1.00. Line totals 2.99 + 3.00 + 3.00 = 8.99.
    cart = price_cart([line("3.33")] * 3, discount=D("1.00"), prices_include_tax=False, max_items=200)

    assert [ln.sale_discount_share for ln in cart.lines] == [D("0.34"), D("0.33"), D("0.33")]
    assert [ln.total for ln in cart.lines] == [D("2.99"), D("3.00"), D("3.00")]
    assert (cart.subtotal, cart.discount_total, cart.tax_total, cart.total) == (
        D("9.99"),
        D("1.00"),
        D("0.00"),
        D("8.99"),
    )
    assert discount_percent(cart) == D("10.01")  # 1.00 / 9.99


def test_price_cart_three_at_3_33_with_ten_percent_discount_on_one_line():
    # 3 x 3.33 = 9.99, one line; 10 % = 1.00 all on that line; total 8.99.
    cart = price_cart([line("3.33", "3")], discount=D("1.00"), prices_include_tax=True, max_items=200)

    assert (cart.lines[0].subtotal, cart.lines[0].discount, cart.total) == (D("9.99"), D("1.00"), D("8.99"))


def test_price_cart_largest_line_takes_remainder_not_the_first():
    # 1.00 + 2.00 = 3.00, discount 0.10: shares q(0.0333) = 0.03 and q(0.0667) = 0.07 -> exact, no remainder.
    # Discount 0.05: q(0.01667) = 0.02 and q(0.0333) = 0.03 -> 0.05 exact. Discount 0.01: 0.00 + q(0.00667) = 0.01.
    cart = price_cart(
        [line("1.00"), line("2.00")], discount=D("0.01"), prices_include_tax=True, max_items=200
    )

    assert [ln.sale_discount_share for ln in cart.lines] == [D("0.00"), D("0.01")]


def test_price_cart_tax_inclusive_vat_7_5_percent():
    # 2 x 10.00 = 20.00 including tax: tax = q(20 * 0.075 / 1.075) = q(1.39534...) = 1.40; total 20.00.
    cart = price_cart([line("10.00", "2", rate=VAT)], prices_include_tax=True, max_items=200)

    assert (cart.lines[0].tax, cart.lines[0].total) == (D("1.40"), D("20.00"))
    assert (cart.tax_total, cart.total) == (D("1.40"), D("20.00"))


def test_price_cart_tax_inclusive_after_discount():
    # 3 x 3.33 = 9.99, line discount 0.99 -> 9.00; tax = q(9.00 * 0.075 / 1.075) = q(0.62790...) = 0.63.
    cart = price_cart([line("3.33", "3", rate=VAT, discount="0.99")], prices_include_tax=True, max_items=200)

    assert (cart.lines[0].discount, cart.lines[0].tax, cart.total) == (D("0.99"), D("0.63"), D("9.00"))


def test_price_cart_tax_exclusive_vat_added_on_top():
    # 20.00 before tax: tax = q(20.00 * 0.075) = 1.50; total 21.50.
    cart = price_cart([line("10.00", "2", rate=VAT)], prices_include_tax=False, max_items=200)

    assert (cart.subtotal, cart.tax_total, cart.total) == (D("20.00"), D("1.50"), D("21.50"))


def test_price_cart_tax_rounds_half_up_per_line_and_totals_sum_rounded_lines():
    # Each 0.10 line at 5 % exclusive: tax 0.005 -> 0.01 half up (half-even would give 0.00).
    # Two lines: tax_total 0.02, the sum of rounded lines, not q(0.20 * 0.05) = 0.01.
    cart = price_cart([line("0.10", rate=D("0.05"))] * 2, prices_include_tax=False, max_items=200)

    assert [ln.tax for ln in cart.lines] == [D("0.01"), D("0.01")]
    assert (cart.tax_total, cart.total) == (D("0.02"), D("0.22"))


def test_price_cart_subtotal_of_fractional_quantity_rounds_half_up():
    # 1.5 x 2.99 = 4.485 -> 4.49.
    cart = price_cart([line("2.99", "1.5")], prices_include_tax=True, max_items=200)

    assert cart.lines[0].subtotal == D("4.49")
    assert cart.lines[0].quantity == D("1.500")


def test_price_cart_sale_discount_skips_line_already_fully_discounted():
    # Line A 10.00 with its own 10.00 discount has nothing left; the sale discount 5.00 all lands on B.
    cart = price_cart(
        [line("10.00", discount="10.00"), line("10.00")],
        discount=D("5.00"),
        prices_include_tax=True,
        max_items=200,
    )

    assert [ln.discount for ln in cart.lines] == [D("10.00"), D("5.00")]
    assert [ln.total for ln in cart.lines] == [D("0.00"), D("5.00")]
    assert cart.total == D("5.00")


def test_price_cart_duplicate_product_lines_stay_separate():
    cart = price_cart([line("1.00", "2"), line("1.00", "3")], prices_include_tax=True, max_items=200)

    assert [(ln.index, ln.product_id, ln.quantity) for ln in cart.lines] == [
        (0, 1, D("2.000")),
        (1, 1, D("3.000")),
    ]


def test_price_cart_override_price_is_used_and_flagged():
    cart = price_cart([line("10.00", "2", override="8.00")], prices_include_tax=True, max_items=200)

    assert (cart.lines[0].unit_price, cart.lines[0].catalogue_unit_price) == (D("8.00"), D("10.00"))
    assert cart.lines[0].is_price_override and cart.has_price_override
    assert cart.total == D("16.00")


def test_price_cart_empty_items_invalid():
    with pytest.raises(DomainError) as exc:
        price_cart([], prices_include_tax=True, max_items=200)

    assert refusal(exc) == ("INVALID", "items")


@pytest.mark.parametrize("qty", ["0", "-1", "1.0001"])
def test_price_cart_bad_quantity_invalid_with_field_path(qty):
    with pytest.raises(DomainError) as exc:
        price_cart([line("1.00"), line("1.00", qty)], prices_include_tax=True, max_items=200)

    assert refusal(exc) == ("INVALID", "items.1.quantity")


def test_price_cart_more_lines_than_limit_invalid():
    with pytest.raises(DomainError) as exc:
        price_cart([line("1.00")] * 3, prices_include_tax=True, max_items=2)

    assert refusal(exc) == ("INVALID", "items")


def test_price_cart_line_limit_defaults_to_setting(settings):
    settings.MAX_SALE_ITEMS = 2

    price_cart([line("1.00")] * 2, prices_include_tax=True)
    with pytest.raises(DomainError) as exc:
        price_cart([line("1.00")] * 3, prices_include_tax=True)

    assert refusal(exc) == ("INVALID", "items")


def test_price_cart_line_discount_above_subtotal_invalid():
    with pytest.raises(DomainError) as exc:
        price_cart([line("5.00", discount="5.01")], prices_include_tax=True, max_items=200)

    assert refusal(exc) == ("INVALID", "items.0.discount")
    assert exc.value.errors[0].params == {"max": "5.00"}


@pytest.mark.parametrize(
    ("field_kwargs", "path"), [({"discount": "-1"}, "discount"), ({"override": "1.001"}, "unitPrice")]
)
def test_price_cart_negative_discount_or_three_place_price_invalid(field_kwargs, path):
    with pytest.raises(DomainError) as exc:
        price_cart([line("5.00", **field_kwargs)], prices_include_tax=True, max_items=200)

    assert refusal(exc) == ("INVALID", f"items.0.{path}")


def test_price_cart_reports_every_line_error_at_once():
    with pytest.raises(DomainError) as exc:
        price_cart(
            [line("1.00", "0"), line("1.00"), line("1.00", discount="-0.01")],
            prices_include_tax=True,
            max_items=200,
        )

    assert [(e.code, e.field) for e in exc.value.errors] == [
        ("INVALID", "items.0.quantity"),
        ("INVALID", "items.2.discount"),
    ]


@pytest.mark.parametrize("discount", ["-1.00", "0.001"])
def test_price_cart_bad_sale_discount_invalid(discount):
    with pytest.raises(DomainError) as exc:
        price_cart([line("5.00")], discount=D(discount), prices_include_tax=True, max_items=200)

    assert refusal(exc) == ("INVALID", "discount")


def test_price_cart_sale_discount_above_what_is_left_invalid():
    # 10.00 - 4.00 line discount leaves 6.00; a 6.01 sale discount is refused.
    with pytest.raises(DomainError) as exc:
        price_cart(
            [line("10.00", discount="4.00")], discount=D("6.01"), prices_include_tax=True, max_items=200
        )

    assert refusal(exc) == ("INVALID", "discount")
    assert exc.value.errors[0].params == {"max": "6.00"}


def test_price_cart_sale_discount_equal_to_everything_gives_zero_total():
    cart = price_cart(
        [line("3.33"), line("1.01")], discount=D("4.34"), prices_include_tax=True, max_items=200
    )

    assert cart.total == D("0.00")
    assert [ln.discount for ln in cart.lines] == [D("3.33"), D("1.01")]


def test_price_cart_total_too_large_invalid():
    with pytest.raises(DomainError) as exc:
        price_cart([line("9999999999.99", "2")], prices_include_tax=True, max_items=200)

    assert refusal(exc) == ("INVALID", "items.0.quantity")


def test_price_cart_bad_catalogue_data_is_a_programming_error():
    with pytest.raises(ValueError):
        price_cart([line("1.005")], prices_include_tax=True, max_items=200)
    with pytest.raises(ValueError):
        price_cart([line("1.00", rate=D("7.5"))], prices_include_tax=True, max_items=200)


# --- allocation ------------------------------------------------------------------------------------


def test_allocate_proportionally_negative_remainder_spills_without_going_below_zero():
    # Ten lines of 1.00 share 0.05: each q(0.005) = 0.01 -> 0.10, remainder -0.05. The largest (first
    # on a tie) can only give back 0.01, so the next four give back one cent each.
    parts = allocate_proportionally(D("0.05"), [D("1.00")] * 10)

    assert parts == [D("0.00")] * 5 + [D("0.01")] * 5


def test_allocate_proportionally_positive_remainder_spills_without_exceeding_weight():
    # Shares q(0.43 * w / 0.48) are 0.04 0.04 0.04 0.09 0.06 0.02 0.06 0.06 = 0.41; remainder 0.02.
    # The largest weight (0.10) takes 0.01 and is full; the next largest (0.07, first) takes 0.01.
    weights = [D(x) for x in ("0.05", "0.05", "0.05", "0.10", "0.07", "0.02", "0.07", "0.07")]

    parts = allocate_proportionally(D("0.43"), weights)

    assert parts == [D(x) for x in ("0.04", "0.04", "0.04", "0.10", "0.07", "0.02", "0.06", "0.06")]


def test_allocate_proportionally_refuses_more_than_the_weights():
    with pytest.raises(ValueError):
        allocate_proportionally(D("1.01"), [D("1.00")])


# --- tender ----------------------------------------------------------------------------------------


def test_settle_split_tender_card_then_cash_gives_change_from_cash():
    # Total 50.00: card 30.00 leaves 20.00; cash 25.00 leaves 0.00 and 5.00 change.
    result = settle("50.00", [pay("card", "30.00", "20.00", "slip-1"), cash("25.00", "0.00")])

    assert (result.amount_paid, result.change, result.credit_created) == (D("55.00"), D("5.00"), D("0.00"))
    assert [(p.method, p.applied, p.balance) for p in result.payments] == [
        (PaymentMethod.CARD, D("30.00"), D("20.00")),
        (PaymentMethod.CASH, D("20.00"), D("0.00")),
    ]
    assert result.payments[0].reference == "slip-1"
    assert_settles(result, D("50.00"))


def test_settle_change_comes_from_cash_whatever_the_order():
    # Cash 50.00 first, then card 60.00 on 100.00: excess 10.00 is still change from the cash.
    result = settle("100.00", [cash("50.00", "50.00"), pay("card", "60.00", "0.00")])

    assert (result.change, result.credit_created) == (D("10.00"), D("0.00"))
    assert [p.applied for p in result.payments] == [D("40.00"), D("60.00")]


def test_settle_overpayment_by_card_becomes_credit_for_customer():
    # Total 50.00 paid 60.00 by card: 10.00 credit, no change.
    result = settle("50.00", [pay("credit_card", "60.00", "0.00")], customer=True)

    assert (result.change, result.credit_created, result.amount_paid) == (D("0.00"), D("10.00"), D("60.00"))
    assert result.payments[0].method == PaymentMethod.CARD
    assert result.payments[0].applied == D("50.00")
    assert_settles(result, D("50.00"))


def test_settle_overpayment_by_card_without_customer_refused():
    with pytest.raises(DomainError) as exc:
        settle("50.00", [pay("transfer", "60.00")])

    assert refusal(exc) == (SaleErrorCode.CUSTOMER_REQUIRED, "customerId")
    assert exc.value.errors[0].params["reason"] == "non_cash_overpayment"


def test_settle_change_never_exceeds_cash_rest_is_credit():
    # Total 50.00: cash 5.00 + card 60.00 = 65.00, excess 15.00: change 5.00 (all the cash), credit 10.00.
    result = settle("50.00", [cash("5.00", "45.00"), pay("card", "60.00", "0.00")], customer=True)

    assert (result.change, result.credit_created) == (D("5.00"), D("10.00"))
    assert [p.applied for p in result.payments] == [D("0.00"), D("50.00")]
    assert_settles(result, D("50.00"))


def test_settle_keep_change_as_credit():
    # Total 18.50, cash 20.00: 1.50 kept as credit instead of change.
    result = settle("18.50", [cash("20.00", "0.00")], customer=True, keep=True)

    assert (result.change, result.credit_created) == (D("0.00"), D("1.50"))
    assert_settles(result, D("18.50"))


def test_settle_keep_change_as_credit_without_customer_refused():
    with pytest.raises(DomainError) as exc:
        settle("18.50", [cash("20.00")], keep=True)

    assert refusal(exc) == (SaleErrorCode.CUSTOMER_REQUIRED, "customerId")
    assert exc.value.errors[0].params["reason"] == "keep_change_as_credit"


def test_settle_keep_change_without_excess_is_ignored():
    result = settle("20.00", [cash("20.00")], keep=True)

    assert (result.change, result.credit_created) == (D("0.00"), D("0.00"))


def test_settle_part_payment_puts_rest_on_account():
    # Total 100.00, part payment 40.00 leaves 60.00 which goes on the customer's account.
    result = settle("100.00", [pay("part_payment", "40.00", "60.00")], customer=True)

    assert (result.amount_paid, result.amount_on_account, result.change) == (
        D("40.00"),
        D("60.00"),
        D("0.00"),
    )
    assert result.payments[0].method == PaymentMethod.PART_PAYMENT
    assert_settles(result, D("100.00"))


def test_settle_part_payment_without_customer_refused():
    with pytest.raises(DomainError) as exc:
        settle("100.00", [pay("part_payment", "40.00")])

    assert refusal(exc) == (SaleErrorCode.CUSTOMER_REQUIRED, "customerId")
    assert exc.value.errors[0].params["reason"] == "unpaid_remainder"


def test_settle_short_cash_with_customer_refused_as_payment_short():
    with pytest.raises(DomainError) as exc:
        settle("100.00", [cash("80.00", "20.00")], customer=True)

    assert refusal(exc) == (SaleErrorCode.PAYMENT_SHORT, "payments")
    assert exc.value.errors[0].params == {"total": "100.00", "short": "20.00"}


def test_settle_short_cash_with_part_payment_goes_on_account():
    result = settle("100.00", [cash("50.00", "50.00"), pay("part_payment", "30.00", "20.00")], customer=True)

    assert (result.amount_paid, result.amount_on_account) == (D("80.00"), D("20.00"))
    assert_settles(result, D("100.00"))


def test_settle_no_payments_refused_as_payment_short():
    with pytest.raises(DomainError) as exc:
        settle("12.34", [], customer=True)

    assert refusal(exc) == (SaleErrorCode.PAYMENT_SHORT, "payments")


def test_settle_credit_method_charges_its_amount():
    result = settle("100.00", [pay("credit", "100.00", "0.00")], customer=True)

    assert (result.amount_paid, result.amount_on_account) == (D("0.00"), D("100.00"))
    assert_settles(result, D("100.00"))


def test_settle_credit_plus_cash_with_change():
    # 50.00 on account + a 60.00 note on 100.00: 10.00 change.
    result = settle("100.00", [pay("credit", "50.00", "50.00"), cash("60.00", "0.00")], customer=True)

    assert (result.amount_on_account, result.change, result.amount_paid) == (
        D("50.00"),
        D("10.00"),
        D("60.00"),
    )
    assert_settles(result, D("100.00"))


@pytest.mark.parametrize("method", ["credit", "store_credit"])
def test_settle_credit_methods_without_customer_refused(method):
    with pytest.raises(DomainError) as exc:
        settle("10.00", [cash("5.00"), pay(method, "5.00")])

    assert refusal(exc) == (SaleErrorCode.CUSTOMER_REQUIRED, "customerId")
    assert exc.value.errors[0].params == {"reason": method, "payment": 1}


def test_settle_credit_beyond_total_refused():
    with pytest.raises(DomainError) as exc:
        settle(
            "100.00",
            [pay("credit", "60.00"), pay("store_credit", "50.00")],
            customer=True,
            store_credit="50.00",
        )

    assert refusal(exc) == (SaleErrorCode.CREDIT_EXCEEDS_TOTAL, "payments.1.amount")


def test_settle_store_credit_spent_with_cash_change():
    # Customer holds 30.00; total 100.00: store credit 30.00 leaves 70.00, cash 80.00 -> 10.00 change.
    result = settle(
        "100.00",
        [pay("store_credit", "30.00", "70.00"), cash("80.00", "0.00")],
        customer=True,
        store_credit="30.00",
    )

    assert (result.credit_applied, result.amount_paid, result.change) == (D("30.00"), D("80.00"), D("10.00"))
    assert_settles(result, D("100.00"))


def test_settle_store_credit_over_available_refused():
    with pytest.raises(DomainError) as exc:
        settle("100.00", [pay("store_credit", "30.01")], customer=True, store_credit="30.00")

    assert refusal(exc) == (SaleErrorCode.INSUFFICIENT_STORE_CREDIT, "payments.0.amount")
    assert exc.value.errors[0].params == {"available": "30.00", "requested": "30.01"}


def test_settle_store_credit_split_over_two_payments_counts_together():
    with pytest.raises(DomainError) as exc:
        settle(
            "100.00",
            [pay("store_credit", "20.00"), cash("10.00"), pay("store_credit", "15.00")],
            customer=True,
            store_credit="30.00",
        )

    assert refusal(exc) == (SaleErrorCode.INSUFFICIENT_STORE_CREDIT, "payments.2.amount")


def test_settle_balance_mismatch_refused_with_both_figures():
    with pytest.raises(DomainError) as exc:
        settle("20.00", [cash("20.00", "1.00")])

    assert refusal(exc) == (SaleErrorCode.BALANCE_MISMATCH, "payments.0.balance")
    assert "0.00" in exc.value.message and "1.00" in exc.value.message
    assert exc.value.errors[0].params == {"expected": "0.00", "received": "1.00"}


def test_settle_balance_checked_after_each_payment():
    with pytest.raises(DomainError) as exc:
        settle("50.00", [pay("card", "30.00", "25.00"), cash("20.00", "0.00")])

    assert refusal(exc) == (SaleErrorCode.BALANCE_MISMATCH, "payments.0.balance")


def test_settle_balance_is_floored_at_zero_not_negative_change():
    result = settle("18.50", [cash("20.00", "0.00")])
    with pytest.raises(DomainError) as exc:
        settle("18.50", [cash("20.00", "-1.50")])

    assert result.change == D("1.50")
    assert refusal(exc) == (SaleErrorCode.BALANCE_MISMATCH, "payments.0.balance")


def test_settle_unknown_method_refused():
    with pytest.raises(DomainError) as exc:
        settle("10.00", [cash("5.00"), pay("bitcoin", "5.00")])

    assert refusal(exc) == (SaleErrorCode.INVALID_PAYMENT_METHOD, "payments.1.method")


@pytest.mark.parametrize("amount", ["-0.01", "1.001"])
def test_settle_bad_amount_invalid(amount):
    with pytest.raises(DomainError) as exc:
        settle("10.00", [cash(amount)])

    assert refusal(exc) == ("INVALID", "payments.0.amount")


def test_settle_reports_every_payment_input_error_at_once():
    with pytest.raises(DomainError) as exc:
        settle("10.00", [pay("cheque", "1.00"), cash("-1.00"), TenderInput("card", D("1.00"), D("0.001"))])

    assert [(e.code, e.field) for e in exc.value.errors] == [
        (SaleErrorCode.INVALID_PAYMENT_METHOD, "payments.0.method"),
        ("INVALID", "payments.1.amount"),
        ("INVALID", "payments.2.balance"),
    ]


def test_settle_too_many_payments_invalid():
    with pytest.raises(DomainError) as exc:
        settle("10.00", [cash("0.10")] * (MAX_PAYMENTS + 1))

    assert refusal(exc) == ("INVALID", "payments")


def test_settle_zero_amount_payment_allowed():
    result = settle("10.00", [cash("0.00", "10.00"), cash("10.00", "0.00")])

    assert result.amount_paid == D("10.00")


def test_normalize_payment_method_aliases_case_and_spaces():
    assert normalize_payment_method(" Credit_Card ", field="m") == PaymentMethod.CARD
    assert normalize_payment_method("CASH", field="m") == PaymentMethod.CASH
    assert normalize_payment_method("part_payment", field="m") == PaymentMethod.PART_PAYMENT


def test_price_sale_prices_then_settles_split_tender():
    # 3 lines of 3.33 with 1.00 off = 8.99 incl. 7.5 % VAT; per line tax q(2.99*.075/1.075)=0.21,
    # q(3.00*.075/1.075)=0.21 twice -> 0.63. Card 5.00 leaves 3.99; cash 5.00 leaves 0.00, change 1.01.
    result = sale(
        [line("3.33", rate=VAT)] * 3, [pay("card", "5.00", "3.99"), cash("5.00", "0.00")], discount="1.00"
    )

    assert (result.total, result.tax_total, result.change) == (D("8.99"), D("0.63"), D("1.01"))
    assert_settles(result, result.total)


# --- cashier limits --------------------------------------------------------------------------------


def cart_of(*lines_, discount="0") -> PricedCart:
    return price_cart(list(lines_), discount=D(discount), prices_include_tax=True, max_items=200)


def test_check_cashier_limits_manager_may_do_anything():
    cart = cart_of(line("10.00", override="1.00", discount="0.50"), discount="0.50")

    check_cashier_limits(cart, max_discount_percent=D("10"), overrides_present=True, is_manager=True)


def test_check_cashier_limits_override_refused_for_cashier():
    cart = cart_of(line("10.00"), line("10.00", override="9.00"))

    with pytest.raises(DomainError) as exc:
        check_cashier_limits(cart, max_discount_percent=D("10"), overrides_present=False, is_manager=False)

    assert refusal(exc) == (SaleErrorCode.PRICE_OVERRIDE_NOT_ALLOWED, "items.1.unitPrice")


def test_check_cashier_limits_override_flag_from_service_refused():
    with pytest.raises(DomainError) as exc:
        check_cashier_limits(
            cart_of(line("10.00")), max_discount_percent=D("10"), overrides_present=True, is_manager=False
        )

    assert refusal(exc) == (SaleErrorCode.PRICE_OVERRIDE_NOT_ALLOWED, "items")


def test_check_cashier_limits_line_discount_at_cap_allowed_above_refused():
    check_cashier_limits(
        cart_of(line("10.00", discount="1.00")),
        max_discount_percent=D("10"),
        overrides_present=False,
        is_manager=False,
    )
    with pytest.raises(DomainError) as exc:
        check_cashier_limits(
            cart_of(line("10.00"), line("10.00", discount="1.01")),
            max_discount_percent=D("10"),
            overrides_present=False,
            is_manager=False,
        )

    assert refusal(exc) == (SaleErrorCode.DISCOUNT_NOT_ALLOWED, "items.1.discount")


def test_check_cashier_limits_sale_discount_rounded_cap_allowed():
    # 10 % of 9.99 is 0.999, typed as 1.00 (10.01 %): allowed, the cap amount is q(0.999) = 1.00.
    cart = cart_of(line("3.33"), line("3.33"), line("3.33"), discount="1.00")

    check_cashier_limits(cart, max_discount_percent=D("10"), overrides_present=False, is_manager=False)
    with pytest.raises(DomainError) as exc:
        check_cashier_limits(
            cart_of(line("3.33"), line("3.33"), line("3.33"), discount="1.01"),
            max_discount_percent=D("10"),
            overrides_present=False,
            is_manager=False,
        )

    assert refusal(exc) == (SaleErrorCode.DISCOUNT_NOT_ALLOWED, "discount")


def test_check_cashier_limits_line_and_sale_discounts_add_up():
    # 10 % on the line (1.00) plus 1.00 off the sale = 2.00 of 10.00 = 20 % > 10 %.
    cart = cart_of(line("10.00", discount="1.00"), discount="1.00")

    with pytest.raises(DomainError) as exc:
        check_cashier_limits(cart, max_discount_percent=D("10"), overrides_present=False, is_manager=False)

    assert refusal(exc) == (SaleErrorCode.DISCOUNT_NOT_ALLOWED, "discount")


def test_discount_percent_of_empty_subtotal_is_zero():
    assert discount_percent(cart_of(line("0.00"))) == D("0.00")


# --- properties ------------------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=500_000).map(lambda n: Decimal(n).scaleb(-2))
quantities = st.integers(min_value=1, max_value=50_000).map(lambda n: Decimal(n).scaleb(-3))
rates = st.sampled_from([D("0"), D("0.05"), D("0.075"), D("0.15"), D("0.2")])


@st.composite
def carts(draw):
    n = draw(st.integers(min_value=1, max_value=12))
    lines_ = []
    for _ in range(n):
        price = draw(cents)
        override = draw(st.none() | cents)
        qty = draw(quantities)
        charged = price if override is None else override
        subtotal = (charged * qty).quantize(D("0.01"), rounding="ROUND_HALF_UP")
        if subtotal == 0 and charged > 0:  # refused as LINE_TOTAL_ZERO; tested on its own
            qty = D("1.000")
            subtotal = charged
        ratio = draw(st.integers(min_value=0, max_value=100))
        lines_.append(
            PricedLineInput(
                product_id=draw(st.integers(min_value=1, max_value=5)),
                quantity=qty,
                catalogue_unit_price=price,
                tax_rate=draw(rates),
                unit_price_override=override,
                line_discount=(subtotal * ratio / 100).quantize(D("0.01"))
                if draw(st.booleans())
                else D("0.00"),
            )
        )
    return lines_


@st.composite
def sales_with_payments(draw):
    lines_ = draw(carts())
    include_tax = draw(st.booleans())
    undiscounted = price_cart(lines_, prices_include_tax=include_tax, max_items=200)
    ratio = draw(st.integers(min_value=0, max_value=100))
    discount = undiscounted.total if include_tax else undiscounted.subtotal - undiscounted.discount_total
    discount = (discount * ratio / 100).quantize(D("0.01"), rounding="ROUND_DOWN")
    methods = st.sampled_from(["cash", "transfer", "card", "part_payment", "credit", "store_credit"])
    payments = draw(st.lists(st.tuples(methods, cents), max_size=5))
    return lines_, include_tax, discount, payments


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=sales_with_payments(), keep=st.booleans())
def test_price_sale_properties_hold_for_random_carts(data, keep):
    lines_, include_tax, discount, raw_payments = data
    cart = price_cart(lines_, discount=discount, prices_include_tax=include_tax, max_items=200)
    # Keep credit + store credit within the total so the random tender is acceptable.
    room = cart.total
    payments = []
    for method, amount in raw_payments:
        if method in ("credit", "store_credit"):
            amount = min(amount, room)
            room -= amount
        payments.append(TenderInput(method, amount))
    if sum((p.amount for p in payments), D("0")) < cart.total:
        # A shortfall goes on account only when the client chose it (PAYMENT_SHORT otherwise).
        payments.append(TenderInput("part_payment", D("0.00")))

    result = price_sale(
        lines_,
        discount=discount,
        prices_include_tax=include_tax,
        payments=payments,
        keep_change_as_credit=keep,
        has_customer=True,
        customer_store_credit_available=D("10000000"),
        max_items=200,
    )

    assert sum((ln.total for ln in result.lines), D("0")) == result.total
    assert sum((ln.sale_discount_share for ln in result.lines), D("0")) == discount
    assert sum((ln.discount for ln in result.lines), D("0")) == result.discount_total
    for ln in result.lines:
        assert D("0") <= ln.discount <= ln.subtotal
        assert ln.tax >= 0 and ln.total >= 0
        assert ln.total == (ln.net if include_tax else ln.net + ln.tax)
    assert (
        result.amount_paid
        - result.change
        + result.credit_applied
        + result.amount_on_account
        - (result.credit_created)
        == result.total
    )
    cash_tendered = sum((p.amount for p in result.payments if p.method == PaymentMethod.CASH), D("0"))
    assert D("0") <= result.change <= cash_tendered
    assert min(result.amount_on_account, result.credit_created) >= 0
    assert all(D("0") <= p.applied <= p.amount for p in result.payments)
    assert_settles(result, result.total)


# --- explicit money rules (sales.tender) ---------------------------------------------------------


def settle_blocked(total: str, payments, *, keep=False, store_credit="0"):
    return settle_payments(
        D(total),
        payments,
        keep_change_as_credit=keep,
        has_customer=True,
        customer_store_credit_available=D(store_credit),
        customer_blocked=True,
    )


def test_settle_blocked_customer_paying_now_gets_change():
    result = settle_blocked("18.00", [cash("20.00")])

    assert (result.change, result.amount_on_account, result.credit_created) == (D("2.00"), D("0"), D("0"))


@pytest.mark.parametrize(
    ("payments", "keep", "field"),
    [
        ([pay("credit", "18.00")], False, "payments.0.method"),
        ([pay("store_credit", "18.00")], False, "payments.0.method"),
        ([cash("8.00"), pay("part_payment", "5.00")], False, "payments.1.method"),
        ([pay("transfer", "20.00")], False, "payments"),
        ([cash("20.00")], True, "keepChangeAsCredit"),
    ],
    ids=["credit", "store_credit", "remainder_on_account", "non_cash_overpayment", "keep_change"],
)
def test_settle_blocked_customer_account_untouched(payments, keep, field):
    with pytest.raises(DomainError) as exc:
        settle_blocked("18.00", payments, keep=keep, store_credit="50.00")

    assert refusal(exc) == (SaleErrorCode.CUSTOMER_BLOCKED, field)


def test_settle_payment_caps_report_every_payment_over_the_cap():
    with pytest.raises(DomainError) as exc:
        settle_payments(
            D("30.00"),
            [pay("card", "10.01"), cash("5.00"), pay("transfer", "15.00")],
            has_customer=False,
            max_payment_amount=D("10.00"),
        )

    assert [(e.code, e.field) for e in exc.value.errors] == [
        (SaleErrorCode.PAYMENT_TOO_LARGE, "payments.0.amount"),
        (SaleErrorCode.PAYMENT_TOO_LARGE, "payments.2.amount"),
    ]


def test_settle_change_cap_is_inclusive():
    ok = settle_payments(D("5.00"), [cash("15.00")], has_customer=False, max_change_amount=D("10.00"))
    with pytest.raises(DomainError) as exc:
        settle_payments(D("5.00"), [cash("15.01")], has_customer=False, max_change_amount=D("10.00"))

    assert ok.change == D("10.00")
    assert refusal(exc) == (SaleErrorCode.CHANGE_TOO_LARGE, "payments")
    assert exc.value.errors[0].params == {"total": "5.00", "excess": "10.01", "max": "10.00"}


def test_settle_short_without_customer_and_with_part_payment_needs_a_customer():
    with pytest.raises(DomainError) as exc:
        settle("10.00", [pay("part_payment", "4.00")])

    assert refusal(exc) == (SaleErrorCode.CUSTOMER_REQUIRED, "customerId")


def test_price_cart_line_rounding_to_zero_refused_on_its_quantity():
    lines = [
        PricedLineInput(product_id=1, quantity=D("1"), catalogue_unit_price=D("2.00"), tax_rate=NO_TAX),
        PricedLineInput(product_id=2, quantity=D("0.002"), catalogue_unit_price=D("2.00"), tax_rate=NO_TAX),
    ]

    with pytest.raises(DomainError) as exc:
        price_cart(lines, prices_include_tax=True, max_items=200)

    assert refusal(exc) == (SaleErrorCode.LINE_TOTAL_ZERO, "items.1.quantity")


def test_price_cart_free_line_of_a_tiny_quantity_allowed():
    line_ = PricedLineInput(
        product_id=1, quantity=D("0.001"), catalogue_unit_price=D("0.00"), tax_rate=NO_TAX
    )

    assert price_cart([line_], prices_include_tax=True, max_items=200).total == D("0.00")
