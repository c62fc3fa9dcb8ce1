"""Purchasing reports: figures worked out by hand, through GraphQL (managers only), CSV and the CLI."""

import csv
import io
from datetime import date, datetime, time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from graphql_jwt.shortcuts import get_token

from products import services as product_services
from purchasing import reports, services
from purchasing.models import PurchaseOrder, PurchaseReceipt
from purchasing.services import ArrivalRequest, SupplierReturnLineRequest, TransferLineRequest
from tests.products.factories import CategoryFactory, LocationFactory, ProductFactory, SupplierFactory
from tests.purchasing.factories import D, draft_order, ordered, receive

pytestmark = pytest.mark.django_db


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)), timezone.get_default_timezone())


def placed_on(purchase_order, day: date) -> None:
    PurchaseOrder.objects.filter(pk=purchase_order.pk).update(ordered_at=at(day))


def received_on(receipt, day: date) -> None:
    PurchaseReceipt.objects.filter(pk=receipt.pk).update(created_at=at(day))


@pytest.fixture
def purchases(manager, location):
    """Orders and deliveries worked out by hand (see each test for the figures).

    PO1 Acme (placed 10 Jan): tea 10 @ 2.00, rice 4 @ 3.3333 (line 13.33). Delivered 20 Jan: tea 6
    at invoice 2.10 and all the rice at the PO cost, landed cost 3.00; 3 Feb: tea 3 at 1.90.
    PO2 Bolt (placed 5 Feb, expected 20 Feb): tea 5 @ 2.20, nothing received.
    PO3 Bolt (placed 6 Feb, then cancelled): rice 2 @ 3.00. A draft for Acme is never placed.
    PO4 Bolt to the store room (placed 1 Mar, expected 10 Feb): rice 7 @ 3.00.
    """
    acme, bolt = SupplierFactory(name="Acme"), SupplierFactory(name="Bolt")
    tea = ProductFactory(name="Tea", category=CategoryFactory(name="Drinks"))
    rice = ProductFactory(name="Rice", category=CategoryFactory(name="Grains"))
    store = LocationFactory(name="Store room")
    po1 = ordered(manager, supplier=acme, lines=[(tea, "10", "2.00"), (rice, "4", "3.3333")])
    placed_on(po1, date(2026, 1, 10))
    tea_line, rice_line = po1.lines.order_by("pk")
    first = receive(manager, po1, [(tea_line, "6", "2.10"), (rice_line, "4")], landed_cost=D("3.00"))
    received_on(first, date(2026, 1, 20))
    second = receive(manager, po1, [(tea_line, "3", "1.90")])
    received_on(second, date(2026, 2, 3))
    po2 = draft_order(manager, supplier=bolt, lines=[(tea, "5", "2.20")])
    PurchaseOrder.objects.filter(pk=po2.pk).update(expected_on=date(2026, 2, 20))
    po2 = services.order_purchase_order(user=manager, purchase_order_id=po2.pk)
    placed_on(po2, date(2026, 2, 5))
    po3 = ordered(manager, supplier=bolt, lines=[(rice, "2", "3.00")])
    services.cancel_purchase_order(user=manager, purchase_order_id=po3.pk)
    placed_on(po3, date(2026, 2, 6))
    draft_order(manager, supplier=acme, lines=[(tea, "100", "2.00")])
    po4 = draft_order(manager, supplier=bolt, lines=[(rice, "7", "3.00")], location=store)
    PurchaseOrder.objects.filter(pk=po4.pk).update(expected_on=date(2026, 2, 10))
    po4 = services.order_purchase_order(user=manager, purchase_order_id=po4.pk)
    placed_on(po4, date(2026, 3, 1))
    return {"acme": acme, "bolt": bolt, "tea": tea, "rice": rice, "store": store, "po1": po1, "po2": po2}


