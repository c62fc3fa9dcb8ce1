"""GraphQL round trips for purchase orders and stocktakes."""

import pytest

from products import services as product_services
from products.models import StockLevel
from purchasing import services
from purchasing.models import PurchaseOrder
from tests.products.factories import LocationFactory, ProductFactory, SupplierFactory
from tests.purchasing.factories import D, draft_order, ordered

pytestmark = pytest.mark.django_db

PAYLOAD = "success message errors { field code message }"
PO_FIELDS = """purchaseOrder { id number status total supplier { name } location { name }
  lines { id quantity unitCost receivedQuantity outstandingQuantity lineTotal product { sku } }
  receipts { supplierInvoice landedCost lines { lineId quantity invoiceUnitCost unitCost
    landedCostAmount priceVarianceAmount } } }"""
CREATE = f"""mutation($input: CreatePurchaseOrderInput!) {{
  createPurchaseOrder(input: $input) {{ {PAYLOAD} {PO_FIELDS} }} }}"""
ORDER = f"""mutation($id: ID!) {{
  orderPurchaseOrder(input: {{purchaseOrderId: $id}}) {{ {PAYLOAD} {PO_FIELDS} }} }}"""
CANCEL = f"""mutation($id: ID!) {{
  cancelPurchaseOrder(input: {{purchaseOrderId: $id}}) {{ {PAYLOAD} purchaseOrder {{ status }} }} }}"""
UPDATE = f"""mutation($input: UpdatePurchaseOrderInput!) {{
  updatePurchaseOrder(input: $input) {{ {PAYLOAD} }} }}"""
RECEIVE = f"""mutation($input: ReceivePurchaseOrderInput!) {{
  receivePurchaseOrder(input: $input) {{ {PAYLOAD} {PO_FIELDS} receipt {{ landedCost }} }} }}"""
ONE = "query($id: ID!) { purchaseOrder(id: $id) { number status } }"
LIST = """query($status: PurchaseOrderStatus) { purchaseOrders(first: 10, status: $status) {
  totalCount edges { node { number status } } } }"""
START = f"""mutation($input: StartStocktakeInput!) {{
  startStocktake(input: $input) {{ {PAYLOAD} stocktake {{ id label status scope location {{ name }} }} }} }}"""
COUNT = f"""mutation($input: RecordCountInput!) {{
  recordCount(input: $input) {{ {PAYLOAD} count {{ counted quantityAtCount product {{ sku }} }} }} }}"""
FINALIZE = f"""mutation($input: FinalizeStocktakeInput!) {{
  finalizeStocktake(input: $input) {{ {PAYLOAD} stocktake {{ status uncounted
    lines {{ counted quantityAtCount difference varianceAmount product {{ sku }} }} }} }} }}"""


def test_create_order_and_receive_purchase_order_round_trip(as_manager, location):
    supplier, tea = SupplierFactory(name="Tea Co"), ProductFactory(sku="TEA")

    created = as_manager(
        CREATE,
        {
            "input": {
                "supplierId": str(supplier.pk),
                "lines": [{"productId": str(tea.pk), "quantity": 10, "unitCost": "2.50"}],
                "note": "Weekly tea",
            }
        },
    ).payload("createPurchaseOrder")
    po_id = created["purchaseOrder"]["id"]
    ordered_ = as_manager(ORDER, {"id": po_id}).payload("orderPurchaseOrder")
    line_id = ordered_["purchaseOrder"]["lines"][0]["id"]
    received = as_manager(
        RECEIVE,
        {
            "input": {
                "purchaseOrderId": po_id,
                "lines": [{"lineId": line_id, "quantity": 4, "unitCost": "2.75"}],
                "supplierInvoice": "INV-1",
                "landedCost": "1.00",
            }
        },
    ).payload("receivePurchaseOrder")

    assert created["success"] and created["purchaseOrder"]["number"] is None
    assert created["purchaseOrder"]["total"] == "25.00"
    assert ordered_["purchaseOrder"]["status"] == "ORDERED"
    assert ordered_["purchaseOrder"]["number"].startswith("PO")
    assert received["errors"] == []
    order = received["purchaseOrder"]
    assert order["status"] == "PARTIALLY_RECEIVED"
    assert order["lines"][0]["receivedQuantity"] == "4"
    assert order["lines"][0]["outstandingQuantity"] == "6"
    assert order["receipts"][0]["lines"][0] == {
        "lineId": line_id,
        "quantity": "4",
        "invoiceUnitCost": "2.75",
        "unitCost": "3.00",  # (4 x 2.75 + 1.00) / 4
        "landedCostAmount": "1.00",
        "priceVarianceAmount": "1.00",  # (2.75 - 2.50) x 4
    }
    assert StockLevel.objects.get(product=tea, location=location).quantity == D("4")


