"""Report budgets: a report runs only the statements of the figures the query selects.

The period reports read the daily summary rows (sales.summaries): one statement over the sales rows
for every sale, cost and refund figure, one over the tender rows for the tender break-down.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.reports.conftest import DAY

pytestmark = pytest.mark.django_db

FULL_STATS = """{ totalSales totalTransactions averageSaleValue customerDebtIncurred { value count }
  totalRefunds netSales grossProfit totalDiscounts totalTax byPaymentMethod { method value count }
  bySaleType { saleType value count } }"""
FULL_PNL = """{ revenue tax netRevenue discounts costOfGoodsSold refunds refundsTax restockedCost
  grossProfit marginPercent }"""


def report_statements(client, field: str, selection: str) -> tuple[dict, list[str]]:
    """The report's payload and the SQL it ran, without the authenticated user's lookup."""
    query = f'{{ {field}(dateFrom: "{DAY}", dateTo: "{DAY}") {selection} }}'
    with CaptureQueriesContext(connection) as captured:
        payload = client(query).payload(field)
    sql = [q["sql"] for q in captured.captured_queries if "accounts_user" not in q["sql"].split("WHERE")[0]]
    return payload, sql


def test_sales_stats_selecting_total_sales_runs_one_statement(as_manager, known_sales):
    payload, sql = report_statements(as_manager, "salesStats", "{ totalSales }")

    assert payload == {"totalSales": "75.00"}  # S1 + S2 + S5 + S6 (see known_sales)
    assert len(sql) == 1, sql


def test_sales_stats_full_selection_runs_two_summary_statements_with_the_same_figures(
    as_manager, known_sales
):
    full, sql = report_statements(as_manager, "salesStats", FULL_STATS)
    alone = {
        name: report_statements(as_manager, "salesStats", f"{{ {name} }}")[0][name]
        for name in ("totalSales", "netSales", "grossProfit", "totalRefunds")
    }

    assert len(sql) == 2, sql
    assert all("sales_daily" in statement for statement in sql), sql
    assert alone == {name: full[name] for name in alone}
    assert full["byPaymentMethod"] and full["bySaleType"]


@pytest.mark.parametrize(
    ("selection", "statements"),
    [
        ("{ totalRefunds }", 1),  # the daily sales rows
        ("{ netSales }", 1),  # the same statement: sale totals and refund figures
        ("{ byPaymentMethod { method value } }", 1),  # the daily tender rows (change, refunds paid)
        ("{ grossProfit }", 1),  # the daily sales rows: totals, cost of goods, refund figures
        ("{ __typename }", 0),
    ],
)
def test_sales_stats_runs_only_the_statements_of_the_selected_figures(
    as_manager, known_sales, selection, statements
):
    _, sql = report_statements(as_manager, "salesStats", selection)

    assert len(sql) == statements, sql


@pytest.mark.parametrize(
    ("selection", "statements"),
    [("{ revenue tax }", 1), ("{ costOfGoodsSold }", 1), ("{ refunds }", 1), (FULL_PNL, 1)],
)
def test_profit_and_loss_runs_only_the_statements_of_the_selected_figures(
    as_manager, known_sales, selection, statements
):
    _, sql = report_statements(as_manager, "profitAndLoss", selection)

    assert len(sql) == statements, sql


def test_profit_and_loss_figures_alone_equal_the_full_selection(as_manager, known_sales):
    full, _ = report_statements(as_manager, "profitAndLoss", FULL_PNL)
    alone = {
        name: report_statements(as_manager, "profitAndLoss", f"{{ {name} }}")[0][name]
        for name in ("costOfGoodsSold", "marginPercent", "netRevenue")
    }

    assert alone == {name: full[name] for name in alone}


def other_report_statements(client, query: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client(query)
    assert not response.errors, response.errors
    return [q["sql"] for q in captured.captured_queries if "accounts_user" not in q["sql"].split("WHERE")[0]]


@pytest.mark.parametrize(
    ("query", "statements"),
    [
        ("{ outstandingDebt { totalOwed customersOwing totalCreditHeld } }", 1),
        ("{ outstandingDebt { largestDebtors { balance } } }", 1),
        ("{ outstandingDebt { aging { bucket value } } }", 2),
        ("{ outstandingDebt { totalOwed aging { value } largestDebtors { balance } } }", 4),
        ("{ inventoryValuation { total { atCost } } }", 1),
        ("{ inventoryValuation { total { atCost } byCategory { label } byLocation { label } } }", 3),
        (
            f'{{ revenueByPeriod(dateFrom: "{DAY}", dateTo: "{DAY}", granularity: DAY) {{ start revenue }} }}',
            1,
        ),
        (f'{{ revenueByPeriod(dateFrom: "{DAY}", dateTo: "{DAY}", granularity: DAY) {{ refunds }} }}', 1),
        (f'{{ revenueByPeriod(dateFrom: "{DAY}", dateTo: "{DAY}", granularity: DAY) {{ net }} }}', 1),
        (f'{{ revenueByPeriod(dateFrom: "{DAY}", dateTo: "{DAY}", granularity: DAY) {{ start }} }}', 0),
    ],
)
def test_other_reports_run_only_the_statements_of_the_selected_figures(
    as_manager, known_sales, query, statements
):
    sql = other_report_statements(as_manager, query)

    assert len(sql) == statements, sql


def test_revenue_by_period_figures_alone_equal_the_full_selection(as_manager, known_sales):
    query = '{ revenueByPeriod(dateFrom: "2026-03-09", dateTo: "2026-03-11", granularity: DAY) { %s } }'

    full = as_manager(query % "start revenue refunds net transactions").payload("revenueByPeriod")
    refunds = as_manager(query % "start refunds").payload("revenueByPeriod")
    revenue = as_manager(query % "start revenue transactions").payload("revenueByPeriod")

    assert refunds == [{"start": b["start"], "refunds": b["refunds"]} for b in full]
    assert revenue == [{k: b[k] for k in ("start", "revenue", "transactions")} for b in full]
    assert any(b["refunds"] != "0.00" for b in full) and any(b["revenue"] != "0.00" for b in full)
