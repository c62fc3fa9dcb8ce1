"""inventoryValuation counts goods on the road: in no location's stock, still owned and valued."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from products import services as product_services
from products.checks import find_ledger_mismatches
from purchasing import services
from purchasing.checks import find_ledger_mismatches as find_document_mismatches
from purchasing.services import ArrivalRequest, TransferLineRequest
from reports.selectors import stock
from reports.tables import build
from tests.products.factories import LocationFactory, ProductFactory
from tests.purchasing.factories import D

pytestmark = pytest.mark.django_db
VALUATION = """{ inventoryValuation%s { total { quantity atCost } inTransitQuantity inTransitValue } }"""


@pytest.fixture
def on_the_road(manager, location):
    """Tea 10 @ 2.50 at the shop; 6 sent to the warehouse, 4 of a second transfer to the store room."""
    warehouse, store = LocationFactory(name="Warehouse"), LocationFactory(name="Store")
    tea = ProductFactory()
    product_services.receive_stock(
        user=manager, product=tea, location=location, quantity=D("10"), unit_cost=D("2.50")
    )
    to_warehouse = services.send_transfer(
        user=manager,
        from_location_id=None,
        to_location_id=warehouse.pk,
        lines=[TransferLineRequest(tea.pk, D("6"))],
    )
    services.send_transfer(
        user=manager,
        from_location_id=None,
        to_location_id=store.pk,
        lines=[TransferLineRequest(tea.pk, D("3"))],
    )
    return {"warehouse": warehouse, "store": store, "transfer": to_warehouse}


def test_valuation_adds_in_transit_to_what_is_on_hand(as_manager, on_the_road):
    data = as_manager(VALUATION % "").payload("inventoryValuation")

    # 1 left on the shelf (2.50), 9 on the road (22.50): owned 10 x 2.50, as before sending
    assert data == {
        "total": {"quantity": "1", "atCost": "2.50"},
        "inTransitQuantity": "9",
        "inTransitValue": "22.50",
    }
    assert find_ledger_mismatches() == find_document_mismatches() == []


def test_valuation_in_transit_by_destination_and_after_arrival(as_manager, manager, on_the_road):
    warehouse = on_the_road["warehouse"]
    line = on_the_road["transfer"].lines.get()

    before = as_manager(VALUATION % f'(locationId: "{warehouse.pk}")').payload("inventoryValuation")
    services.receive_transfer(
        user=manager, transfer_id=on_the_road["transfer"].pk, arrivals=[ArrivalRequest(line.pk, D("5"))]
    )
    after = as_manager(VALUATION % f'(locationId: "{warehouse.pk}")').payload("inventoryValuation")
    everywhere = stock.inventory_valuation()

    assert (before["inTransitQuantity"], before["inTransitValue"]) == ("6", "15.00")
    assert after == {
        "total": {"quantity": "5", "atCost": "12.50"},
        "inTransitQuantity": "0",
        "inTransitValue": "0.00",
    }
    # the store room's 3 are still on the road; the missing 1 was written off, not owned any more
    assert (everywhere["in_transit_quantity"], everywhere["in_transit_value"]) == (D("3.000"), D("7.50"))
    assert find_ledger_mismatches() == find_document_mismatches() == []


@pytest.mark.parametrize(
    ("selection", "statements"),
    [("{ inTransitValue }", 1), ("{ inTransitQuantity inTransitValue }", 1), ("{ total { atCost } }", 1)],
)
def test_valuation_reads_in_transit_only_when_selected(as_manager, on_the_road, selection, statements):
    with CaptureQueriesContext(connection) as captured:
        response = as_manager(f"{{ inventoryValuation {selection} }}")

    sql = [q["sql"] for q in captured.captured_queries if "accounts_user" not in q["sql"].split("WHERE")[0]]
    assert not response.errors
    assert len(sql) == statements, sql
    assert any("purchasing_stocktransfer" in s for s in sql) == ("inTransit" in selection)


def test_valuation_csv_has_an_in_transit_row(on_the_road):
    table = build("inventory-valuation", {})

    assert table.rows[-1] == ["in transit", "Sent, not yet received", "9", "22.50", ""]