def test_receive_purchase_order_over_receipt_comes_back_in_the_payload(as_manager, manager, location):
    purchase_order = ordered(manager)

    response = as_manager(
        RECEIVE,
        {
            "input": {
                "purchaseOrderId": str(purchase_order.pk),
                "lines": [{"lineId": str(purchase_order.lines.get().pk), "quantity": 11}],
            }
        },
    ).payload("receivePurchaseOrder")

    assert response["success"] is False
    assert response["errors"] == [
        {"field": "lines.0.quantity", "code": "OVER_RECEIPT", "message": response["message"]}
    ]


def test_update_purchase_order_ordered_is_po_not_editable(as_manager, manager, location):
    purchase_order = ordered(manager)

    response = as_manager(
        UPDATE,
        {
            "input": {
                "purchaseOrderId": str(purchase_order.pk),
                "lines": [{"productId": str(ProductFactory().pk), "quantity": 1, "unitCost": "1.00"}],
            }
        },
    ).payload("updatePurchaseOrder")

    assert [e["code"] for e in response["errors"]] == ["PO_NOT_EDITABLE"]


def test_cancel_purchase_order_round_trip(as_manager, manager, location):
    purchase_order = draft_order(manager)

    response = as_manager(CANCEL, {"id": str(purchase_order.pk)}).payload("cancelPurchaseOrder")

    assert response["purchaseOrder"] == {"status": "CANCELLED"}


@pytest.mark.parametrize("operation", ["create", "list"])
def test_purchase_orders_cashier_gets_forbidden_and_nothing_changes(as_cashier, manager, location, operation):
    purchase_order = draft_order(manager)

    if operation == "create":
        response = as_cashier(
            CREATE,
            {"input": {"supplierId": str(purchase_order.supplier_id), "lines": []}},
        )
    else:
        response = as_cashier(LIST)

    assert response.error_codes() == ["FORBIDDEN"]
    assert PurchaseOrder.objects.count() == 1


def test_purchase_order_by_number_and_list_filtered_by_status(as_manager, manager, location):
    placed = ordered(manager)
    draft_order(manager)

    one = as_manager(ONE, {"id": placed.number}).payload("purchaseOrder")
    listed = as_manager(LIST, {"status": "ORDERED"}).payload("purchaseOrders")

    assert one == {"number": placed.number, "status": "ORDERED"}
    assert listed["totalCount"] == 1
    assert listed["edges"][0]["node"]["number"] == placed.number


def test_stocktake_round_trip_cashier_counts_manager_finalizes(as_manager, as_cashier, manager, location):
    tea = ProductFactory(sku="TEA", barcode="4006381333931")
    product_services.receive_stock(
        user=manager, product=tea, location=location, quantity=D("12"), unit_cost=D("1.50")
    )

    started = as_manager(START, {"input": {}}).payload("startStocktake")
    stocktake_id = started["stocktake"]["id"]
    counted = as_cashier(
        COUNT, {"input": {"stocktakeId": stocktake_id, "code": "4006381333931", "counted": 10}}
    ).payload("recordCount")
    refused = as_cashier(FINALIZE, {"input": {"stocktakeId": stocktake_id, "uncounted": "LEAVE"}})
    finalized = as_manager(FINALIZE, {"input": {"stocktakeId": stocktake_id, "uncounted": "LEAVE"}}).payload(
        "finalizeStocktake"
    )

    assert started["stocktake"]["scope"] == "ALL"
    assert started["stocktake"]["location"] == {"name": location.name}
    assert counted["count"] == {"counted": "10", "quantityAtCount": "12", "product": {"sku": "TEA"}}
    assert refused.error_codes() == ["FORBIDDEN"]
    assert finalized["stocktake"]["status"] == "FINALIZED"
    assert finalized["stocktake"]["uncounted"] == "LEAVE"
    assert finalized["stocktake"]["lines"] == [
        {
            "counted": "10",
            "quantityAtCount": "12",
            "difference": "-2",
            "varianceAmount": "-3.00",
            "product": {"sku": "TEA"},
        }
    ]
    assert StockLevel.objects.get(product=tea, location=location).quantity == D("10")


