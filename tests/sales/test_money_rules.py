"""The sale money rules of API.md, in the service and over GraphQL: each refusal is coded, names its
field and leaves the database as it was (`refused` compares the whole world before and after)."""

from decimal import Decimal

import pytest

from customers import services as customer_services
from customers.models import CustomerLedgerEntry
from sales import services
from sales.services import PaymentRequest, SaleLineRequest, SaleRequest
from shared.errors import DomainError
from tests.factories import CustomerFactory
from tests.sales.helpers import world_state
from tests.shop import make_product

pytestmark = pytest.mark.django_db
D = Decimal
RESULT = "success message errors { field code message }"
CREATE = f"""mutation($input: SaleInput!) {{ createSale(input: $input) {{ {RESULT}
  sale {{ total change amountOnAccount creditCreated items {{ unitPrice }} }} }} }}"""
PRICE = f"query($input: SaleInput!) {{ priceSale(input: $input) {{ {RESULT} quote {{ total amountDue }} }} }}"


def line(product, qty="1"):
    return SaleLineRequest(product_id=product.pk, quantity=D(qty))


def pay(method, amount, **kw):
    return PaymentRequest(method=method, amount=D(amount), **kw)


def sell(user, items, payments, **kw):
    return services.create_sale(user=user, request=SaleRequest(items=items, payments=payments, **kw)).sale


def refused(user, items, payments, **kw) -> tuple[str, str | None]:
    before = world_state()
    with pytest.raises(DomainError) as exc:
        sell(user, items, payments, **kw)
    assert world_state() == before, "a refused sale changed the database"
    return exc.value.code, exc.value.field


def block(manager, customer):
    customer_services.update_customer(user=manager, customer_id=customer.pk, status="blocked")


def gql_errors(result: dict) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in result["errors"]]


# --- short payments ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["cash", "card", "transfer"])
def test_create_sale_short_money_for_a_known_customer_refused_as_payment_short(cashier, shop, method):
    assert refused(
        cashier, [line(shop["soap"], "3")], [pay(method, "20.00")], customer_id=shop["regular"].pk
    ) == ("PAYMENT_SHORT", "payments")


def test_create_sale_short_cash_without_customer_refused_as_payment_short(cashier, shop):
    assert refused(cashier, [line(shop["soap"], "3")], [pay("cash", "20.00")]) == (
        "PAYMENT_SHORT",
        "payments",
    )


def test_create_sale_short_cash_plus_part_payment_goes_on_account(cashier, shop):
    customer = shop["regular"]

    sale = sell(
        cashier,
        [line(shop["soap"], "3")],
        [pay("cash", "15.00"), pay("part_payment", "5.00")],
        customer_id=customer.pk,
    )

    customer.refresh_from_db()
    assert (sale.amount_paid, sale.amount_on_account, customer.balance) == (
        D("20.00"),
        D("10.00"),
        D("10.00"),
    )


def test_create_sale_card_plus_credit_for_the_rest_goes_on_account(cashier, shop):
    sale = sell(
        cashier,
        [line(shop["soap"], "3")],
        [pay("card", "10.00"), pay("credit", "20.00")],
        customer_id=shop["regular"].pk,
    )

    assert sale.amount_on_account == D("20.00")


# --- blocked customers ---------------------------------------------------------------------------


def test_create_sale_blocked_customer_may_buy_and_pay_now(cashier, manager, shop):
    customer = shop["regular"]
    block(manager, customer)

    sale = sell(cashier, [line(shop["soap"], "2")], [pay("cash", "50.00")], customer_id=customer.pk)

    assert (sale.customer_id, sale.change, sale.amount_on_account) == (customer.pk, D("30.00"), D("0"))
    assert not CustomerLedgerEntry.objects.filter(customer=customer).exists()


@pytest.mark.parametrize(
    ("payments", "field"),
    [
        ([pay("credit", "20.00")], "payments.0.method"),
        ([pay("cash", "10.00"), pay("part_payment", "5.00")], "payments.1.method"),
        ([pay("card", "25.00")], "payments"),
    ],
    ids=["credit", "part_payment", "card_overpayment_as_credit"],
)
def test_create_sale_blocked_customer_nothing_on_account(cashier, manager, shop, payments, field):
    block(manager, shop["regular"])

    assert refused(cashier, [line(shop["soap"], "2")], payments, customer_id=shop["regular"].pk) == (
        "CUSTOMER_BLOCKED",
        field,
    )


