"""Reports through every door: GraphQL (managers only), CSV download, CLI, admin dashboard."""

import csv
import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from graphql_jwt.shortcuts import get_token

pytestmark = pytest.mark.django_db
STATS = """{ salesStats(dateFrom: "2026-03-10", dateTo: "2026-03-10") {
  totalSales totalTransactions averageSaleValue customerDebtIncurred { value count }
  totalRefunds netSales grossProfit totalTax byPaymentMethod { method value } } }"""


def test_sales_stats_seed_query_shape(as_manager, known_sales):
    data = as_manager(STATS).payload("salesStats")

    assert data["totalSales"] == "75.00" and data["totalTransactions"] == 4
    assert data["averageSaleValue"] == "18.75"
    assert data["customerDebtIncurred"] == {"value": "20.00", "count": 1}
    assert (data["totalRefunds"], data["netSales"], data["grossProfit"]) == ("10.00", "65.00", "24.26")


def test_reports_are_manager_only(as_cashier, known_sales):
    assert as_cashier(STATS).error_codes() == ["FORBIDDEN"]


@pytest.mark.parametrize(
    "query",
    [
        '{ revenueByPeriod(dateFrom: "2026-03-09", dateTo: "2026-03-11", granularity: DAY) { start net } }',
        '{ profitAndLoss(dateFrom: "2026-03-10", dateTo: "2026-03-10") { grossProfit marginPercent } }',
        '{ topProducts(dateFrom: "2026-03-10", dateTo: "2026-03-10", by: PROFIT) { product { sku } profit } }',
        "{ deadStock(days: 1) { product { sku } valueAtCost } }",
        "{ inventoryValuation { total { atCost atRetail } byLocation { label } } }",
        "{ outstandingDebt { totalOwed aging { bucket value } largestDebtors { customer { name } balance } } }",
        '{ salesByCashier(dateFrom: "2026-03-10", dateTo: "2026-03-10") { label value } }',
        '{ salesByCategory(dateFrom: "2026-03-10", dateTo: "2026-03-10") { label value } }',
        '{ salesByPaymentMethod(dateFrom: "2026-03-10", dateTo: "2026-03-10") { method value } }',
    ],
)
def test_every_report_answers_over_graphql(as_manager, known_sales, query):
    response = as_manager(query)

    assert not response.errors, response.errors
    assert all(value is not None for value in response.data.values())


REPORT_QUERIES = [
    STATS,
    '{ revenueByPeriod(dateFrom: "2026-03-01", dateTo: "2026-03-31", granularity: DAY) { start net } }',
    '{ profitAndLoss(dateFrom: "2026-03-10", dateTo: "2026-03-10") { grossProfit } }',
    '{ topProducts(dateFrom: "2026-03-10", dateTo: "2026-03-10", limit: 10) { product { sku } revenue } }',
    "{ deadStock(days: 1) { product { sku } valueAtCost } }",
    "{ inventoryValuation { total { atCost } byCategory { label } byLocation { label } } }",
    "{ outstandingDebt { totalOwed aging { value } largestDebtors { customer { name } } } }",
    '{ salesByCashier(dateFrom: "2026-03-10", dateTo: "2026-03-10") { label } }',
    '{ salesByCategory(dateFrom: "2026-03-10", dateTo: "2026-03-10") { label } }',
    '{ salesByPaymentMethod(dateFrom: "2026-03-10", dateTo: "2026-03-10") { method value count } }',
    '{ salesStats(dateFrom: "2026-03-10", dateTo: "2026-03-10") { bySaleType { saleType value count } } }',
]


@pytest.mark.parametrize("query", REPORT_QUERIES, ids=lambda q: q.split("(")[0].strip("{ ")[:30])
def test_report_query_count_does_not_grow_with_sales(as_manager, known_sales, shop, cashier, query):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.reports.conftest import at
    from tests.returns.test_services import sell

    with CaptureQueriesContext(connection) as few:
        assert not as_manager(query).errors
    for _ in range(15):  # 15 more two-line sales on the same day
        sale = sell(
            cashier,
            [(shop["soap"], "1"), (shop["rice"], "1")],
            [("cash", "35.00")],
            customer_id=shop["regular"].pk,
        )
        at(sale, 2026, 3, 10, 9)
    with CaptureQueriesContext(connection) as many:
        assert not as_manager(query).errors

    assert len(few) == len(many), [q["sql"][:90] for q in many.captured_queries]


