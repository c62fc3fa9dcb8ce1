"""Year-long reports from the daily summaries vs from the detail, in alternating rounds, one process.

    DATABASE_URL=postgres://.../<generated db> python bench/summary_timings.py [ROUNDS]
Per round and report: the selector with `source=SUMMARIES` and with `source=DETAIL` (order flipped
every round), full selection, over the last 365 days; then the whole GraphQL request (which reads
the summaries). Prints the median (min-max) ms of each, the detail/summary ratio per round and its
median, and the statements each path ran.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DB_MAINTENANCE_SESSION", "1")  # the detail path can exceed the web timeout
import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from graphql_jwt.shortcuts import get_token  # noqa: E402

from accounts.models import User  # noqa: E402
from reports.selectors import counting, product_performance, profit, revenue_periods, sales_figures  # noqa: E402
from sales.models import DailyProductSales, DailySales, DailyTenderSales, SaleItem  # noqa: E402

SALES_STATS = """query($f: Date!, $t: Date!) { salesStats(dateFrom: $f, dateTo: $t) {
  totalSales totalTransactions averageSaleValue customerDebtIncurred { value count } totalRefunds netSales
  grossProfit totalDiscounts totalTax byPaymentMethod { method value count } bySaleType { saleType value count } } }"""


def timed(call) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        call()
        elapsed = (time.perf_counter() - start) * 1000
    return elapsed, len(captured.captured_queries)


def main(rounds: int) -> None:
    today = timezone.localdate()
    period = {"date_from": today - timedelta(days=365), "date_to": today}
    reports = {
        "salesStats": lambda source: sales_figures.sales_stats_summary(**period, source=source),
        "profitAndLoss": lambda source: profit.profit_and_loss_summary(**period, source=source),
        "revenueByPeriod DAY": lambda source: revenue_periods.revenue_by_period(
            granularity="DAY", **period, source=source
        ),
        "salesByPaymentMethod": lambda source: sales_figures.sales_by_payment_method(**period, source=source),
        "topProducts REVENUE": lambda source: product_performance.top_products(
            by="REVENUE", order="BEST", limit=10, **period, source=source
        ),
    }
    print(
        f"lines {SaleItem.objects.count():,}; summary rows: sales {DailySales.objects.count():,}, "
        f"products {DailyProductSales.objects.count():,}, tenders {DailyTenderSales.objects.count():,}"
    )
    for name, report in reports.items():
        assert report(counting.SUMMARIES) == report(counting.DETAIL), name
        times: dict[str, list[float]] = {counting.SUMMARIES: [], counting.DETAIL: []}
        statements = {}
        for round_ in range(rounds):
            order = [counting.SUMMARIES, counting.DETAIL]
            for source in order if round_ % 2 == 0 else order[::-1]:
                elapsed, statements[source] = timed(lambda source=source, report=report: report(source))
                times[source].append(elapsed)
        ratios = [d / s for s, d in zip(times[counting.SUMMARIES], times[counting.DETAIL], strict=True)]
        print(
            f"{name}: summaries {statistics.median(times['summaries']):.1f} ms "
            f"({min(times['summaries']):.1f}-{max(times['summaries']):.1f}, {statements['summaries']} statements); "
            f"detail {statistics.median(times['detail']):.1f} ms "
            f"({min(times['detail']):.1f}-{max(times['detail']):.1f}, {statements['detail']} statements); "
            f"detail/summaries median {statistics.median(ratios):.0f}x ({min(ratios):.0f}-{max(ratios):.0f})"
        )
    user = User.objects.filter(is_active=True, role__in=["manager", "admin"]).first()
    client = Client(HTTP_AUTHORIZATION=f"JWT {get_token(user)}")
    variables = {"f": period["date_from"].isoformat(), "t": period["date_to"].isoformat()}
    client.post("/graphql/", {"query": SALES_STATS, "variables": variables}, content_type="application/json")
    whole = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.post(
            "/graphql/", {"query": SALES_STATS, "variables": variables}, content_type="application/json"
        )
        whole.append((time.perf_counter() - start) * 1000)
        assert "errors" not in response.json(), response.json()
    print(
        f"salesStats full selection, whole GraphQL request (summaries): median {statistics.median(whole):.1f} ms "
        f"({min(whole):.1f}-{max(whole):.1f})"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