def test_record_count_closed_stocktake_is_stocktake_closed_in_the_payload(as_manager, manager, location):
    tea = ProductFactory()
    product_services.receive_stock(
        user=manager, product=tea, location=location, quantity=D("2"), unit_cost=D("1")
    )
    started = as_manager(START, {"input": {}}).payload("startStocktake")
    count = {"stocktakeId": started["stocktake"]["id"], "productId": str(tea.pk), "counted": 2}
    as_manager(COUNT, {"input": count})
    as_manager(FINALIZE, {"input": {"stocktakeId": started["stocktake"]["id"], "uncounted": "ZERO"}})

    response = as_manager(COUNT, {"input": count}).payload("recordCount")

    assert [(e["field"], e["code"]) for e in response["errors"]] == [("stocktakeId", "STOCKTAKE_CLOSED")]


def test_start_stocktake_anonymous_is_unauthenticated(anon, location):
    response = anon(START, {"input": {}})

    assert response.error_codes() == ["UNAUTHENTICATED"]


RETURN = f"""mutation($input: ReturnToSupplierInput!) {{
  returnToSupplier(input: $input) {{ {PAYLOAD} supplierReturn {{ label creditExpectedAmount
    lines {{ quantity creditAmount reason batch {{ batchNumber }} }} }} }} }}"""
SEND = f"""mutation($input: SendTransferInput!) {{
  sendTransfer(input: $input) {{ {PAYLOAD} transfer {{ id status lines {{ id quantitySent value }} }} }} }}"""
ARRIVE = f"""mutation($input: ReceiveTransferInput!) {{
  receiveTransfer(input: $input) {{ {PAYLOAD} transfer {{ status
    lines {{ quantitySent quantityReceived discrepancy }} }} }} }}"""
IN_TRANSIT = "{ inTransitValue stockTransfers(first: 5, status: IN_TRANSIT) { totalCount } }"


def test_return_to_supplier_round_trip(as_manager, manager, location):
    tea = ProductFactory()
    product_services.receive_stock(
        user=manager, product=tea, location=location, quantity=D("5"), unit_cost=D("1.20")
    )

    response = as_manager(
        RETURN,
        {
            "input": {
                "supplierId": str(SupplierFactory().pk),
                "lines": [{"productId": str(tea.pk), "quantity": 2, "reason": "damaged"}],
            }
        },
    ).payload("returnToSupplier")

    assert response["errors"] == []
    assert response["supplierReturn"]["creditExpectedAmount"] == "2.40"
    assert response["supplierReturn"]["lines"] == [
        {"quantity": "2", "creditAmount": "2.40", "reason": "damaged", "batch": None}
    ]


def test_return_to_supplier_cashier_is_forbidden(as_cashier, location):
    response = as_cashier(RETURN, {"input": {"supplierId": "1", "lines": []}})

    assert response.error_codes() == ["FORBIDDEN"]


def test_send_and_receive_transfer_round_trip_with_a_shortfall(as_manager, manager, location):
    warehouse = LocationFactory()
    tea = ProductFactory()
    product_services.receive_stock(
        user=manager, product=tea, location=location, quantity=D("8"), unit_cost=D("2.00")
    )

    sent = as_manager(
        SEND,
        {"input": {"toLocationId": str(warehouse.pk), "lines": [{"productId": str(tea.pk), "quantity": 3}]}},
    ).payload("sendTransfer")
    on_the_road = as_manager(IN_TRANSIT)
    line_id = sent["transfer"]["lines"][0]["id"]
    arrived = as_manager(
        ARRIVE,
        {
            "input": {
                "transferId": sent["transfer"]["id"],
                "lines": [{"lineId": line_id, "quantityReceived": 2}],
            }
        },
    ).payload("receiveTransfer")
    again = as_manager(ARRIVE, {"input": {"transferId": sent["transfer"]["id"]}}).payload("receiveTransfer")

    assert sent["transfer"]["status"] == "IN_TRANSIT"
    assert sent["transfer"]["lines"][0]["value"] == "6.00"
    assert on_the_road.data == {"inTransitValue": "6.00", "stockTransfers": {"totalCount": 1}}
    assert arrived["transfer"] == {
        "status": "RECEIVED",
        "lines": [{"quantitySent": "3", "quantityReceived": "2", "discrepancy": "1"}],
    }
    assert [e["code"] for e in again["errors"]] == ["TRANSFER_ALREADY_RECEIVED"]