def test_create_sale_blocked_customer_cannot_keep_change_as_credit(cashier, manager, shop):
    block(manager, shop["regular"])

    assert refused(
        cashier,
        [line(shop["soap"], "2")],
        [pay("cash", "50.00")],
        customer_id=shop["regular"].pk,
        keep_change_as_credit=True,
    ) == ("CUSTOMER_BLOCKED", "keepChangeAsCredit")


def test_create_sale_blocked_customer_cannot_spend_store_credit(cashier, manager, shop):
    customer = shop["in_credit"]  # holds 30.00 of credit
    block(manager, customer)

    assert refused(
        cashier, [line(shop["soap"], "2")], [pay("store_credit", "20.00")], customer_id=customer.pk
    ) == ("CUSTOMER_BLOCKED", "payments.0.method")


# --- wholesale -----------------------------------------------------------------------------------


def test_create_sale_cashier_wholesale_without_customer_refused(cashier, shop):
    assert refused(cashier, [line(shop["rice"], "3")], [pay("cash", "60.00")], sale_type="wholesale") == (
        "WHOLESALE_NOT_ALLOWED",
        "saleType",
    )


def test_create_sale_cashier_wholesale_for_a_retail_customer_refused(cashier, shop):
    assert refused(
        cashier,
        [line(shop["rice"], "3")],
        [pay("cash", "60.00")],
        sale_type="wholesale",
        customer_id=shop["regular"].pk,
    ) == ("WHOLESALE_NOT_ALLOWED", "saleType")


def test_create_sale_cashier_wholesale_for_a_wholesale_customer_allowed(cashier, shop):
    trader = CustomerFactory(customer_type="wholesale")

    sale = sell(
        cashier,
        [line(shop["rice"], "3")],
        [pay("cash", "60.00")],
        sale_type="wholesale",
        customer_id=trader.pk,
    )

    assert (sale.sale_type, sale.total) == ("wholesale", D("60.00"))


def test_create_sale_manager_wholesale_without_customer_allowed(manager, shop):
    sale = sell(manager, [line(shop["rice"], "3")], [pay("cash", "60.00")], sale_type="wholesale")

    assert sale.total == D("60.00")


def test_price_sale_applies_the_wholesale_rule(cashier, shop):
    with pytest.raises(DomainError) as exc:
        services.price_sale(
            user=cashier,
            request=SaleRequest(items=[line(shop["rice"], "3")], payments=[], sale_type="wholesale"),
        )

    assert (exc.value.code, exc.value.field) == ("WHOLESALE_NOT_ALLOWED", "saleType")


# --- lines that price to nothing -----------------------------------------------------------------


def test_create_sale_line_pricing_to_zero_refused(cashier, manager, shop):
    gum = make_product(manager, "GUM", price="2.00", wholesale="1.50", quantity_decimals=3)

    assert refused(cashier, [line(gum, "0.001")], [pay("cash", "0.00")]) == (
        "LINE_TOTAL_ZERO",
        "items.0.quantity",
    )


def test_create_sale_smallest_line_worth_a_cent_accepted(cashier, manager, shop):
    gum = make_product(manager, "GUM", price="2.00", wholesale="1.50", quantity_decimals=3)

    sale = sell(cashier, [line(gum, "0.003")], [pay("cash", "0.01")])

    assert sale.total == D("0.01")


# --- caps ----------------------------------------------------------------------------------------


def test_create_sale_cash_tendered_above_the_default_payment_cap_refused(cashier, shop):
    assert refused(cashier, [line(shop["soap"], "2")], [pay("cash", "10000000.01")]) == (
        "PAYMENT_TOO_LARGE",
        "payments.0.amount",
    )


