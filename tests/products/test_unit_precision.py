"""Whole quantities for goods sold by the piece, decimals for weighed goods, wherever a quantity enters."""

from datetime import timedelta
from decimal import Decimal

import pytest

from products import services
from products.csv_io import import_products
from products.models import Batch, Product
from returns import services as return_services
from returns.services import ReturnLineRequest
from sales import services as sale_services
from sales.services import PaymentRequest, SaleLineRequest, SaleRequest
from shared.errors import DomainError
from tests.products.factories import BatchProductFactory, ProductFactory
from tests.products.helpers import stock_snapshot

D = Decimal
RESULT = "success message errors { field code message }"
PIECE_MESSAGE = "Cola 330ml is sold by the piece: enter a whole number."
CREATE_SALE = f"mutation($input: SaleInput!) {{ createSale(input: $input) {{ {RESULT} sale {{ id }} }} }}"
PRICE_SALE = f"query($input: SaleInput!) {{ priceSale(input: $input) {{ {RESULT} }} }}"
CREATE_PRODUCT = f"""mutation($input: CreateProductInput!) {{ createProduct(input: $input) {{ {RESULT}
  product {{ sku unit quantityDecimals }} }} }}"""
UPDATE_PRODUCT = f"""mutation($input: UpdateProductInput!) {{ updateProduct(input: $input) {{ {RESULT}
  product {{ quantityDecimals }} }} }}"""
RECEIVE_STOCK = f"mutation($input: ReceiveStockInput!) {{ receiveStock(input: $input) {{ {RESULT} }} }}"
CREATE_RETURN = f"mutation($input: CreateReturnInput!) {{ createReturn(input: $input) {{ {RESULT} }} }}"


@pytest.fixture
def cola(manager, shop):
    product = ProductFactory(name="Cola 330ml", retail_price=D("1.50"))
    services.receive_stock(user=manager, product=product, location=shop, quantity=24, unit_cost=D("0.60"))
    return product


@pytest.fixture
def sugar(manager, shop):
    product = ProductFactory(name="Sugar (loose)", unit="kg", quantity_decimals=3, retail_price=D("3.20"))
    services.receive_stock(user=manager, product=product, location=shop, quantity=D("10.5"), unit_cost=D("2"))
    return product


def refusal(call):
    with pytest.raises(DomainError) as caught:
        call()
    return [(e.code, e.field, e.message) for e in caught.value.errors]


def sale_input(*lines, payment="100.00"):
    return {
        "input": {
            "items": [{"productId": str(p.pk), "quantity": q} for p, q in lines],
            "payments": [{"method": "cash", "amount": payment}],
        }
    }


def errors_of(payload):
    return [(e["field"], e["code"], e["message"]) for e in payload["errors"]]


# --- the catalogue ----------------------------------------------------------------------------


def test_create_product_defaults_to_whole_pieces_and_decimals_for_weighed_units(manager):
    piece = services.create_product(user=manager, sku="COLA", name="Cola", retail_price="1.50")
    weighed = services.create_product(user=manager, sku="RICE", name="Rice", retail_price="2", unit="KG")
    chosen = services.create_product(
        user=manager, sku="RIB", name="Ribbon", retail_price="1", quantity_decimals=2
    )

    assert (piece.quantity_decimals, weighed.quantity_decimals, chosen.quantity_decimals) == (0, 3, 2)


@pytest.mark.parametrize("value", [4, -1, True, "2"])
def test_create_product_quantity_decimals_out_of_range_is_invalid(manager, value):
    assert refusal(
        lambda: services.create_product(
            user=manager, sku="X", name="X", retail_price="1", quantity_decimals=value
        )
    )[0][:2] == ("INVALID", "quantityDecimals")


def test_create_and_update_product_expose_quantity_decimals(as_manager, as_cashier):
    created = as_manager(
        CREATE_PRODUCT, {"input": {"sku": "FLOUR", "name": "Flour", "retailPrice": "2.00", "unit": "kg"}}
    ).payload("createProduct")
    product = Product.objects.get(sku="FLOUR")

    updated = as_manager(
        UPDATE_PRODUCT, {"input": {"productId": str(product.pk), "quantityDecimals": 1}}
    ).payload("updateProduct")
    refused = as_manager(
        UPDATE_PRODUCT, {"input": {"productId": str(product.pk), "quantityDecimals": 5}}
    ).payload("updateProduct")

    assert created["product"] == {"sku": "FLOUR", "unit": "kg", "quantityDecimals": 3}
    assert updated["product"] == {"quantityDecimals": 1}
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("quantityDecimals", "INVALID")]
    assert as_cashier(
        "query($id: ID!) { product(id: $id) { quantityDecimals } }", {"id": str(product.pk)}
    ).payload("product") == {"quantityDecimals": 1}


