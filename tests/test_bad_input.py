"""Bad input of every class gets a coded refusal, never an internal error, and changes nothing.

One row per case: (operation document, variables, where the error is, code, field). `where` is
"payload" (success false, errors[0]) or "top" (a top-level GraphQL error with extensions.code and,
where one input is at fault, extensions.field). Rows with code None are refusals graphql-core itself
makes (unknown enum values, wrong literal types): they must be a 400 with a message, not a 500.
Runs on SQLite and PostgreSQL (where a too-long string would otherwise be a database error).
"""

from __future__ import annotations

import pytest
from django.db.models import Sum
from graphql_relay import to_global_id

from customers.models import Customer, CustomerLedgerEntry, CustomerPayment
from products.models import Batch, Product, StockLevel, StockMovement
from returns.models import Return
from sales.models import Payment, Sale
from tests.conftest import GraphQLClient

RESULT = "success errors { field code message }"
SALE = f"mutation($input: SaleInput!) {{ createSale(input: $input) {{ {RESULT} }} }}"
SALE_QTY = (
    "mutation($q: Quantity!, $p: ID!) { createSale(input: {items: [{productId: $p, quantity: $q}], "
    f'payments: [{{method: "cash", amount: "100.00"}}]}}) {{ {RESULT} }} }}'
)
SALE_AMOUNT = (
    "mutation($a: Money!, $p: ID!) { createSale(input: {items: [{productId: $p, quantity: 1}], "
    f'payments: [{{method: "cash", amount: $a}}]}}) {{ {RESULT} }} }}'
)
VOID = f"mutation($input: VoidSaleInput!) {{ voidSale(input: $input) {{ {RESULT} }} }}"
RETURN = f"mutation($input: CreateReturnInput!) {{ createReturn(input: $input) {{ {RESULT} }} }}"
PAY = f"mutation($input: RecordPaymentInput!) {{ recordPayment(input: $input) {{ {RESULT} }} }}"
CUSTOMER = f"mutation($input: CreateCustomerInput!) {{ createCustomer(input: $input) {{ {RESULT} }} }}"
UPDATE_PRODUCT = f"mutation($input: UpdateProductInput!) {{ updateProduct(input: $input) {{ {RESULT} }} }}"
RECEIVE = f"mutation($input: ReceiveStockInput!) {{ receiveStock(input: $input) {{ {RESULT} }} }}"
ADJUST = f"mutation($input: AdjustStockInput!) {{ adjustStock(input: $input) {{ {RESULT} }} }}"
PRODUCTS = "query($first: Int, $last: Int, $offset: Int, $after: String) { products(first: $first, last: $last, offset: $offset, after: $after) { totalCount } }"  # noqa: E501
SALES = "query($from: Date, $to: Date) { sales(dateFrom: $from, dateTo: $to) { totalCount } }"
STATS = "query($from: Date!, $to: Date!) { salesStats(dateFrom: $from, dateTo: $to) { totalSales } }"
REVENUE = "query($g: Granularity!, $from: Date!, $to: Date!) { revenueByPeriod(granularity: $g, dateFrom: $from, dateTo: $to) { start } }"  # noqa: E501
TOP = 'query($limit: Int) { topProducts(limit: $limit, dateFrom: "2026-01-01", dateTo: "2026-01-31") { revenue } }'
STATEMENT = "query($c: ID!, $from: Date!, $to: Date!) { customerStatement(customerId: $c, dateFrom: $from, dateTo: $to) { closingBalance } }"  # noqa: E501
CUSTOMER_SALES = "query($c: ID!) { customer(id: $c) { sales(first: 101) { totalCount } } }"
EXPIRING = "query($days: Int) { expiringBatches(withinDays: $days) { totalCount } }"

SOAP = "{soap}"  # replaced by the soap product's id
SYRUP = "{syrup}"
CUSTOMER_ID = "{customer}"


def sale_input(**overrides):
    base = {
        "items": [{"productId": SOAP, "quantity": 1}],
        "payments": [{"method": "cash", "amount": "10.00"}],
    }
    return {"input": {**base, **overrides}}