def test_purchases_by_supplier_by_month_match_the_hand_computation(purchases):
    rows = reports.purchases_by_supplier(
        granularity="MONTH", date_from=date(2026, 1, 1), date_to=date(2026, 2, 28)
    )

    got = [
        (
            r.start,
            r.supplier.name,
            r.orders,
            r.ordered_lines,
            r.ordered_value,
            r.received_lines,
            r.received_value,
            r.received_at_order_cost,
            r.landed_cost,
            r.price_variance,
        )
        for r in rows
    ]
    assert got == [
        # 20.00 + 13.33 ordered; 6 x 2.10 + 13.33 received, 6 x 2.00 + 13.33 at PO cost, 6 x 0.10 dearer
        (date(2026, 1, 1), "Acme", 1, 2, D("33.33"), 2, D("25.93"), D("25.33"), D("3.00"), D("0.60")),
        # 3 x 1.90 received, 3 x 2.00 at PO cost: 0.30 cheaper
        (date(2026, 2, 1), "Acme", 0, 0, D("0.00"), 1, D("5.70"), D("6.00"), D("0.00"), D("-0.30")),
        # PO2 only: the cancelled PO3, the draft and PO4 (placed in March) are not purchases of February
        (date(2026, 2, 1), "Bolt", 1, 1, D("11.00"), 0, D("0.00"), D("0.00"), D("0.00"), D("0.00")),
    ]


def test_purchases_by_supplier_filters_by_supplier_and_groups_by_week(purchases):
    rows = reports.purchases_by_supplier(
        granularity="WEEK",
        date_from=date(2026, 1, 1),
        date_to=date(2026, 2, 28),
        supplier_id=purchases["acme"].pk,
    )

    # 10 Jan is in the week of Monday 5 Jan, 20 Jan in that of the 19th, 3 Feb in that of 2 Feb
    assert [(r.start, r.ordered_value, r.received_value) for r in rows] == [
        (date(2026, 1, 5), D("33.33"), D("0.00")),
        (date(2026, 1, 19), D("0.00"), D("25.93")),
        (date(2026, 2, 2), D("0.00"), D("5.70")),
    ]


def test_stock_on_order_is_ordered_minus_received_on_open_orders(purchases):
    rows = reports.stock_on_order()

    assert [
        (r.product.name, r.location.name, r.quantity, r.value, r.expected_on, r.purchase_orders) for r in rows
    ] == [
        # PO4, soonest expected first
        ("Rice", "Store room", D("7.000"), D("21.00"), date(2026, 2, 10), 1),
        # 1 still to come on PO1 (no day given) at 2.00, 5 on PO2 at 2.20; PO1's rice arrived in full
        ("Tea", "Main shop", D("6.000"), D("13.00"), date(2026, 2, 20), 2),
    ]
    by_location = reports.stock_on_order(location_id=purchases["store"].pk)
    assert [r.product.name for r in by_location] == ["Rice"]


def test_stock_on_order_leaves_out_lines_received_in_full_or_over(manager, location):
    tea = ProductFactory()
    purchase_order = ordered(manager, lines=[(tea, "2", "1.00")])
    line = purchase_order.lines.get()
    receive(manager, purchase_order, [(line, "3")], allow_over_receipt=True)

    assert reports.stock_on_order(product_id=tea.pk) == []


def test_supplier_price_history_lists_each_receipt_against_the_po_cost(purchases):
    lines = list(reports.supplier_price_history(date_from=date(2026, 1, 1), date_to=date(2026, 2, 28)))

    number = purchases["po1"].number
    assert [
        (
            line.order_line.product.name,
            line.receipt.purchase_order.supplier.name,
            line.receipt.created_at.date(),
            line.receipt.purchase_order.number,
            line.quantity,
            line.order_line.unit_cost,
            line.invoice_unit_cost,
            line.price_variance_amount,
        )
        for line in lines
    ] == [
        ("Rice", "Acme", date(2026, 1, 20), number, D("4.000"), D("3.3333"), D("3.3333"), D("0.00")),
        ("Tea", "Acme", date(2026, 1, 20), number, D("6.000"), D("2.0000"), D("2.1000"), D("0.60")),
        ("Tea", "Acme", date(2026, 2, 3), number, D("3.000"), D("2.0000"), D("1.9000"), D("-0.30")),
    ]
    # The landed share (1.46 of the 3.00, by value) is in the tea's unit cost: (12.60 + 1.46) / 6
    assert lines[1].unit_cost == D("2.3433")
    only_tea = reports.supplier_price_history(
        date_from=date(2026, 1, 1), date_to=date(2026, 1, 31), product_id=purchases["tea"].pk
    )
    assert [line.quantity for line in only_tea] == [D("6.000")]