def test_update_product_cannot_strand_fractional_stock(manager, sugar):
    assert refusal(lambda: services.update_product(user=manager, product=sugar, quantity_decimals=0))[0][
        :2
    ] == (
        "INVALID",
        "quantityDecimals",
    )
    services.update_product(user=manager, product=sugar, quantity_decimals=1)  # 10.5 still fits

    assert Product.objects.get(pk=sugar.pk).quantity_decimals == 1


def test_demo_weighed_goods_keep_decimals(db):
    from io import StringIO

    from products import demo

    demo.seed(StringIO())

    assert Product.objects.get(sku="GRC-003").quantity_decimals == 3
    assert set(Product.objects.exclude(unit="kg").values_list("quantity_decimals", flat=True)) == {0}


# --- stock services ---------------------------------------------------------------------------


def test_receive_half_a_piece_is_refused_and_changes_nothing(manager, shop, cola):
    before = stock_snapshot()

    errors = refusal(
        lambda: services.receive_stock(
            user=manager, product=cola, location=shop, quantity="0.5", unit_cost="1"
        )
    )

    assert errors == [("INVALID", "quantity", PIECE_MESSAGE)]
    assert stock_snapshot() == before


def test_receive_weighed_goods_keep_three_decimals(manager, shop, sugar):
    movement = services.receive_stock(
        user=manager, product=sugar, location=shop, quantity="0.125", unit_cost="2"
    )

    assert movement.quantity == D("0.125")


def test_adjust_and_transfer_half_a_piece_are_refused(manager, shop, store_room, cola):
    before = stock_snapshot()

    counted = refusal(
        lambda: services.adjust_stock(
            user=manager, product=cola, location=shop, reason="Count", counted_quantity="23.5"
        )
    )
    delta = refusal(
        lambda: services.adjust_stock(user=manager, product=cola, location=shop, reason="Found", delta="-0.5")
    )
    moved = refusal(
        lambda: services.transfer_stock(
            user=manager, product=cola, from_location=shop, to_location=store_room, quantity="1.5"
        )
    )

    assert [counted[0][:2], delta[0][:2], moved[0][:2]] == [
        ("INVALID", "countedQuantity"),
        ("INVALID", "delta"),
        ("INVALID", "quantity"),
    ]
    assert stock_snapshot() == before


def test_deduct_stock_half_a_piece_is_refused_on_the_line(cashier, shop, cola, sugar):
    requests = [services.StockRequest(sugar.pk, D("0.5")), services.StockRequest(cola.pk, D("0.5"))]

    errors = refusal(
        lambda: services.deduct_stock(
            user=cashier, location=shop, requests=requests, reference_type="sale", reference_id=1
        )
    )

    assert errors == [("INVALID", "items.1.quantity", PIECE_MESSAGE)]


def test_return_stock_half_a_piece_is_refused(manager, shop, cola):
    assert refusal(
        lambda: services.return_stock(
            user=manager,
            location=shop,
            product_id=cola.pk,
            quantity="0.5",
            batch_id=None,
            unit_cost="0.60",
            movement_type="return",
            reference_type="return",
            reference_id=1,
        )
    ) == [("INVALID", "quantity", PIECE_MESSAGE)]


# --- the till and returns ---------------------------------------------------------------------


def test_create_sale_half_a_can_is_refused_with_the_line_path(as_cashier, cola, sugar):
    before = stock_snapshot()

    payload = as_cashier(CREATE_SALE, sale_input((sugar, "0.5"), (cola, "0.5"))).payload("createSale")

    assert payload["success"] is False
    assert errors_of(payload) == [("items.1.quantity", "INVALID", PIECE_MESSAGE)]
    assert stock_snapshot() == before