def test_create_sale_payment_above_a_configured_cap_refused(cashier, shop, settings):
    settings.POS_MAX_PAYMENT_AMOUNT = "15.00"

    assert refused(cashier, [line(shop["soap"], "2")], [pay("card", "15.01"), pay("cash", "4.99")]) == (
        "PAYMENT_TOO_LARGE",
        "payments.0.amount",
    )
    assert sell(cashier, [line(shop["soap"], "2")], [pay("card", "15.00"), pay("cash", "5.00")]).total == D(
        "20.00"
    )


def test_create_sale_change_above_the_cap_refused(cashier, shop, settings):
    settings.POS_MAX_CHANGE_AMOUNT = "100.00"

    assert refused(cashier, [line(shop["soap"], "2")], [pay("cash", "120.01")]) == (
        "CHANGE_TOO_LARGE",
        "payments",
    )
    assert sell(cashier, [line(shop["soap"], "2")], [pay("cash", "120.00")]).change == D("100.00")


def test_create_sale_change_cap_also_bounds_credit_kept(cashier, shop, settings):
    settings.POS_MAX_CHANGE_AMOUNT = "100.00"

    assert refused(
        cashier,
        [line(shop["soap"], "2")],
        [pay("cash", "120.01")],
        customer_id=shop["regular"].pk,
        keep_change_as_credit=True,
    ) == ("CHANGE_TOO_LARGE", "payments")


# --- idempotency key -----------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["", "   ", "\t"])
def test_create_sale_blank_idempotency_key_refused(cashier, shop, key):
    assert refused(cashier, [line(shop["soap"])], [pay("cash", "10.00")], idempotency_key=key) == (
        "INVALID",
        "idempotencyKey",
    )


def test_create_sale_idempotency_key_surrounding_spaces_ignored(cashier, shop):
    first = sell(cashier, [line(shop["soap"])], [pay("cash", "10.00")], idempotency_key=" till-1-7 ")
    again = services.create_sale(
        user=cashier,
        request=SaleRequest(
            items=[line(shop["soap"])], payments=[pay("cash", "10.00")], idempotency_key="till-1-7"
        ),
    )

    assert (again.replayed, again.sale.pk) == (True, first.pk)


# --- GraphQL round trips -------------------------------------------------------------------------


def sale_input(product, qty="1", payments=None, **extra):
    return {
        "input": {
            "items": [{"productId": str(product.pk), "quantity": qty}],
            "payments": payments or [{"method": "cash", "amount": "10.00"}],
            **extra,
        }
    }


def test_graphql_create_sale_short_cash_for_customer_refused(as_cashier, shop):
    before = world_state()

    result = as_cashier(
        CREATE,
        sale_input(
            shop["soap"], "3", [{"method": "cash", "amount": "20.00"}], customerId=str(shop["regular"].pk)
        ),
    ).payload("createSale")

    assert (result["success"], gql_errors(result)) == (False, [("payments", "PAYMENT_SHORT")])
    assert "10.00" in result["message"]
    assert world_state() == before


def test_graphql_create_sale_part_payment_puts_the_rest_on_account(as_cashier, shop):
    result = as_cashier(
        CREATE,
        sale_input(
            shop["soap"],
            "3",
            [{"method": "part_payment", "amount": "20.00"}],
            customerId=str(shop["regular"].pk),
        ),
    ).payload("createSale")

    assert result["success"] is True, result
    assert result["sale"]["amountOnAccount"] == "10.00"


def test_graphql_price_sale_short_cash_refused_like_create_sale_but_still_quoted(as_cashier, shop):
    result = as_cashier(
        PRICE, sale_input(shop["soap"], "3", [{"method": "cash", "amount": "20.00"}])
    ).payload("priceSale")

    # Refused like createSale, yet quoted: a tender screen shows what is still due as amounts are typed.
    assert (result["success"], gql_errors(result), result["quote"]) == (
        False,
        [("payments", "PAYMENT_SHORT")],
        {"total": "30.00", "amountDue": "10.00"},
    )