@pytest.fixture
def losses(manager, location, purchases):
    """Today at the main shop: a stocktake finds tea 2 short (9 -> 7), rice 1 is adjusted out as
    damaged, 1 tea goes back to the supplier (not a loss), 1 tea sent to the store room never arrives."""
    tea, rice = purchases["tea"], purchases["rice"]
    rice.refresh_from_db()  # adjust_stock values at the cost of the instance it is given
    stocktake = services.start_stocktake(user=manager, scope="products", product_ids=[tea.pk])
    services.record_count(user=manager, stocktake_id=stocktake.pk, product_id=tea.pk, counted=D("7"))
    services.finalize_stocktake(user=manager, stocktake_id=stocktake.pk, uncounted="leave")
    product_services.adjust_stock(
        user=manager, product=rice, location=location, reason="Damaged", delta=D("-1")
    )
    services.return_to_supplier(
        user=manager,
        supplier_id=purchases["acme"].pk,
        lines=[SupplierReturnLineRequest(tea.pk, D("1"), "Wrong blend")],
    )
    transfer = services.send_transfer(
        user=manager,
        from_location_id=None,
        to_location_id=purchases["store"].pk,
        lines=[TransferLineRequest(tea.pk, D("1"))],
    )
    services.receive_transfer(
        user=manager, transfer_id=transfer.pk, arrivals=[ArrivalRequest(transfer.lines.get().pk, D("0"))]
    )
    tea.refresh_from_db()
    rice.refresh_from_db()
    return {"tea_cost": tea.cost_price, "rice_cost": rice.cost_price}


def _shrinkage(group_by, **kwargs):
    today = timezone.localdate()
    rows = reports.shrinkage(group_by=group_by, date_from=today, date_to=today, **kwargs)
    return [
        (r.label, r.quantity_lost, r.quantity_found, r.value_lost, r.net_value, r.movements) for r in rows
    ]


def test_shrinkage_by_product_category_and_reason_at_cost(losses, purchases):
    from shared.money import q

    tea_lost, rice_lost = q(3 * losses["tea_cost"]), q(losses["rice_cost"])
    tea_row = ("Tea", D("3.000"), D("0.000"), tea_lost, -tea_lost, 2)
    rice_row = ("Rice", D("1.000"), D("0.000"), rice_lost, -rice_lost, 1)
    expected_products = sorted([tea_row, rice_row], key=lambda r: -r[3])

    assert _shrinkage("PRODUCT") == expected_products
    categories = {"Tea": "Drinks", "Rice": "Grains"}
    assert _shrinkage("CATEGORY") == [(categories[row[0]], *row[1:]) for row in expected_products]
    by_reason = {row[0]: row[1:] for row in _shrinkage("REASON")}
    assert by_reason == {
        "Stocktake": (D("2.000"), D("0.000"), q(2 * losses["tea_cost"]), -q(2 * losses["tea_cost"]), 1),
        "Missing in transit": (D("1.000"), D("0.000"), q(losses["tea_cost"]), -q(losses["tea_cost"]), 1),
        "Damaged": (D("1.000"), D("0.000"), rice_lost, -rice_lost, 1),
    }


def test_stocktake_variances_and_location_filter(losses, purchases, location):
    from shared.money import q

    two_tea = q(2 * losses["tea_cost"])

    assert _shrinkage("PRODUCT", stocktakes_only=True) == [
        ("Tea", D("2.000"), D("0.000"), two_tea, -two_tea, 1)
    ]
    # The goods missing in transit are written off at the store room, not the shop
    at_shop = {row[0]: row[1] for row in _shrinkage("REASON", location_id=location.pk)}
    assert at_shop == {"Stocktake": D("2.000"), "Damaged": D("1.000")}


