"""The shared strict-input building blocks, and that good input at the limits still goes through."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from graphql import GraphQLObjectType
from graphql_relay import to_global_id

from config.schema import schema
from customers.models import Customer
from products.csv_io import IMPORT_COLUMNS, import_products
from products.models import Batch, Product
from sales.models import Payment, Sale
from shared.dates import bucket_count, check_date_range
from shared.errors import DomainError
from shared.graphql import decode_id, input_length_errors
from shared.money import parse_money, parse_quantity, to_decimal

RESULT = "success errors { field code message }"
SALE = f"mutation($input: SaleInput!) {{ createSale(input: $input) {{ {RESULT} sale {{ note }} }} }}"
RECEIVE = f"mutation($input: ReceiveStockInput!) {{ receiveStock(input: $input) {{ {RESULT} }} }}"


# --- shared.money ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("10", "10"), ("10.50", "10.50"), ("-2", "-2"), (" 3.5 ", "3.5"), (7, "7"), (Decimal("1.25"), "1.25")],
)
def test_to_decimal_plain_numbers_are_read(raw, expected):
    assert to_decimal(raw) == Decimal(expected)


@pytest.mark.parametrize(
    "raw",
    ["1e2", "1E2", "1_0", "１０", "١٠", "1 0", "1.2.3", ".5", "5.", "", "+", "NaN", "Infinity", "0x10",
     "9" * 16, True, False, 1.5, None, [1]],
)  # fmt: skip
def test_to_decimal_anything_else_is_refused(raw):
    with pytest.raises(InvalidOperation):
        to_decimal(raw)


def test_to_decimal_sign_refused_when_not_allowed():
    with pytest.raises(InvalidOperation):
        to_decimal("-1", allow_sign=False)


def test_parse_money_over_setting_is_out_of_range(settings):
    settings.INPUT_MAX_AMOUNT = "50.00"

    assert parse_money("50.00", field="amount") == Decimal("50.00")
    with pytest.raises(DomainError) as refused:
        parse_money("50.01", field="amount")

    assert (refused.value.code, refused.value.field) == ("OUT_OF_RANGE", "amount")
    assert "50.00" in refused.value.message


def test_parse_quantity_huge_integer_is_out_of_range_not_a_crash():
    with pytest.raises(DomainError) as refused:
        parse_quantity("999999999999999", field="items.0.quantity")

    assert (refused.value.code, refused.value.field) == ("OUT_OF_RANGE", "items.0.quantity")


def test_parse_money_exponent_is_invalid_with_field():
    with pytest.raises(DomainError) as refused:
        parse_money("1e2", field="payments.0.amount")

    assert (refused.value.code, refused.value.field) == ("INVALID", "payments.0.amount")


# --- ids ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("7", 7), (7, 7), (to_global_id("Product", 7), 7), ("9223372036854775807", 2**63 - 1)],
)
def test_decode_id_raw_and_global_ids_are_read(raw, expected):
    assert decode_id(raw, "Product") == expected


@pytest.mark.parametrize(
    "raw",
    ["1_0", "１０", "١٠", "+1", " 1", "1 ", "-1", "0", "9223372036854775808", "", True,
     to_global_id("Customer", 7), to_global_id("Product", "1_0"), to_global_id("Product", "１"), "x" * 500],
)  # fmt: skip
def test_decode_id_anything_else_names_nothing(raw):
    assert decode_id(raw, "Product") is None


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("granularity", "start", "end", "count"),
    [
        ("DAY", date(2026, 1, 1), date(2026, 1, 31), 31),
        ("WEEK", date(2026, 1, 1), date(2026, 1, 5), 2),  # Thu 1st: weeks of 29 Dec and 5 Jan
        ("MONTH", date(2025, 11, 30), date(2026, 2, 1), 4),
    ],
)
def test_bucket_count_matches_report_rows(granularity, start, end, count):
    assert bucket_count(granularity, start, end) == count


def test_check_date_range_day_report_over_setting_is_refused(settings):
    settings.REPORT_MAX_BUCKETS = 31

    check_date_range(date(2026, 1, 1), date(2026, 1, 31), granularity="DAY")
    with pytest.raises(DomainError) as refused:
        check_date_range(date(2026, 1, 1), date(2026, 2, 1), granularity="DAY")

    assert (refused.value.code, refused.value.field) == ("OUT_OF_RANGE", "dateTo")
    check_date_range(date(2026, 1, 1), date(2026, 2, 1), granularity="MONTH")


# --- string lengths -------------------------------------------------------------------------------


def test_input_length_errors_name_the_graphql_path_and_column_limit(settings):
    settings.INPUT_MAX_TEXT_LENGTH = 10
    data = {
        "input": {
            "payments": [{"reference": "r" * 100}, {"reference": "r" * 101}],
            "note": "n" * 11,
            "idempotency_key": "k" * 10,
        }
    }

    errors = input_length_errors(data, {"payments.reference": "sales.Payment.reference"})

    assert [(e.code, e.field, e.params["limit"]) for e in errors] == [
        ("MAX_LENGTH", "payments.1.reference", 100),
        ("MAX_LENGTH", "note", 10),
    ]


def test_every_declared_max_length_fits_its_column():
    """A declared limit above its column would let a string reach the database and fail there."""
    from shared.graphql import BaseMutation, max_length_of

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    declared = [(m, path, spec) for m in subclasses(BaseMutation) for path, spec in m.max_lengths.items()]

    assert len(declared) > 20
    for mutation, path, spec in declared:
        assert 0 < max_length_of(spec) <= 2000, (mutation.__name__, path)


def test_every_paged_list_checks_its_page_arguments():
    """Lists graphene-django generates for relations (customer.sales) are covered as well."""
    paged = [
        (type_.name, name, getattr(field.resolve, "hardened", False))
        for type_ in schema.graphql_schema.type_map.values()
        if isinstance(type_, GraphQLObjectType)
        for name, field in type_.fields.items()
        if "first" in field.args
    ]

    assert ("Customer", "sales", True) in paged
    assert [p for p in paged if not p[2]] == []


# --- good input at the limits still goes through -------------------------------------------------


def test_create_sale_strings_at_their_column_limits_are_stored_whole(gql, cashier, shop):
    variables = {
        "input": {
            "items": [{"productId": str(shop["soap"].pk), "quantity": "1"}],
            "payments": [{"method": "card", "amount": "10.00", "reference": "r" * 100}],
            "idempotencyKey": "k" * 100,
            "note": "n" * 500,
        }
    }

    payload = gql(cashier)(SALE, variables).payload("createSale")

    assert payload["success"] is True, payload
    assert Payment.objects.get().reference == "r" * 100
    assert Sale.objects.get().note == "n" * 500


def test_receive_stock_batch_number_at_column_limit_is_stored(gql, manager, shop):
    variables = {
        "input": {
            "productId": str(shop["syrup"].pk),
            "quantity": "2",
            "unitCost": "1.00",
            "batchNumber": "b" * 64,
            "expiryDate": "2090-01-01",
        }
    }

    payload = gql(manager)(RECEIVE, variables).payload("receiveStock")

    assert payload["success"] is True, payload
    assert Batch.objects.filter(batch_number="b" * 64).exists()


def test_void_sale_service_refuses_long_reason_instead_of_cutting(cashier, manager, shop):
    from sales import services
    from tests.returns.test_services import sell

    sale = sell(cashier, [(shop["soap"], "1")], [("cash", "10.00")])
    status_before = sale.status

    with pytest.raises(DomainError) as refused:
        services.void_sale(user=manager, sale_id=sale.pk, reason="r" * 501)

    assert (refused.value.code, refused.value.field) == ("MAX_LENGTH", "reason")
    sale.refresh_from_db()
    assert sale.void_reason == ""
    assert (sale.status, sale.voided_at, sale.voided_by_id) == (status_before, None, None)


# --- explicit null for a defaulted argument means the default -----------------------------------


def test_create_sale_null_for_defaulted_fields_uses_the_defaults(gql, cashier, shop):
    variables = {
        "input": {
            "items": [{"productId": str(shop["soap"].pk), "quantity": "1"}],
            "payments": [{"method": "cash", "amount": "20.00"}],
            "saleType": None,
            "keepChangeAsCredit": None,
        }
    }

    payload = gql(cashier)(SALE, variables).payload("createSale")

    assert payload["success"] is True, payload
    sale = Sale.objects.get()
    assert (sale.sale_type, sale.total) == ("retail", Decimal("10.00"))


def test_create_user_null_role_means_the_default_cashier(gql, admin_user):
    from accounts.models import User

    query = f"mutation($input: CreateUserInput!) {{ createUser(input: $input) {{ {RESULT} }} }}"
    variables = {"input": {"username": "newbie", "password": "a-long-enough-passphrase-42", "role": None}}

    payload = gql(admin_user)(query, variables).payload("createUser")

    assert payload["success"] is True, payload
    assert User.objects.get(username="newbie").role == "cashier"


def test_top_products_null_limit_is_the_default_limit(gql, manager, shop):
    query = 'query($limit: Int) { topProducts(limit: $limit, dateFrom: "2026-01-01", dateTo: "2026-01-31") { revenue } }'  # noqa: E501

    response = gql(manager)(query, {"limit": None})

    assert response.payload("topProducts") == []


def test_products_null_is_active_keeps_its_documented_meaning_all(gql, manager, shop):
    Product.objects.filter(pk=shop["soap"].pk).update(is_active=False)
    query = "query($active: Boolean) { products(isActive: $active) { totalCount } }"

    everything = gql(manager)(query, {"active": None}).payload("products")["totalCount"]
    active = gql(manager)(query, {}).payload("products")["totalCount"]

    assert (everything, active) == (Product.objects.count(), Product.objects.count() - 1)


# --- CSV imports use the same parser -------------------------------------------------------------


def test_customer_csv_exponent_credit_limit_is_a_row_error(tmp_path, manager):
    path = tmp_path / "c.csv"
    path.write_text(
        "name,phone,email,address,type,credit_limit,status,notes\nAda,0801,,,retail,1e2,active,\n"
    )
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_customers", str(path), "--user", "manager", stdout=StringIO(), stderr=err)

    assert Customer.objects.count() == 0
    assert "Enter an amount" in err.getvalue()


def test_product_csv_unicode_digit_price_is_a_row_error(manager, shop):
    row = {"sku": "NEW1", "name": "New", "retail_price": "１０.00"}
    content = ",".join(IMPORT_COLUMNS) + "\n" + ",".join(row.get(c, "") for c in IMPORT_COLUMNS) + "\n"

    report = import_products(content, user=manager)

    assert [(e.row, e.column) for e in report.errors] == [(2, "retail_price")]
    assert not Product.objects.filter(sku="NEW1").exists()


# --- running totals stay inside their columns ----------------------------------------------------


def test_record_payment_past_the_balance_column_is_out_of_range(manager, shop):
    from customers import services as customer_services
    from shared.money import MAX_MONEY

    customer = shop["in_credit"]
    Customer.objects.filter(pk=customer.pk).update(balance=-(MAX_MONEY - Decimal("0.50")))

    with pytest.raises(DomainError) as refused:
        customer_services.record_payment(
            user=manager,
            customer_id=customer.pk,
            amount=Decimal("1.00"),
            method="cash",
            keep_excess_as_credit=True,
        )

    assert (refused.value.code, refused.value.field) == ("OUT_OF_RANGE", "amount")
    customer.refresh_from_db()
    assert customer.balance == -(MAX_MONEY - Decimal("0.50"))


def test_receive_stock_past_the_level_column_is_out_of_range(manager, shop):
    from products.models import StockLevel
    from products.services import stock
    from shared.money import MAX_QUANTITY

    level = StockLevel.objects.get(product=shop["soap"], location=shop["location"])
    StockLevel.objects.filter(pk=level.pk).update(quantity=MAX_QUANTITY - Decimal("0.5"))

    with pytest.raises(DomainError) as refused:
        stock.receive_stock(
            user=manager,
            product=shop["soap"],
            location=None,
            quantity=Decimal("1"),
            unit_cost=Decimal("1.00"),
        )

    assert (refused.value.code, refused.value.field) == ("OUT_OF_RANGE", "quantity")
    level.refresh_from_db()
    assert level.quantity == MAX_QUANTITY - Decimal("0.5")