# (case id, document, variables, where, code, field)
CASES = [
    # 1. one parser for money and quantities
    ("quantity_exponent", SALE_QTY, {"q": "1e30", "p": SOAP}, "top", "INVALID", None),
    ("quantity_underscore", SALE_QTY, {"q": "1_0", "p": SOAP}, "top", "INVALID", None),
    ("quantity_fullwidth_digits", SALE_QTY, {"q": "１０", "p": SOAP}, "top", "INVALID", None),
    ("quantity_arabic_indic_digits", SALE_QTY, {"q": "١٠", "p": SOAP}, "top", "INVALID", None),
    ("quantity_inner_space", SALE_QTY, {"q": "1 0", "p": SOAP}, "top", "INVALID", None),
    ("quantity_float", SALE_QTY, {"q": 1.5, "p": SOAP}, "top", "INVALID", None),
    ("money_exponent", SALE_AMOUNT, {"a": "1e2", "p": SOAP}, "top", "INVALID", None),
    ("money_nan", SALE_AMOUNT, {"a": "NaN", "p": SOAP}, "top", "INVALID", None),
    (
        "money_literal_exponent",
        SALE.replace("($input: SaleInput!)", "").replace(
            "(input: $input)",
            '(input: {items: [{productId: "1", quantity: 1}], payments: [{method: "cash", amount: "1e2"}]})',
        ),
        None,
        "top",
        "INVALID",
        None,
    ),  # noqa: E501
    (
        "money_three_places",
        SALE,
        sale_input(payments=[{"method": "cash", "amount": "10.005"}]),
        "payload",
        "INVALID",
        "payments.0.amount",
    ),  # noqa: E501
    # 2. range limits (settings.INPUT_MAX_AMOUNT / INPUT_MAX_QUANTITY; rates 0..1)
    ("quantity_over_limit", SALE_QTY, {"q": "1000000", "p": SOAP}, "top", "OUT_OF_RANGE", None),
    ("money_over_limit", SALE_AMOUNT, {"a": "100000000.00", "p": SOAP}, "top", "OUT_OF_RANGE", None),
    (
        "payment_over_limit",
        PAY,
        {"input": {"customerId": CUSTOMER_ID, "amount": "100000000.00", "method": "CASH"}},
        "top",
        "OUT_OF_RANGE",
        None,
    ),  # noqa: E501
    (
        "cost_over_limit",
        RECEIVE,
        {"input": {"productId": SOAP, "quantity": 1, "unitCost": "100000000.00"}},
        "top",
        "OUT_OF_RANGE",
        None,
    ),  # noqa: E501
    (
        "delta_over_limit",
        ADJUST,
        {"input": {"productId": SOAP, "delta": "-1000000", "reason": "count"}},
        "top",
        "OUT_OF_RANGE",
        None,
    ),  # noqa: E501
    (
        "tax_rate_above_one",
        UPDATE_PRODUCT,
        {"input": {"productId": SOAP, "taxRate": "1.5"}},
        "payload",
        "INVALID",
        "taxRate",
    ),  # noqa: E501
    (
        "tax_rate_past_column",
        UPDATE_PRODUCT,
        {"input": {"productId": SOAP, "taxRate": "100"}},
        "top",
        "OUT_OF_RANGE",
        None,
    ),  # noqa: E501
    # 3. ids
    (
        "id_underscore",
        SALE,
        sale_input(items=[{"productId": "1_0", "quantity": 1}]),
        "payload",
        "NOT_FOUND",
        "items.0.productId",
    ),  # noqa: E501
    (
        "id_fullwidth",
        SALE,
        sale_input(items=[{"productId": "１", "quantity": 1}]),
        "payload",
        "NOT_FOUND",
        "items.0.productId",
    ),  # noqa: E501
    (
        "id_plus_sign",
        SALE,
        sale_input(items=[{"productId": "+1", "quantity": 1}]),
        "payload",
        "NOT_FOUND",
        "items.0.productId",
    ),  # noqa: E501
    (
        "id_leading_space",
        SALE,
        sale_input(items=[{"productId": " 1", "quantity": 1}]),
        "payload",
        "NOT_FOUND",
        "items.0.productId",
    ),  # noqa: E501
    (
        "id_past_64_bits",
        SALE,
        sale_input(items=[{"productId": "99999999999999999999999", "quantity": 1}]),
        "payload",
        "NOT_FOUND",
        "items.0.productId",
    ),  # noqa: E501
    (
        "id_of_another_type",
        SALE,
        sale_input(items=[{"productId": to_global_id("Customer", 1), "quantity": 1}]),
        "payload",
        "NOT_FOUND",
        "items.0.productId",
    ),  # noqa: E501
    ("id_garbage", SALE, sale_input(customerId="not an id"), "payload", "NOT_FOUND", "customerId"),
    # 4. strings longer than their column: MAX_LENGTH, never cut, never a database error
    (
        "payment_reference_too_long",
        SALE,
        sale_input(payments=[{"method": "card", "amount": "10.00", "reference": "r" * 101}]),
        "payload",
        "MAX_LENGTH",
        "payments.0.reference",
    ),  # noqa: E501
    (
        "idempotency_key_too_long",
        SALE,
        sale_input(idempotencyKey="k" * 101),
        "payload",
        "MAX_LENGTH",
        "idempotencyKey",
    ),  # noqa: E501
    ("sale_note_too_long", SALE, sale_input(note="n" * 501), "payload", "MAX_LENGTH", "note"),
    (
        "batch_number_too_long",
        RECEIVE,
        {
            "input": {
                "productId": SYRUP,
                "quantity": 1,
                "unitCost": "1.00",
                "batchNumber": "b" * 65,
                "expiryDate": "2090-01-01",
            }
        },
        "payload",
        "MAX_LENGTH",
        "batchNumber",
    ),  # noqa: E501
    (
        "void_reason_too_long",
        VOID,
        {"input": {"id": "1", "reason": "r" * 501}},
        "payload",
        "MAX_LENGTH",
        "reason",
    ),
    (
        "return_reason_too_long",
        RETURN,
        {
            "input": {
                "saleId": "1",
                "refundMethod": "CASH",
                "items": [{"saleItemId": "1", "quantity": 1, "reason": "r" * 256}],
            }
        },
        "payload",
        "MAX_LENGTH",
        "items.0.reason",
    ),  # noqa: E501
    ("customer_name_too_long", CUSTOMER, {"input": {"name": "n" * 201}}, "payload", "MAX_LENGTH", "name"),
    (
        "customer_notes_past_text_limit",
        CUSTOMER,
        {"input": {"name": "Ann", "notes": "n" * 2001}},
        "payload",
        "MAX_LENGTH",
        "notes",
    ),  # noqa: E501
    (
        "adjust_reason_too_long",
        ADJUST,
        {"input": {"productId": SOAP, "delta": "1", "reason": "r" * 256}},
        "payload",
        "MAX_LENGTH",
        "reason",
    ),  # noqa: E501
    (
        "payment_note_too_long",
        PAY,
        {"input": {"customerId": CUSTOMER_ID, "amount": "1.00", "method": "CASH", "note": "n" * 501}},
        "payload",
        "MAX_LENGTH",
        "note",
    ),  # noqa: E501
    # 5. lists
    ("page_over_max", PRODUCTS, {"first": 101}, "top", "OUT_OF_RANGE", "first"),
    ("last_over_max", PRODUCTS, {"last": 101}, "top", "OUT_OF_RANGE", "last"),
    ("page_negative", PRODUCTS, {"first": -1}, "top", "INVALID", "first"),
    ("offset_negative", PRODUCTS, {"offset": -5}, "top", "INVALID", "offset"),
    ("cursor_garbage", PRODUCTS, {"after": "zzz"}, "top", "INVALID", "after"),
    ("nested_page_over_max", CUSTOMER_SALES, {"c": CUSTOMER_ID}, "top", "OUT_OF_RANGE", "first"),
    ("report_limit_over_max", TOP, {"limit": 1000}, "top", "OUT_OF_RANGE", "limit"),
    ("report_limit_negative", TOP, {"limit": -1}, "top", "OUT_OF_RANGE", "limit"),
    # 6. booleans are not numbers, numbers not booleans, enums closed
    (
        "tax_rate_true_literal",
        UPDATE_PRODUCT.replace("($input: UpdateProductInput!)", "").replace(
            "(input: $input)", '(input: {productId: "1", taxRate: true})'
        ),
        None,
        "top",
        "INVALID",
        None,
    ),  # noqa: E501
    (
        "tax_rate_true_variable",
        UPDATE_PRODUCT,
        {"input": {"productId": SOAP, "taxRate": True}},
        "top",
        "INVALID",
        None,
    ),  # noqa: E501
    ("quantity_true", SALE_QTY, {"q": True, "p": SOAP}, "top", "INVALID", None),
    ("money_false", SALE_AMOUNT, {"a": False, "p": SOAP}, "top", "INVALID", None),
    ("boolean_from_number", SALE, sale_input(keepChangeAsCredit=1), "top", None, None),
    (
        "enum_unknown",
        RETURN,
        {"input": {"saleId": "1", "refundMethod": "BOGUS", "items": []}},
        "top",
        None,
        None,
    ),
    # 7. dates
    ("date_year_one", STATS, {"from": "0001-01-01", "to": "2026-01-01"}, "top", "OUT_OF_RANGE", "dateFrom"),
    ("date_year_9999", STATS, {"from": "2026-01-01", "to": "9999-12-31"}, "top", "OUT_OF_RANGE", "dateTo"),
    ("date_from_after_to", STATS, {"from": "2026-02-01", "to": "2026-01-01"}, "top", "INVALID", "dateFrom"),
    (
        "day_report_too_long",
        REVENUE,
        {"g": "DAY", "from": "2020-01-01", "to": "2026-01-01"},
        "top",
        "OUT_OF_RANGE",
        "dateTo",
    ),  # noqa: E501
    (
        "list_filter_year_9999",
        SALES,
        {"from": "2026-01-01", "to": "9999-12-31"},
        "top",
        "OUT_OF_RANGE",
        "dateTo",
    ),
    (
        "list_filter_from_after_to",
        SALES,
        {"from": "2026-02-01", "to": "2026-01-01"},
        "top",
        "INVALID",
        "dateFrom",
    ),
    (
        "statement_year_one",
        STATEMENT,
        {"c": CUSTOMER_ID, "from": "0001-01-01", "to": "2026-01-01"},
        "top",
        "OUT_OF_RANGE",
        "dateFrom",
    ),  # noqa: E501
    ("within_days_overflow", EXPIRING, {"days": 99999999}, "top", "OUT_OF_RANGE", "withinDays"),
]