def test_shrinkage_counts_stock_found_as_well_as_lost(manager, location):
    tea = ProductFactory(name="Tea")
    product_services.receive_stock(
        user=manager, product=tea, location=location, quantity=D("5"), unit_cost=D("2.00")
    )
    product_services.adjust_stock(
        user=manager, product=tea, location=location, reason="Recount", delta=D("2")
    )
    product_services.adjust_stock(
        user=manager, product=tea, location=location, reason="Recount", delta=D("-3")
    )

    assert _shrinkage("REASON") == [("Recount", D("3.000"), D("2.000"), D("6.00"), D("-2.00"), 2)]


# --- through GraphQL, CSV and the CLI -----------------------------------------------------------

JAN_FEB = 'dateFrom: "2026-01-01", dateTo: "2026-02-28"'
TODAY = 'dateFrom: "{0}", dateTo: "{0}"'
BY_SUPPLIER = f"""{{ purchasesBySupplier({JAN_FEB}, granularity: MONTH) {{
  start supplier {{ name }} orders orderedLines orderedValue receivedLines receivedValue receivedAtOrderCost
  landedCost priceVariance }} }}"""
ON_ORDER = """{ stockOnOrder(limit: 100) { product { sku name category { name } } location { name }
  quantity value expectedOn purchaseOrders } }"""
PRICE_HISTORY = f"""{{ supplierPriceHistory({JAN_FEB}, limit: 100) {{ product {{ sku name category {{ name }} }}
  supplier {{ name }} receivedAt purchaseOrderNumber quantity orderUnitCost invoiceUnitCost landedUnitCost
  priceVariance }} }}"""


def shrinkage_query(group_by: str, day: date | None = None) -> str:
    day = day or timezone.localdate()
    return f"""{{ shrinkage({TODAY.format(day)}, groupBy: {group_by}, limit: 100) {{ label
      product {{ sku name category {{ name }} }} quantityLost quantityFound netQuantity valueLost valueFound
      netValue movements }} }}"""


def test_purchases_by_supplier_over_graphql(as_manager, purchases):
    rows = as_manager(BY_SUPPLIER).payload("purchasesBySupplier")

    assert rows[0] == {
        "start": "2026-01-01",
        "supplier": {"name": "Acme"},
        "orders": 1,
        "orderedLines": 2,
        "orderedValue": "33.33",
        "receivedLines": 2,
        "receivedValue": "25.93",
        "receivedAtOrderCost": "25.33",
        "landedCost": "3.00",
        "priceVariance": "0.60",
    }
    assert [(r["start"], r["supplier"]["name"]) for r in rows[1:]] == [
        ("2026-02-01", "Acme"),
        ("2026-02-01", "Bolt"),
    ]


def test_stock_on_order_and_price_history_over_graphql(as_manager, purchases):
    on_order = as_manager(ON_ORDER).payload("stockOnOrder")
    history = as_manager(PRICE_HISTORY).payload("supplierPriceHistory")

    assert [(r["product"]["name"], r["quantity"], r["value"], r["expectedOn"]) for r in on_order] == [
        ("Rice", "7", "21.00", "2026-02-10"),
        ("Tea", "6", "13.00", "2026-02-20"),
    ]
    assert [
        (h["product"]["name"], h["orderUnitCost"], h["invoiceUnitCost"], h["priceVariance"]) for h in history
    ] == [
        ("Rice", "3.3333", "3.3333", "0.00"),
        ("Tea", "2.0000", "2.1000", "0.60"),
        ("Tea", "2.0000", "1.9000", "-0.30"),
    ]
    assert (
        history[1]["landedUnitCost"] == "2.3433"
        and history[1]["purchaseOrderNumber"] == purchases["po1"].number
    )


def test_shrinkage_over_graphql(as_manager, losses):
    rows = as_manager(shrinkage_query("REASON")).payload("shrinkage")

    assert {r["label"]: (r["quantityLost"], r["product"]) for r in rows} == {
        "Stocktake": ("2", None),
        "Missing in transit": ("1", None),
        "Damaged": ("1", None),
    }


