"""Time salesStats, profitAndLoss and topProducts over the last year, through GraphQL and as raw SQL.

    DATABASE_URL=postgres://.../pos_bench_1m python bench/report_timings.py [REPEAT]
Each figure is the median of REPEAT runs (default 5) after one warm-up. The GraphQL timing is the whole
request in-process (Django test client: auth, graphene, the ORM queries of the resolver); the raw SQL
is the same aggregation written by hand against the same tables and date range (shop-local days).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from graphql_jwt.shortcuts import get_token  # noqa: E402

from accounts.models import User  # noqa: E402
from sales.models import SaleItem  # noqa: E402
from shared.dates import end_of_day_exclusive, start_of_day  # noqa: E402

QUERIES = {
    "salesStats": """query($f: Date!, $t: Date!) { salesStats(dateFrom: $f, dateTo: $t) {
        totalSales totalTransactions averageSaleValue customerDebtIncurred { value count } } }""",
    "profitAndLoss": """query($f: Date!, $t: Date!) { profitAndLoss(dateFrom: $f, dateTo: $t) {
        revenue tax netRevenue discounts costOfGoodsSold refunds grossProfit } }""",
    "topProducts": """query($f: Date!, $t: Date!) { topProducts(by: REVENUE, order: BEST, limit: 10,
        dateFrom: $f, dateTo: $t) { product { name } quantity revenue profit frequency } }""",
}

# The other reports a manager opens over a year: GraphQL time only, to catch a report that does not
# scale (deadStock took 7.6 s before it was rewritten). Target: under 1 s.
OTHER_QUERIES = {
    "topProducts (FREQUENCY)": """query($f: Date!, $t: Date!) { topProducts(by: FREQUENCY, limit: 10,
        dateFrom: $f, dateTo: $t) { product { name } frequency } }""",
    "revenueByPeriod (DAY)": """query($f: Date!, $t: Date!) { revenueByPeriod(dateFrom: $f, dateTo: $t,
        granularity: DAY) { start revenue net transactions } }""",
    "salesByPaymentMethod": """query($f: Date!, $t: Date!) { salesByPaymentMethod(dateFrom: $f, dateTo: $t) {
        method value count } }""",
    "salesByCashier": """query($f: Date!, $t: Date!) { salesByCashier(dateFrom: $f, dateTo: $t) {
        label value count } }""",
    "salesByCategory": """query($f: Date!, $t: Date!) { salesByCategory(dateFrom: $f, dateTo: $t) {
        label value count } }""",
    "deadStock (90 days)": """{ deadStock(days: 90) { product { name category { name } stockQuantity }
        valueAtCost lastSoldAt } }""",
    "inventoryValuation": "{ inventoryValuation { total { atCost atRetail } byCategory { label atCost } } }",
    "outstandingDebt": "{ outstandingDebt { totalOwed customersOwing largestDebtors { balance } } }",
}

RANGE = "s.status <> 'voided' AND s.created_at >= %(f)s AND s.created_at < %(t)s"
# Every figure the resolver computes, whichever fields the GraphQL query selects.
SALE_TOTALS = f"""SELECT sale_type, sum(total), count(*), sum(amount_on_account),
    count(*) FILTER (WHERE amount_on_account > 0), sum(discount_total), sum(tax_total), sum(change)
    FROM sales_sale s WHERE {RANGE} GROUP BY sale_type"""
COGS = f"""SELECT sum(i.quantity * i.unit_cost) FROM sales_saleitem i JOIN sales_sale s ON s.id = i.sale_id
    WHERE {RANGE}"""
REFUNDS = """SELECT sum(ri.refund_amount),
    sum(ri.refund_amount * si.tax / CASE WHEN si.total = 0 THEN 1 ELSE si.total END),
    sum(ri.quantity * si.unit_cost) FILTER (WHERE ri.restock)
    FROM returns_returnitem ri JOIN returns_return r ON r.id = ri.return_request_id
    JOIN sales_saleitem si ON si.id = ri.sale_item_id
    WHERE r.status = 'approved' AND r.decided_at >= %(f)s AND r.decided_at < %(t)s"""
RAW = {
    "salesStats": [
        SALE_TOTALS,
        COGS,
        f"""SELECT p.method, sum(p.amount), count(DISTINCT p.sale_id) FROM sales_payment p
            JOIN sales_sale s ON s.id = p.sale_id WHERE {RANGE} GROUP BY p.method""",
        REFUNDS,
        """SELECT sum(cash_refund_amount), count(*) FILTER (WHERE cash_refund_amount > 0) FROM returns_return r
            WHERE r.status = 'approved' AND r.decided_at >= %(f)s AND r.decided_at < %(t)s""",
    ],
    "profitAndLoss": [SALE_TOTALS, COGS, REFUNDS],
    "topProducts": [
        # Aggregate the lines per product, then join the products (names: the tie-break and the output).
        f"""SELECT p.name, a.* FROM (
              SELECT i.product_id, sum(i.quantity), sum(i.total) AS revenue,
                sum(i.total - i.tax - i.unit_cost * i.quantity), count(DISTINCT i.sale_id)
              FROM sales_saleitem i JOIN sales_sale s ON s.id = i.sale_id WHERE {RANGE}
              GROUP BY i.product_id) a
            JOIN products_product p ON p.id = a.product_id ORDER BY a.revenue DESC, p.name, p.id LIMIT 10""",
    ],
}


TIMEOUT_S = float(os.environ.get("BENCH_REPORT_TIMEOUT", "60"))


def timed(fn, repeat: int) -> float:
    fn()
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def main() -> None:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    user = User.objects.get(username=os.environ.get("BENCH_USER", "bench-admin"))
    client = Client(HTTP_AUTHORIZATION=f"JWT {get_token(user)}", HTTP_HOST="127.0.0.1")
    today = timezone.localdate()
    date_from = today - timedelta(days=365)
    variables = {"f": str(date_from), "t": str(today)}
    params = {"f": start_of_day(date_from), "t": end_of_day_exclusive(today)}
    lines = SaleItem.objects.filter(
        sale__created_at__gte=params["f"], sale__created_at__lt=params["t"]
    ).count()
    print(f"range {date_from} .. {today}: {lines:,} sale lines")
    with connection.cursor() as cursor:  # a hung report is recorded as cancelled, not waited for
        cursor.execute(f"SET statement_timeout = {int(TIMEOUT_S * 1000)}")
    print("| report | GraphQL (ms) | raw SQL (ms) | ratio | target < 1 s and <= 3x |")
    print("| --- | ---: | ---: | ---: | --- |")
    for name, query in QUERIES.items():

        def graphql(query=query):
            body = json.dumps({"query": query, "variables": variables})
            data = client.post("/graphql/", body, content_type="application/json").json()
            assert "errors" not in data, data

        def raw(name=name):
            with connection.cursor() as cursor:
                for sql in RAW[name]:
                    cursor.execute(sql, params)
                    cursor.fetchall()

        r = timed(raw, repeat)
        try:
            g = timed(graphql, repeat)
        except AssertionError:  # cancelled by statement_timeout
            print(
                f"| {name} | > {TIMEOUT_S * 1000:.0f} (cancelled) | {r * 1000:.0f} | > {TIMEOUT_S / r:.0f}x | MISSED |"
            )
            continue
        met = "met" if g < 1 and g <= 3 * r else "MISSED"
        print(f"| {name} | {g * 1000:.0f} | {r * 1000:.0f} | {g / r:.2f}x | {met} |")

    print("\n| other report | GraphQL (ms) | under 1 s |")
    print("| --- | ---: | --- |")
    for name, query in OTHER_QUERIES.items():

        def other(query=query):
            body = json.dumps({"query": query, "variables": variables if "$f" in query else {}})
            data = client.post("/graphql/", body, content_type="application/json").json()
            assert "errors" not in data, data

        try:
            g = timed(other, repeat)
        except AssertionError:
            print(f"| {name} | > {TIMEOUT_S * 1000:.0f} (cancelled or failed) | MISSED |")
            continue
        print(f"| {name} | {g * 1000:.0f} | {'yes' if g < 1 else 'NO'} |")


if __name__ == "__main__":
    main()