def _fill(value, ids):
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, dict):
        return {key: _fill(child, ids) for key, child in value.items()}
    if isinstance(value, list):
        return [_fill(child, ids) for child in value]
    return value


def snapshot() -> tuple:
    """Everything a refused request could have touched."""
    return (
        Sale.objects.count(),
        Payment.objects.count(),
        Return.objects.count(),
        Customer.objects.count(),
        CustomerLedgerEntry.objects.count(),
        CustomerPayment.objects.count(),
        StockMovement.objects.count(),
        Batch.objects.count(),
        StockLevel.objects.aggregate(total=Sum("quantity"))["total"],
        sorted(Product.objects.values_list("pk", "tax_rate", "retail_price")),
        sorted(Customer.objects.values_list("pk", "balance")),
    )


@pytest.mark.parametrize(
    ("document", "variables", "where", "code", "field"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)  # noqa: E501
def test_bad_input_is_refused_with_a_code_and_changes_nothing(
    manager, shop, document, variables, where, code, field
):  # noqa: E501
    ids = {SOAP: str(shop["soap"].pk), SYRUP: str(shop["syrup"].pk), CUSTOMER_ID: str(shop["regular"].pk)}
    before = snapshot()

    response = GraphQLClient(manager)(document, _fill(variables, ids))

    assert response.status_code in (200, 400), response.body
    if where == "payload":
        assert not response.errors, response.errors
        (payload,) = response.data.values()
        assert payload["success"] is False
        assert (payload["errors"][0]["code"], payload["errors"][0]["field"]) == (code, field), payload
    else:
        assert response.errors, response.body
        error = response.errors[0]
        extensions = error.get("extensions", {})
        assert extensions.get("code") != "INTERNAL_SERVER_ERROR", error
        assert error["message"]
        assert extensions.get("code") == code, error
        if field is not None:
            assert extensions.get("field") == field, error
    assert snapshot() == before