@pytest.mark.parametrize(
    "query",
    [BY_SUPPLIER, ON_ORDER, PRICE_HISTORY, shrinkage_query("PRODUCT", date(2026, 1, 1))],
    ids=["purchasesBySupplier", "stockOnOrder", "supplierPriceHistory", "shrinkage"],
)
def test_purchasing_reports_refuse_cashiers(as_cashier, query):
    response = as_cashier(query)

    assert response.error_codes() == ["FORBIDDEN"]
    assert list(response.data.values()) == [None]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        (
            '{ purchasesBySupplier(dateFrom: "2026-02-01", dateTo: "2026-01-01", granularity: DAY) { start } }',
            "INVALID",
        ),
        (
            '{ purchasesBySupplier(dateFrom: "2020-01-01", dateTo: "2026-01-01", granularity: DAY) { start } }',
            "OUT_OF_RANGE",
        ),
        (
            '{ supplierPriceHistory(dateFrom: "1999-01-01", dateTo: "2026-01-01") { quantity } }',
            "OUT_OF_RANGE",
        ),
        ("{ stockOnOrder(limit: 101) { quantity } }", "OUT_OF_RANGE"),
        (
            '{ shrinkage(dateFrom: "2026-01-01", dateTo: "2026-01-01", groupBy: REASON, limit: 0) { label } }',
            "OUT_OF_RANGE",
        ),
    ],
)
def test_purchasing_reports_refuse_bad_ranges_before_any_query(as_manager, query, code):
    with CaptureQueriesContext(connection) as captured:
        response = as_manager(query)

    assert response.error_codes() == [code]
    assert not [q for q in captured.captured_queries if "accounts_user" not in q["sql"]]