def test_price_sale_short_split_tender_quotes_paid_so_far_and_due(cashier, shop):
    before = world_state()

    quote = services.price_sale(
        user=cashier,
        request=SaleRequest(
            items=[line(shop["soap"], "3")], payments=[pay("cash", "20.00"), pay("card", "5.00")]
        ),
    )

    assert quote.refusal is not None and quote.refusal.code == "PAYMENT_SHORT"
    assert (quote.priced.total, quote.priced.amount_paid, quote.priced.change, quote.amount_due) == (
        D("30.00"),
        D("25.00"),
        D("0.00"),
        D("5.00"),
    )
    assert [(p.method, p.amount) for p in quote.priced.payments] == [
        ("cash", D("20.00")),
        ("card", D("5.00")),
    ]
    assert world_state() == before


def test_price_sale_short_tender_with_another_refusal_is_not_quoted(cashier, shop):
    with pytest.raises(DomainError) as exc:
        services.price_sale(
            user=cashier,
            request=SaleRequest(
                items=[line(shop["soap"], "3")], payments=[pay("cash", "20.00", balance=D("1.00"))]
            ),
        )

    assert exc.value.code == "BALANCE_MISMATCH"


def test_graphql_create_sale_cashier_wholesale_refused(as_cashier, shop):
    before = world_state()

    result = as_cashier(
        CREATE, sale_input(shop["rice"], "3", [{"method": "cash", "amount": "60.00"}], saleType="WHOLESALE")
    ).payload("createSale")

    assert gql_errors(result) == [("saleType", "WHOLESALE_NOT_ALLOWED")]
    assert world_state() == before


def test_graphql_create_sale_manager_wholesale_allowed(as_manager, shop):
    result = as_manager(
        CREATE, sale_input(shop["rice"], "3", [{"method": "cash", "amount": "60.00"}], saleType="WHOLESALE")
    ).payload("createSale")

    assert (result["success"], result["sale"]["total"]) == (True, "60.00")


def test_graphql_create_sale_blocked_customer_pays_cash(as_cashier, manager, shop):
    block(manager, shop["regular"])

    result = as_cashier(
        CREATE,
        sale_input(
            shop["soap"], "1", [{"method": "cash", "amount": "10.00"}], customerId=str(shop["regular"].pk)
        ),
    ).payload("createSale")

    assert result["success"] is True, result


def test_graphql_create_sale_blocked_customer_on_credit_refused(as_cashier, manager, shop):
    block(manager, shop["regular"])
    before = world_state()

    result = as_cashier(
        CREATE,
        sale_input(
            shop["soap"], "1", [{"method": "credit", "amount": "10.00"}], customerId=str(shop["regular"].pk)
        ),
    ).payload("createSale")

    assert gql_errors(result) == [("payments.0.method", "CUSTOMER_BLOCKED")]
    assert world_state() == before


def test_graphql_create_sale_quantity_pricing_to_zero_refused(as_cashier, manager, shop):
    gum = make_product(manager, "GUM", price="2.00", wholesale="1.50", quantity_decimals=3)
    before = world_state()

    result = as_cashier(CREATE, sale_input(gum, "0.001", [{"method": "cash", "amount": "0.00"}])).payload(
        "createSale"
    )

    assert gql_errors(result) == [("items.0.quantity", "LINE_TOTAL_ZERO")]
    assert world_state() == before


def test_graphql_create_sale_nonsense_cash_tendered_refused(as_cashier, shop):
    before = world_state()

    out_of_range = as_cashier(
        CREATE, sale_input(shop["soap"], "1", [{"method": "cash", "amount": "9999999999.99"}])
    )
    over_cap = as_cashier(
        CREATE, sale_input(shop["soap"], "1", [{"method": "cash", "amount": "10000000.01"}])
    ).payload("createSale")

    assert [e["extensions"]["code"] for e in out_of_range.errors] == ["OUT_OF_RANGE"]
    assert gql_errors(over_cap) == [("payments.0.amount", "PAYMENT_TOO_LARGE")]
    assert world_state() == before


@pytest.mark.parametrize("key", ["", "  "])
def test_graphql_create_sale_blank_idempotency_key_refused(as_cashier, shop, key):
    before = world_state()

    result = as_cashier(CREATE, sale_input(shop["soap"], idempotencyKey=key)).payload("createSale")

    assert gql_errors(result) == [("idempotencyKey", "INVALID")]
    assert world_state() == before