# Each list report as a screen asks for it; the rows grow below by distinct products, categories,
# customers, cashiers and locations (more sales of the same goods do not add rows).
REPORT_LISTS = [
    '{ topProducts(dateFrom: "2026-03-10", dateTo: "2026-03-10", limit: 100) { product { sku name } revenue } }',
    "{ deadStock(days: 1) { product { sku name } quantity valueAtCost lastSoldAt } }",
    "{ inventoryValuation { byCategory { label atCost } byLocation { label atCost } } }",
    "{ outstandingDebt(limit: 100) { aging { bucket value } largestDebtors { customer { name phone } balance } } }",
    '{ salesByCashier(dateFrom: "2026-03-10", dateTo: "2026-03-10") { label value count } }',
    '{ salesByCategory(dateFrom: "2026-03-10", dateTo: "2026-03-10") { label value count quantity } }',
    '{ salesByPaymentMethod(dateFrom: "2026-03-10", dateTo: "2026-03-10") { method value count } }',
    '{ revenueByPeriod(dateFrom: "2026-03-01", dateTo: "2026-03-31", granularity: DAY) { start net } }',
]
# A product screen also shows the category and the stock on hand: they come with the products' query.
REPORT_LISTS += [
    pytest.param(
        '{ topProducts(dateFrom: "2026-03-10", dateTo: "2026-03-10", limit: 100) {'
        " product { sku category { name } stockQuantity } revenue } }",
        id="topProducts-with-category-and-stock",
    ),
    pytest.param(
        "{ deadStock(days: 1) { product { sku category { name } stockQuantity } valueAtCost } }",
        id="deadStock-with-category-and-stock",
    ),
]


@pytest.mark.parametrize("query", REPORT_LISTS, ids=lambda q: q.split("(")[0].strip("{ ")[:30])
def test_report_lists_cost_the_same_for_few_and_many_rows(as_manager, known_sales, manager, query):
    from decimal import Decimal

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CustomerFactory, UserFactory
    from tests.products.factories import CategoryFactory, LocationFactory
    from tests.reports.conftest import at
    from tests.returns.test_services import sell
    from tests.shop import make_product

    with CaptureQueriesContext(connection) as few:
        assert not as_manager(query).errors
    LocationFactory.create_batch(3)
    for n in range(12):  # each: a category, a sold and an unsold product, a debtor, a cashier
        category = CategoryFactory()
        sold = make_product(manager, f"SOLD{n}", category=category, qty="20")
        make_product(manager, f"IDLE{n}", category=category, qty="5")
        customer = CustomerFactory(credit_limit=Decimal("100.00"))
        clerk = UserFactory(role="cashier")
        at(sell(clerk, [(sold, "1")], [("credit", "10.00")], customer_id=customer.pk), 2026, 3, 10, 9)
    with CaptureQueriesContext(connection) as many:
        response = as_manager(query)

    assert not response.errors, response.errors
    assert len(few) == len(many), [q["sql"][:90] for q in many.captured_queries]


def test_csv_download_for_managers_only(known_sales, manager, cashier):
    url = "/reports/sales-stats.csv?from=2026-03-10&to=2026-03-10"

    response = Client().get(url, HTTP_AUTHORIZATION=f"JWT {get_token(manager)}")
    refused = Client().get(url, HTTP_AUTHORIZATION=f"JWT {get_token(cashier)}")
    bad = Client().get(
        "/reports/sales-stats.csv?from=yesterday", HTTP_AUTHORIZATION=f"JWT {get_token(manager)}"
    )

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response.status_code == 200 and rows[0] == ["Figure", "Value"]
    assert ["Total sales", "75.00"] in rows
    assert refused.status_code == 403 and bad.status_code == 400


def test_report_command_prints_a_table(known_sales):
    out = StringIO()

    call_command("report", "sales-stats", "--from", "2026-03-10", "--to", "2026-03-10", stdout=out)

    assert "Total sales" in out.getvalue() and "75.00" in out.getvalue()


def test_admin_dashboard_renders_for_managers(client, manager, known_sales):
    client.force_login(manager)

    response = client.get("/admin/dashboard/")

    assert response.status_code == 200
    assert b"<svg" in response.content and b"Top products" in response.content