def _statements(client, query: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client(query)
    assert not response.errors, response.errors
    return [q["sql"] for q in captured.captured_queries if "accounts_user" not in q["sql"].split("WHERE")[0]]


@pytest.mark.parametrize(
    ("selection", "statements"),
    [
        ("{ start orderedValue }", 2),  # ordered lines grouped, the suppliers
        ("{ receivedValue priceVariance }", 2),  # receipt lines grouped, the suppliers
        ("{ start }", 3),  # which rows exist needs both kinds
        ("{ orderedValue receivedValue supplier { name } }", 3),
    ],
)
def test_purchases_by_supplier_reads_only_the_selected_kind_of_figure(
    as_manager, purchases, selection, statements
):
    sql = _statements(as_manager, f"{{ purchasesBySupplier({JAN_FEB}, granularity: MONTH) {selection} }}")

    assert len(sql) == statements, sql


def test_purchases_by_supplier_selecting_ordered_figures_keeps_only_rows_with_orders(as_manager, purchases):
    rows = as_manager(
        f"{{ purchasesBySupplier({JAN_FEB}, granularity: MONTH) {{ start supplier {{ name }} orderedValue }} }}"
    ).payload("purchasesBySupplier")

    assert rows == [
        {"start": "2026-01-01", "supplier": {"name": "Acme"}, "orderedValue": "33.33"},
        {"start": "2026-02-01", "supplier": {"name": "Bolt"}, "orderedValue": "11.00"},
    ]


def _grow(manager, location, n: int, day: date) -> None:
    """`n` suppliers, each with a PO of its own product placed and half received on `day`, and a
    stock adjustment of that product with a reason of its own (one row more in every report)."""
    for _ in range(n):
        product = ProductFactory()
        purchase_order = ordered(manager, supplier=SupplierFactory(), lines=[(product, "2", "1.50")])
        placed_on(purchase_order, day)
        receipt = receive(manager, purchase_order, [(purchase_order.lines.get(), "1", "1.60")])
        received_on(receipt, day)
        product.refresh_from_db()
        product_services.adjust_stock(
            user=manager, product=product, location=location, reason=f"Reason {product.pk}", delta=D("-1")
        )


GROWTH_QUERIES = {
    "purchasesBySupplier": f"""{{ purchasesBySupplier({TODAY.format("2026-01-15")}, granularity: DAY) {{
      start supplier {{ name phone }} orders orderedValue receivedValue landedCost priceVariance }} }}""",
    "stockOnOrder": ON_ORDER,
    "supplierPriceHistory": f"""{{ supplierPriceHistory({TODAY.format("2026-01-15")}, limit: 100) {{
      product {{ sku name category {{ name }} supplier {{ name }} }} supplier {{ name }} receivedAt
      purchaseOrderNumber quantity orderUnitCost invoiceUnitCost landedUnitCost priceVariance }} }}""",
    "shrinkage(PRODUCT)": shrinkage_query("PRODUCT"),
    "shrinkage(CATEGORY)": shrinkage_query("CATEGORY"),
    "shrinkage(REASON)": shrinkage_query("REASON"),
}


@pytest.mark.parametrize(
    ("name", "pinned"),
    [
        ("purchasesBySupplier", 4),  # auth user, ordered grouped, received grouped, suppliers
        ("stockOnOrder", 4),  # auth user, grouped lines, products (category joined), locations
        ("supplierPriceHistory", 2),  # auth user, receipt lines with everything joined
        ("shrinkage(PRODUCT)", 3),  # auth user, grouped movements, products (category joined)
        ("shrinkage(CATEGORY)", 2),
        ("shrinkage(REASON)", 2),
    ],
)
def test_purchasing_reports_cost_the_same_for_1_and_100_rows(as_manager, manager, location, name, pinned):
    query = GROWTH_QUERIES[name]
    field = name.split("(")[0]
    _grow(manager, location, 1, date(2026, 1, 15))
    with CaptureQueriesContext(connection) as one:
        first = as_manager(query).payload(field)

    _grow(manager, location, 99, date(2026, 1, 15))
    with CaptureQueriesContext(connection) as hundred:
        rows = as_manager(query).payload(field)

    assert (len(first), len(rows)) == (1, 100)
    assert (len(one), len(hundred)) == (pinned, pinned), [q["sql"][:100] for q in hundred.captured_queries]


def test_purchasing_report_csv_downloads_for_managers_only(purchases, losses, manager, cashier):
    auth = {"HTTP_AUTHORIZATION": f"JWT {get_token(manager)}"}
    today = timezone.localdate()

    by_supplier = Client().get("/reports/purchases-by-supplier.csv?from=2026-01-01&to=2026-02-28", **auth)
    on_order = Client().get("/reports/stock-on-order.csv", **auth)
    history = Client().get("/reports/supplier-price-history.csv?from=2026-01-01&to=2026-02-28", **auth)
    shrink = Client().get(f"/reports/shrinkage.csv?from={today}&to={today}&group_by=REASON", **auth)
    variances = Client().get(f"/reports/stocktake-variances.csv?from={today}&to={today}", **auth)
    refused = Client().get("/reports/stock-on-order.csv", HTTP_AUTHORIZATION=f"JWT {get_token(cashier)}")
    bad = Client().get("/reports/purchases-by-supplier.csv?granularity=HOUR", **auth)
    too_long = Client().get(
        "/reports/purchases-by-supplier.csv?from=2020-01-01&to=2026-01-01&granularity=DAY", **auth
    )

    def rows(response):
        assert response.status_code == 200, response.content
        return list(csv.reader(io.StringIO(response.content.decode())))

    assert rows(by_supplier)[1] == [
        "2026-01-01",
        "Acme",
        "1",
        "2",
        "33.33",
        "2",
        "25.93",
        "25.33",
        "3.00",
        "0.60",
    ]
    assert [r[:5] for r in rows(on_order)[1:]] == [
        [purchases["rice"].sku, "Rice", "Store room", "7", "21.00"],
        [purchases["tea"].sku, "Tea", "Main shop", "6", "13.00"],
    ]
    assert [r[7] for r in rows(history)[1:]] == ["3.3333", "2.1000", "1.9000"]
    assert sorted(r[0] for r in rows(shrink)[1:]) == ["Damaged", "Missing in transit", "Stocktake"]
    assert [r[:2] for r in rows(variances)[1:]] == [["Tea", "2"]]
    assert (refused.status_code, bad.status_code, too_long.status_code) == (403, 400, 400)


def test_report_command_prints_shrinkage_by_reason(losses):
    out = StringIO()

    call_command("report", "shrinkage", "--group-by", "REASON", stdout=out)

    assert "Missing in transit" in out.getvalue() and "Damaged" in out.getvalue()


def test_admin_index_links_the_purchasing_reports(client, manager):
    client.force_login(manager)

    page = client.get("/admin/").content.decode()

    assert "/reports/stock-on-order.csv" in page and "/reports/stocktake-variances.csv" in page
