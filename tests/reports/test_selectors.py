"""Every report figure against values worked out by hand (see conftest.known_sales)."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from reports.selectors import (
    counting,
    customer_debt,
    product_performance,
    profit,
    revenue_periods,
    sales_breakdowns,
    sales_figures,
    stock,
)
from tests.reports.conftest import DAY, at
from tests.returns.test_services import sell

pytestmark = pytest.mark.django_db
D = Decimal


def test_sales_stats_for_the_day(known_sales):
    stats = sales_figures.sales_stats_summary(date_from=DAY, date_to=DAY)

    # S1 20 + S2 25 + S5 20 + S6 10; S3 belongs to the 11th (local), S4 is voided.
    assert (stats.total_sales, stats.total_transactions, stats.average_sale_value) == (
        D("75.00"),
        4,
        D("18.75"),
    )
    assert (stats.customer_debt_incurred.value, stats.customer_debt_incurred.count) == (D("20.00"), 1)
    assert (stats.total_refunds, stats.net_sales) == (D("10.00"), D("65.00"))
    assert (stats.total_tax, stats.total_discounts) == (D("1.74"), D("0.00"))
    # (75.00 - 1.74) - COGS 45.00 (5 soap x 6.00 + 1 rice x 15.00) - (10.00 refund - 6.00 cost restocked)
    assert stats.gross_profit == D("24.26")
    assert stats.by_sale_type == [("retail", D("75.00"), 4)]


def test_day_boundary_is_the_shop_time_zone(known_sales):
    stats = sales_figures.sales_stats_summary(date_from=date(2026, 3, 11), date_to=date(2026, 3, 11))

    assert (stats.total_sales, stats.total_transactions, stats.total_refunds) == (D("10.00"), 1, D("0.00"))


def test_empty_period_gives_zeros(known_sales):
    stats = sales_figures.sales_stats_summary(date_from=date(2025, 1, 1), date_to=date(2025, 1, 31))

    assert (stats.total_sales, stats.total_transactions, stats.average_sale_value) == (
        D("0.00"),
        0,
        D("0.00"),
    )


def test_sales_by_payment_method(known_sales):
    rows = {
        (m.method, m.value, m.count)
        for m in sales_figures.sales_by_payment_method(date_from=DAY, date_to=DAY)
    }

    assert rows == {
        ("cash", D("20.00"), 1),
        ("card", D("25.00"), 1),
        ("credit", D("20.00"), 1),
        ("store_credit", D("10.00"), 1),
        ("refunds_paid", D("-10.00"), 1),
    }


def test_revenue_by_day_zero_filled_net_of_refunds(known_sales):
    buckets = revenue_periods.revenue_by_period(
        granularity="DAY", date_from=date(2026, 3, 9), date_to=date(2026, 3, 12)
    )

    assert [(b.start.day, b.revenue, b.refunds, b.net, b.transactions) for b in buckets] == [
        (9, D("0.00"), D("0.00"), D("0.00"), 0),
        (10, D("75.00"), D("10.00"), D("65.00"), 4),
        (11, D("10.00"), D("0.00"), D("10.00"), 1),
        (12, D("0.00"), D("0.00"), D("0.00"), 0),
    ]


def test_revenue_by_month(known_sales):
    buckets = revenue_periods.revenue_by_period(
        granularity="MONTH", date_from=date(2026, 2, 1), date_to=date(2026, 3, 31)
    )

    assert [(b.start, b.net) for b in buckets] == [
        (date(2026, 2, 1), D("0.00")),
        (date(2026, 3, 1), D("75.00")),
    ]


def test_profit_and_loss(known_sales):
    pnl = profit.profit_and_loss_summary(date_from=DAY, date_to=DAY)

    assert (pnl.revenue, pnl.tax, pnl.cost_of_goods_sold) == (D("75.00"), D("1.74"), D("45.00"))
    assert (pnl.refunds, pnl.restocked_cost, pnl.gross_profit) == (D("10.00"), D("6.00"), D("24.26"))
    # net revenue 75.00 - 1.74 - 10.00 = 63.26; margin 24.26 / 63.26 = 38.35 %
    assert (pnl.net_revenue, pnl.margin_percent) == (D("63.26"), D("38.35"))


def test_top_products_best_and_worst(known_sales, shop):
    best = product_performance.top_products(by="QUANTITY", order="BEST", limit=5, date_from=DAY, date_to=DAY)
    worst = product_performance.top_products(by="REVENUE", order="WORST", limit=5, date_from=DAY, date_to=DAY)

    assert [(p.product.sku, p.quantity, p.revenue, p.frequency) for p in best] == [
        ("SOAP", D("5"), D("50.00"), 3),
        ("RICE", D("1"), D("25.00"), 1),
    ]
    assert worst[0].product.sku == "SYRUP" and worst[0].frequency == 0  # never sold: the worst


def test_dead_stock_lists_unsold_products_with_value(known_sales, shop):
    # Look back to just before the known sales, whatever today's date is.
    rows = stock.dead_stock(days=(timezone.localdate() - DAY).days + 1)

    assert [(r.product.sku, r.quantity) for r in rows] == [("SYRUP", D("18"))]
    # 5 x 4.00 (expired batch) + 3 x 5.00 + 10 x 6.00 at the moving average cost
    assert rows[0].value_at_cost == (
        D("18") * shop["syrup"].__class__.objects.get(pk=shop["syrup"].pk).cost_price
    ).quantize(D("0.01"))


def test_inventory_valuation(known_sales):
    data = stock.inventory_valuation()

    labels = {v.label for v in data["by_location"]}
    assert labels == {"Main shop"}
    assert data["total"].at_cost == sum((v.at_cost for v in data["by_location"]), D("0"))
    assert data["total"].at_retail == sum((v.at_retail for v in data["by_category"]), D("0"))


def test_outstanding_debt_and_aging(known_sales, shop):
    debt = customer_debt.outstanding_debt_summary()

    assert (debt.total_owed, debt.customers_owing, debt.total_credit_held) == (D("20.00"), 1, D("20.00"))
    assert dict(debt.aging)["0-30"] == D("20.00")
    assert [(d.customer.name, d.balance) for d in debt.largest_debtors] == [("Regular", D("20.00"))]


def test_sales_by_cashier_and_category(known_sales):
    by_cashier = sales_breakdowns.sales_by_cashier(date_from=DAY, date_to=DAY)
    by_category = sales_breakdowns.sales_by_category(date_from=DAY, date_to=DAY)

    assert [(g.label, g.value, g.count) for g in by_cashier] == [("cashier", D("75.00"), 4)]
    assert sum(g.value for g in by_category) == D("75.00")


def test_top_products_and_tenders_count_a_sale_once_and_rank_a_loss_below_unsold(shop, manager):
    # One sale (12 March) with soap on two lines, sold below its 6.00 cost, paid with two cash tenders.
    below_cost = {"unit_price": D("2.00")}
    sale = sell(
        manager, [(shop["soap"], "1", below_cost), (shop["soap"], "1", below_cost)], [("cash", "2.00")] * 2
    )
    at(sale, 2026, 3, 12, 10)
    day = date(2026, 3, 12)

    worst = product_performance.top_products(by="PROFIT", order="WORST", limit=3, date_from=day, date_to=day)
    best = product_performance.top_products(by="FREQUENCY", order="BEST", limit=3, date_from=day, date_to=day)
    tenders = sales_figures.sales_by_payment_method(date_from=day, date_to=day)

    # The loss ranks below the unsold products (0.00), which follow by name.
    assert [(p.product.sku, p.quantity, p.revenue, p.profit, p.frequency) for p in worst] == [
        ("SOAP", D("2"), D("4.00"), D("-8.00"), 1),
        ("SYRUP", D("0"), D("0.00"), D("0.00"), 0),
        ("RICE", D("0"), D("0.00"), D("0.00"), 0),
    ]
    assert [(p.product.sku, p.frequency) for p in best] == [("SOAP", 1)]
    assert [(m.method, m.value, m.count) for m in tenders] == [("cash", D("4.00"), 1)]


@pytest.mark.parametrize(
    ("report", "statements"),
    [
        (lambda: sales_figures.sales_stats_summary(date_from=DAY, date_to=DAY), 2),
        (lambda: profit.profit_and_loss_summary(date_from=DAY, date_to=DAY), 1),
        (lambda: sales_figures.sales_stats_summary(date_from=DAY, date_to=DAY, source=counting.DETAIL), 5),
        (lambda: profit.profit_and_loss_summary(date_from=DAY, date_to=DAY, source=counting.DETAIL), 3),
        (
            lambda: product_performance.top_products(
                by="REVENUE", order="BEST", limit=10, date_from=DAY, date_to=DAY
            ),
            3,
        ),
        (
            lambda: product_performance.top_products(
                by="PROFIT", order="WORST", limit=10, date_from=DAY, date_to=DAY
            ),
            3,
        ),
    ],
    ids=[
        "salesStats",
        "profitAndLoss",
        "salesStats-detail",
        "profitAndLoss-detail",
        "topProducts-best",
        "topProducts-worst",
    ],
)
def test_report_statement_count_is_pinned(known_sales, django_assert_num_queries, report, statements):
    # From the summaries: salesStats reads the daily sales rows and the daily tender rows,
    # profitAndLoss the first. From the detail: salesStats: sale totals, cost of goods, tenders,
    # refunds, refunds paid; profitAndLoss: the first, second and fourth of those. topProducts (either
    # source): rank, figures of the ranked few, the products.
    with django_assert_num_queries(statements):
        report()


def test_dead_stock_skips_what_sold_in_the_window_and_says_when_the_rest_last_sold(
    known_sales, shop, cashier
):
    from datetime import datetime

    from tests.reports.conftest import LAGOS

    sell(cashier, [(shop["soap"], "1")], [("cash", "10.00")])  # today: soap is not dead

    rows = {r.product.sku: r for r in stock.dead_stock(days=30)}

    assert set(rows) == {"RICE", "SYRUP"}
    assert rows["RICE"].last_sold_at == datetime(2026, 3, 10, 23, 30, tzinfo=LAGOS)  # S2
    assert rows["SYRUP"].last_sold_at is None  # never sold