REORDER = """query($days: Int) { reorderSuggestions(days: $days) {
  product { sku } supplier { name } onHand onOrder sold dailySales suggestedQuantity unitCost } }"""
DRAFT_FROM_SUGGESTIONS = f"""mutation {{ draftPurchaseOrdersFromSuggestions(input: {{}}) {{ {PAYLOAD}
  purchaseOrders {{ status supplier {{ name }} lines {{ quantity product {{ sku }} }} }} }} }}"""


def test_reorder_suggestions_and_drafts_round_trip(as_manager, manager, location):
    supplier = SupplierFactory(name="Tea Co")
    tea = ProductFactory(sku="TEA", supplier=supplier, reorder_level=D("6"))
    product_services.receive_stock(
        user=manager, product=tea, location=location, quantity=D("2"), unit_cost=D("1.00")
    )

    suggestions = as_manager(REORDER).payload("reorderSuggestions")
    drafted = as_manager(DRAFT_FROM_SUGGESTIONS).payload("draftPurchaseOrdersFromSuggestions")
    again = as_manager(DRAFT_FROM_SUGGESTIONS).payload("draftPurchaseOrdersFromSuggestions")

    assert suggestions == [
        {
            "product": {"sku": "TEA"},
            "supplier": {"name": "Tea Co"},
            "onHand": "2",
            "onOrder": "0",
            "sold": "0",
            "dailySales": "0",
            "suggestedQuantity": "4",
            "unitCost": "1.00",
        }
    ]
    assert drafted["purchaseOrders"] == [
        {
            "status": "DRAFT",
            "supplier": {"name": "Tea Co"},
            "lines": [{"quantity": "4", "product": {"sku": "TEA"}}],
        }
    ]
    # drafts are not on order: only ordered purchase orders count as stock on the way
    assert again["success"] is True


def test_reorder_suggestions_negative_days_is_out_of_range(as_manager, location):
    response = as_manager(REORDER, {"days": -1})

    assert response.error_codes() == ["OUT_OF_RANGE"]


def test_reorder_suggestions_cashier_is_forbidden(as_cashier, location):
    assert as_cashier(REORDER).error_codes() == ["FORBIDDEN"]


def test_draft_purchase_orders_from_suggestions_refusal_has_no_orders_and_no_internal_error(
    as_manager, location
):
    response = as_manager(DRAFT_FROM_SUGGESTIONS).payload("draftPurchaseOrdersFromSuggestions")

    assert (response["success"], response["purchaseOrders"]) == (False, None)
    assert [e["code"] for e in response["errors"]] == ["NOTHING_TO_REORDER"]


STOCKTAKE = "query($id: ID!) { stocktake(id: $id) { lines { difference unitCost varianceAmount } } }"


def test_stocktake_costs_are_for_managers_only(as_manager, as_cashier, manager, location):
    tea = ProductFactory()
    product_services.receive_stock(
        user=manager, product=tea, location=location, quantity=D("5"), unit_cost=D("2")
    )
    stocktake = services.start_stocktake(user=manager)
    services.record_count(user=manager, stocktake_id=stocktake.pk, product_id=tea.pk, counted=D("4"))
    services.finalize_stocktake(user=manager, stocktake_id=stocktake.pk, uncounted="leave")

    seen_by_manager = as_manager(STOCKTAKE, {"id": str(stocktake.pk)}).payload("stocktake")
    seen_by_cashier = as_cashier(STOCKTAKE, {"id": str(stocktake.pk)}).payload("stocktake")

    assert seen_by_manager["lines"] == [{"difference": "-1", "unitCost": "2.00", "varianceAmount": "-2.00"}]
    assert seen_by_cashier["lines"] == [{"difference": "-1", "unitCost": None, "varianceAmount": None}]
