"""The reports read from the daily summaries answer what the detail answers, on random histories."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from reports.selectors import product_performance, profit, revenue_periods, sales_breakdowns, sales_figures
from reports.selectors.counting import DETAIL, SUMMARIES
from returns.models import Return
from sales.models import Sale
from tests.sales.test_summaries import build_random_history

pytestmark = pytest.mark.django_db


def both(report, **kwargs):
    return report(**kwargs, source=SUMMARIES), report(**kwargs, source=DETAIL)


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_every_period_report_from_the_summaries_equals_the_detail(shop, manager, cashier, seed):
    today = timezone.localdate()
    days = [today - timedelta(days=n) for n in (40, 12, 11, 5, 2)]
    annex = build_random_history(random.Random(seed), shop, manager, cashier, days)
    assert Sale.objects.filter(status="voided").exists() and Return.objects.filter(status="approved").exists()
    spans = [(days[0], today), (days[1], days[1]), (days[2], days[3]), (today - timedelta(days=60), days[0])]

    for date_from, date_to in spans:
        for location_id in (None, annex.pk, shop["location"].pk):
            period = {"date_from": date_from, "date_to": date_to, "location_id": location_id}
            summary, detail = both(sales_figures.sales_stats_summary, **period)
            assert summary == detail, (period, summary, detail)
            summary, detail = both(profit.profit_and_loss_summary, **period)
            assert summary == detail, (period, summary, detail)
            summary, detail = both(sales_figures.sales_by_payment_method, **period)
            assert summary == detail, (period, summary, detail)
            for granularity in ("DAY", "WEEK", "MONTH"):
                summary, detail = both(revenue_periods.revenue_by_period, granularity=granularity, **period)
                assert summary == detail, (period, granularity)
            for by in product_performance.TOP_BY:
                for order in ("BEST", "WORST"):
                    summary, detail = both(
                        product_performance.top_products, by=by, order=order, limit=10, **period
                    )
                    assert [
                        (p.product.pk, p.quantity, p.revenue, p.profit, p.frequency) for p in summary
                    ] == [(p.product.pk, p.quantity, p.revenue, p.profit, p.frequency) for p in detail], (
                        period,
                        by,
                        order,
                    )
            summary, detail = both(
                sales_breakdowns.sales_by_category, figures={"label", "value", "quantity"}, **period
            )
            assert sorted((g.label, g.value, g.quantity) for g in summary) == sorted(
                (g.label, g.value, g.quantity) for g in detail
            )


def test_sales_stats_over_a_year_reads_two_summary_statements_whatever_the_sales(
    shop, manager, cashier, django_assert_num_queries
):
    today = timezone.localdate()
    build_random_history(random.Random(7), shop, manager, cashier, [today - timedelta(days=3)])
    few = sales_figures.sales_stats_summary(date_from=today - timedelta(days=365), date_to=today)

    build_random_history(
        random.Random(8), shop, manager, cashier, [today - timedelta(days=n) for n in (30, 20, 10)]
    )
    with django_assert_num_queries(2):
        many = sales_figures.sales_stats_summary(date_from=today - timedelta(days=365), date_to=today)

    assert many.total_transactions > few.total_transactions


def test_sales_by_category_with_count_reads_the_detail(shop, manager, cashier, django_assert_num_queries):
    today = timezone.localdate()
    build_random_history(random.Random(9), shop, manager, cashier, [today - timedelta(days=2)])

    with django_assert_num_queries(1) as captured:
        rows = sales_breakdowns.sales_by_category(date_from=today - timedelta(days=7), date_to=today)

    assert "sales_saleitem" in captured.captured_queries[0]["sql"] and rows
    assert all(g.count > 0 for g in rows)
