"""Costs are for managers; batches need an expiry; batch tracking stays fixed and check_ledgers proves it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from products import services
from products.checks import find_ledger_mismatches
from products.models import Product
from returns import services as return_services
from returns.services import ReturnLineRequest
from sales import services as sale_services
from sales.services import PaymentRequest, SaleLineRequest, SaleRequest
from shared.errors import DomainError
from tests.products.factories import BatchProductFactory
from tests.products.helpers import stock_snapshot

D = Decimal
RESULT = "success message errors { field code message }"
PRODUCT_COSTS = """query($id: ID!) { product(id: $id) {
  retailPrice costPrice batches { batchNumber unitCost } } }"""
MOVEMENT_COSTS = "{ stockMovements(first: 20) { edges { node { movementType quantity unitCost } } } }"
SALE_COSTS = """query($t: String!) { sale(transactionId: $t) {
  items { total batches { quantity batch { batchNumber unitCost } } }
  returns { items { saleItem { batches { batch { unitCost } } } } } } }"""
RECEIVE_STOCK = f"mutation($input: ReceiveStockInput!) {{ receiveStock(input: $input) {{ {RESULT} }} }}"
UPDATE_PRODUCT = f"mutation($input: UpdateProductInput!) {{ updateProduct(input: $input) {{ {RESULT} }} }}"


@pytest.fixture
def syrup(manager, shop, today):
    product = BatchProductFactory(name="Syrup", retail_price=D("12.00"))
    services.receive_stock(
        user=manager,
        product=product,
        location=shop,
        quantity=5,
        unit_cost=D("4.25"),
        batch_number="L1",
        expiry_date=today + timedelta(days=90),
    )
    return product


@pytest.fixture
def sold_and_returned(cashier, syrup):
    sale = sale_services.create_sale(
        user=cashier,
        request=SaleRequest(
            items=[SaleLineRequest(product_id=syrup.pk, quantity=D("2"))],
            payments=[PaymentRequest("cash", D("24.00"))],
        ),
    ).sale
    return_services.create_return(
        user=cashier,
        sale_id=sale.pk,
        lines=[ReturnLineRequest(sale_item_id=sale.items.get().pk, quantity=D("1"))],
        refund_method="cash",
    )
    return sale


# --- cost visibility --------------------------------------------------------------------------


def test_product_and_batch_costs_are_null_for_a_cashier(as_cashier, syrup):
    seen = as_cashier(PRODUCT_COSTS, {"id": str(syrup.pk)}).payload("product")

    assert seen == {
        "retailPrice": "12.00",
        "costPrice": None,
        "batches": [{"batchNumber": "L1", "unitCost": None}],
    }


def test_product_and_batch_costs_are_shown_to_a_manager(as_manager, syrup):
    seen = as_manager(PRODUCT_COSTS, {"id": str(syrup.pk)}).payload("product")

    assert seen == {
        "retailPrice": "12.00",
        "costPrice": "4.25",
        "batches": [{"batchNumber": "L1", "unitCost": "4.25"}],
    }


def test_movement_costs_are_null_for_a_cashier_and_shown_to_a_manager(as_cashier, as_manager, syrup):
    cashier_view = as_cashier(MOVEMENT_COSTS).payload("stockMovements")["edges"]
    manager_view = as_manager(MOVEMENT_COSTS).payload("stockMovements")["edges"]

    assert [e["node"]["unitCost"] for e in cashier_view] == [None]
    assert [e["node"]["unitCost"] for e in manager_view] == ["4.25"]


def test_sale_and_return_batch_costs_are_null_for_a_cashier(as_cashier, as_manager, sold_and_returned):
    variables = {"t": sold_and_returned.transaction_id}

    cashier_view = as_cashier(SALE_COSTS, variables).payload("sale")
    manager_view = as_manager(SALE_COSTS, variables).payload("sale")

    assert cashier_view["items"][0]["batches"][0]["batch"]["unitCost"] is None
    assert cashier_view["returns"][0]["items"][0]["saleItem"]["batches"][0]["batch"]["unitCost"] is None
    assert manager_view["items"][0]["batches"][0]["batch"]["unitCost"] == "4.25"
    assert manager_view["returns"][0]["items"][0]["saleItem"]["batches"][0]["batch"]["unitCost"] == "4.25"


def test_product_by_code_cost_is_null_for_a_cashier(as_cashier, syrup):
    query = "query($c: String!) { productByCode(code: $c) { costPrice } }"

    assert as_cashier(query, {"c": syrup.sku}).payload("productByCode") == {"costPrice": None}


# --- expiry on receipt ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expiry,expected",
    [
        (None, ("expiryDate", "REQUIRED")),
        (-1, ("expiryDate", "BATCH_EXPIRED")),
        (365 * 101, ("expiryDate", "INVALID")),
    ],
)
def test_receive_stock_batch_expiry_is_required_and_sane(as_manager, shop, today, expiry, expected):
    product = BatchProductFactory()
    before = stock_snapshot()
    variables = {
        "input": {"productId": str(product.pk), "quantity": "5", "unitCost": "1.00", "batchNumber": "L9"}
    }
    if expiry is not None:
        variables["input"]["expiryDate"] = (today + timedelta(days=expiry)).isoformat()

    payload = as_manager(RECEIVE_STOCK, variables).payload("receiveStock")

    assert [(e["field"], e["code"]) for e in payload["errors"]] == [expected]
    assert stock_snapshot() == before


# --- batch tracking and check_ledgers ---------------------------------------------------------


def test_update_product_refuses_switching_off_tracking_with_batch_stock(as_manager, manager, syrup):
    payload = as_manager(
        UPDATE_PRODUCT, {"input": {"productId": str(syrup.pk), "trackBatches": False}}
    ).payload("updateProduct")

    with pytest.raises(DomainError) as caught:
        services.update_product(user=manager, product=syrup, track_batches=False)

    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("trackBatches", "TRACKING_LOCKED")]
    assert caught.value.code == "TRACKING_LOCKED"
    assert Product.objects.get(pk=syrup.pk).track_batches is True


def test_check_ledgers_reports_tracking_switched_off_around_the_service(shop, syrup, stocked):
    assert find_ledger_mismatches() == []
    # What a form that saves the model directly used to do.
    Product.objects.filter(pk=syrup.pk).update(track_batches=False)

    problems = find_ledger_mismatches()

    assert problems == [
        f"product={syrup.pk} location={shop.pk} does not track batches but its batches hold 5.000"
    ]
    with pytest.raises(CommandError):
        call_command("check_ledgers")


def test_check_ledgers_reports_a_tracked_product_whose_level_escaped_its_batches(shop, stocked):
    plain = stocked("3")
    # Tracking switched on around the service: the level holds 3 that no batch accounts for.
    Product.objects.filter(pk=plain.pk).update(track_batches=True)

    assert find_ledger_mismatches() == [
        f"batch-tracked product={plain.pk} location={shop.pk}: stock level 3.000, batches sum to 0.000"
    ]


def test_adjustment_and_transfer_are_valued_at_todays_average_even_from_a_stale_instance(
    manager, shop, store_room, stocked
):
    product = stocked("10", unit_cost="4.00")
    stale = Product.objects.get(pk=product.pk)  # an admin form loaded before the next delivery
    services.receive_stock(user=manager, product=product, location=shop, quantity=10, unit_cost=D("6.00"))
    assert stale.cost_price == D("4.00") and Product.objects.get(pk=product.pk).cost_price == D("5.00")

    adjusted = services.adjust_stock(
        user=manager, product=stale, location=shop, reason="breakage", delta="-1"
    )
    moved = services.transfer_stock(
        user=manager, product=stale, from_location=shop, to_location=store_room, quantity="2"
    )

    assert adjusted.unit_cost == D("5.00")
    assert {m.unit_cost for m in moved.out_movements + moved.in_movements} == {D("5.00")}
    assert find_ledger_mismatches() == []