def test_price_sale_half_a_can_is_refused(as_cashier, cola):
    payload = as_cashier(PRICE_SALE, sale_input((cola, "0.5"))).payload("priceSale")

    assert errors_of(payload) == [("items.0.quantity", "INVALID", PIECE_MESSAGE)]


def test_create_sale_whole_cans_and_weighed_sugar_succeed(as_cashier, cola, sugar):
    payload = as_cashier(CREATE_SALE, sale_input((cola, "2"), (sugar, "0.750"))).payload("createSale")

    assert payload["success"], payload


def test_create_return_half_a_can_is_refused(as_cashier, cashier, cola):
    sale = sale_services.create_sale(
        user=cashier,
        request=SaleRequest(
            items=[SaleLineRequest(product_id=cola.pk, quantity=D("2"))],
            payments=[PaymentRequest("cash", D("3.00"))],
        ),
    ).sale
    item = sale.items.get()

    payload = as_cashier(
        CREATE_RETURN,
        {
            "input": {
                "saleId": str(sale.pk),
                "items": [{"saleItemId": str(item.pk), "quantity": "0.5"}],
                "refundMethod": "CASH",
            }
        },
    ).payload("createReturn")
    whole = return_services.create_return(
        user=cashier,
        sale_id=sale.pk,
        lines=[ReturnLineRequest(sale_item_id=item.pk, quantity=D("1"))],
        refund_method="cash",
    )

    assert errors_of(payload) == [("items.0.quantity", "INVALID", PIECE_MESSAGE)]
    assert whole.items.get().quantity == D("1")


# --- CSV ----------------------------------------------------------------------------------------


def csv_of(*rows):
    headers = sorted({key for row in rows for key in row})
    lines = [",".join(headers)] + [",".join(str(row.get(h, "")) for h in headers) for row in rows]
    return "\n".join(lines) + "\n"


def test_csv_opening_half_a_piece_is_refused_and_weighed_goods_pass(manager, shop):
    content = csv_of(
        {"sku": "CAN", "name": "Can", "retail_price": "1.00", "opening_quantity": "2.5"},
        {"sku": "OATS", "name": "Oats", "retail_price": "1.00", "unit": "kg", "opening_quantity": "2.5"},
    )

    report = import_products(content, user=manager)

    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "opening_quantity", "Can is sold by the piece: enter a whole number.")
    ]
    assert not Product.objects.exists()


def test_csv_quantity_decimals_column(manager, shop):
    content = csv_of(
        {
            "sku": "CHEESE",
            "name": "Cheese",
            "retail_price": "9",
            "quantity_decimals": "3",
            "opening_quantity": "1.25",
        },
        {"sku": "BAD", "name": "Bad", "retail_price": "1", "quantity_decimals": "7"},
    )

    report = import_products(content, user=manager)
    fixed = import_products(content.replace(",7,", ",0,"), user=manager)

    assert [(e.row, e.column) for e in report.errors] == [(3, "quantity_decimals")]
    assert fixed.ok, fixed.errors
    assert dict(Product.objects.values_list("sku", "quantity_decimals")) == {"CHEESE": 3, "BAD": 0}


def test_csv_batch_opening_needs_an_expiry_date(manager, shop, today):
    content = csv_of(
        {
            "sku": "MED",
            "name": "Med",
            "retail_price": "1",
            "track_batches": "true",
            "opening_quantity": "5",
            "batch_number": "L1",
        },
    )

    report = import_products(content, user=manager)
    dated = import_products(
        content.replace("L1", f"L1,{today + timedelta(days=30)}").replace(
            "batch_number", "batch_number,expiry_date"
        ),
        user=manager,
    )

    assert [(e.row, e.column) for e in report.errors] == [(2, "expiry_date")]
    assert dated.ok, dated.errors
    assert Batch.objects.get().expiry_date == today + timedelta(days=30)


def test_batch_product_receipt_without_expiry_is_required(manager, shop):
    medicine = BatchProductFactory(name="Syrup")
    before = stock_snapshot()

    errors = refusal(
        lambda: services.receive_stock(
            user=manager, product=medicine, location=shop, quantity=5, unit_cost="1", batch_number="L1"
        )
    )

    assert errors == [("REQUIRED", "expiryDate", "Syrup tracks expiry: give the batch's expiry date.")]
    assert stock_snapshot() == before
