"""CPU time per request, in-process, as a ratio to `{ __typename }` measured in the same run.

    DATABASE_URL=postgres://.../pos_bench_x python bench/cpu_cost.py [N] [--only a,b] [--json]
    DATABASE_URL=... python bench/cpu_cost.py [N] --compare OLD_CODE_DIR [--rounds 5] [--only a,b]

Needs a database prepared by bench/prep.py (bench user, topped-up products). Each scenario runs N
requests (default 300) through the Django test client (middleware, JWT auth, graphene, services,
SQL round trips) after a warm-up, and reports the worker process's CPU time per request, which
another process on the machine inflates less than wall time (PostgreSQL's own CPU is not in it).
Each scenario's `{ __typename }` floor is measured block by block in between its own requests
(BLOCK requests each), so the ratio compares the two under the same conditions.
On PostgreSQL on the same machine it also reports the database server's CPU per request (its
backend process's user + system time from /proc, 10 ms ticks: read it over hundreds of requests),
which a server on two cores pays as well as the worker's.
Absolute figures still move by up to 1.7x between runs on a shared machine, so the figure to quote
is the ratio to `{ __typename }` from the same run: on a CPU-bound server, throughput ratios
follow CPU cost ratios.

`--compare OLD_CODE_DIR` measures two versions of the code against the same database: this checkout
and another one (e.g. `git archive <commit> | tar -x -C /tmp/old`), each in its own process, in
alternating order (old, new, then new, old, ...) for `--rounds` rounds, and prints per scenario the
median and the spread (min-max) of the ratios, old and new. Only read scenarios are compared by
default, so the rounds do not change the data the other rounds read. `--code-dir DIR` runs the
scenarios against the code in DIR (what `--compare` does for each side).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
SALE = """mutation($input: SaleInput!) { createSale(input: $input) { success errors { code message }
  sale { transactionId total change } } }"""
PRICE = """query($input: SaleInput!) { priceSale(input: $input) { success quote { total amountDue } } }"""
SCAN = "query($c: String!) { productByCode(code: $c) { id name retailPrice stockQuantity } }"
SEARCH = "query($s: String!) { products(search: $s, first: 20) { totalCount edges { node { id name retailPrice stockQuantity } } } }"
SALES_LEAN = "{ sales(first: 50) { edges { node { transactionId total } } } }"
SALES_FULL = """{ sales(first: 50) { totalCount edges { node { transactionId total createdAt
  customer { name } cashier { username } location { name }
  items { quantity total product { name } batches { quantity } } payments { method amount } } } } }"""
STATS_RANGE = '(dateFrom: "{start}", dateTo: "{end}")'
STATS_TOTAL = "{ salesStats%s { totalSales } }"
STATS_FULL = """{ salesStats%s { totalSales totalTransactions averageSaleValue
  customerDebtIncurred { value count } totalRefunds netSales grossProfit totalDiscounts totalTax
  byPaymentMethod { method value count } bySaleType { saleType value count } } }"""
BLOCK = 25  # requests per block; a scenario and its floor alternate block by block
READS = ["typename", "salesLean", "salesStatsTotal", "salesStatsFull"]
ALL = [
    "typename",
    "productByCode",
    "products",
    "priceSale",
    "createSale3",
    "salesLean",
    "salesFull",
    *READS[2:],
]


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=300, help="requests per scenario")
    parser.add_argument("--only", help="comma-separated scenarios (typename is always measured first)")
    parser.add_argument("--json", action="store_true", help="one JSON object per scenario")
    parser.add_argument("--code-dir", help="run against the code in this directory")
    parser.add_argument("--compare", metavar="OLD_CODE_DIR", help="old vs this checkout, alternating")
    parser.add_argument("--rounds", type=int, default=5)
    return parser.parse_args()


def measure(n: int, names: list[str], as_json: bool) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()

    from datetime import timedelta

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from graphql_jwt.shortcuts import get_token

    from accounts.models import User
    from products.models import Product, StockLevel

    user = User.objects.get(username=os.environ.get("BENCH_USER", "bench-admin"))
    client = Client(HTTP_AUTHORIZATION=f"JWT {get_token(user)}", HTTP_HOST="127.0.0.1")
    ids = list(StockLevel.objects.filter(quantity__gte=1000).values_list("product_id", flat=True)[:300])
    codes = list(Product.objects.filter(pk__in=ids).exclude(barcode=None).values_list("barcode", flat=True))
    words = [
        name.split()[0] for name in Product.objects.filter(pk__in=ids[:50]).values_list("name", flat=True)
    ]
    rng = random.Random(1)
    counter = iter(range(10**9))
    today = timezone.localdate()
    year = STATS_RANGE.format(start=today - timedelta(days=364), end=today)

    def cart():
        return [{"productId": str(pid), "quantity": "1"} for pid in rng.sample(ids, 3)]

    cash = [{"method": "cash", "amount": "100000.00"}]
    scenarios = {
        "typename": lambda: ("{ __typename }", {}),
        "productByCode": lambda: (SCAN, {"c": rng.choice(codes)}),
        "products": lambda: (SEARCH, {"s": rng.choice(words)}),
        "priceSale": lambda: (PRICE, {"input": {"items": cart(), "payments": cash}}),
        "createSale3": lambda: (
            SALE,
            {
                "input": {
                    "items": cart(),
                    "payments": cash,
                    "idempotencyKey": f"cpu-{time.time()}-{next(counter)}",
                }
            },
        ),
        "salesLean": lambda: (SALES_LEAN, {}),
        "salesFull": lambda: (SALES_FULL, {}),
        "salesStatsTotal": lambda: (STATS_TOTAL % year, {}),
        "salesStatsFull": lambda: (STATS_FULL % year, {}),
    }

    def call(name):
        query, variables = scenarios[name]()
        response = client.post(
            "/graphql/", json.dumps({"query": query, "variables": variables}), content_type="application/json"
        )
        body = response.json()
        assert "errors" not in body, body

    def cpu_seconds(name, count):
        gc.collect()  # each block pays for its own garbage only, not the block before it
        start = time.process_time()
        for _ in range(count):
            call(name)
        return time.process_time() - start

    for name in ["typename", *names]:
        call(name)  # modules, schema and caches loaded, as in a worker after its first requests
    backend = _database_backend(connection)
    # As config/wsgi.py does once the app is loaded: what lives for the process leaves the
    # collector's sight, so a collection costs what the requests themselves left behind.
    gc.collect()
    gc.freeze()
    if not as_json:
        print(f"{'request':<16} {'CPU ms':>7} {'x typename':>10} {'queries':>8} {'db CPU ms':>10}")
    for name in ["typename", *(s for s in names if s != "typename")]:
        for _ in range(20):
            call(name)
        with CaptureQueriesContext(connection) as captured:
            call(name)
        queries = len(captured)
        # Each scenario's floor is measured interleaved with it, a block of `{ __typename }` before
        # every block of the scenario: a burst of another process's work on this shared machine
        # then slows both sides of the ratio alike instead of one scenario's whole run.
        blocks = max(1, n // BLOCK)
        floor = own = database = 0.0
        for _ in range(blocks):
            floor += cpu_seconds("typename", BLOCK)
            before = _database_seconds(backend)
            own += cpu_seconds(name, BLOCK)
            after = _database_seconds(backend)
            database = None if None in (database, before, after) else database + after - before
        cpu_ms = own / (blocks * BLOCK) * 1000
        ratio = own / floor
        db_ms = (
            None
            if database is None or _database_backend(connection) != backend
            else database / (blocks * BLOCK) * 1000
        )
        if as_json:
            print(
                json.dumps(
                    {
                        "scenario": name,
                        "cpu_ms": cpu_ms,
                        "ratio": ratio,
                        "queries": queries,
                        "db_cpu_ms": db_ms,
                    }
                )
            )
        else:
            db_cell = "-" if db_ms is None else f"{db_ms:.2f}"
            print(f"{name:<16} {cpu_ms:>7.2f} {ratio:>10.2f} {queries:>8} {db_cell:>10}")


def _database_backend(connection) -> int | None:
    """The PostgreSQL backend serving this process, when its /proc entry can be read here."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return pid if _database_seconds(pid) is not None else None


def _database_seconds(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:  # the server runs elsewhere, or as a user whose /proc this one cannot read
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _run(code_dir: Path, n: int, names: list[str]) -> dict[str, dict]:
    command = [
        sys.executable,
        str(HERE),
        str(n),
        "--json",
        "--code-dir",
        str(code_dir),
        "--only",
        ",".join(names),
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=code_dir).stdout
    rows = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return {row["scenario"]: row for row in rows}


def compare(old_dir: Path, n: int, names: list[str], rounds: int) -> None:
    new_dir = HERE.parent.parent
    runs: dict[str, list[dict]] = {"old": [], "new": []}
    for index in range(rounds):
        order = [("old", old_dir), ("new", new_dir)]
        for side, directory in order if index % 2 == 0 else reversed(order):
            runs[side].append(_run(directory, n, names))
            print(f"round {index + 1} {side} done", file=sys.stderr)

    def spread(side, name, key):
        values = [run[name][key] for run in runs[side]]
        return statistics.median(values), min(values), max(values)

    print(f"{rounds} rounds x {n} requests per scenario, old = {old_dir}, new = {new_dir}")
    print(
        f"| {'request':<16} | {'queries old/new':>15} | {'CPU ms old':>10} | {'CPU ms new':>10} "
        f"| {'x typename old (min-max)':>26} | {'x typename new (min-max)':>26} | {'db CPU ms old/new':>17} |"
    )
    print(f"|{'-' * 18}|{'-' * 17}:|{'-' * 11}:|{'-' * 11}:|{'-' * 27}:|{'-' * 27}:|{'-' * 18}:|")
    for name in ["typename", *(s for s in names if s != "typename")]:
        cells = []
        for side in ("old", "new"):
            median, low, high = spread(side, name, "ratio")
            cells.append(f"{median:.2f} ({low:.2f}-{high:.2f})")
        queries = f"{runs['old'][0][name]['queries']}/{runs['new'][0][name]['queries']}"
        cpu_old, cpu_new = spread("old", name, "cpu_ms")[0], spread("new", name, "cpu_ms")[0]
        database = "/".join(_median_or_dash(runs[side], name) for side in ("old", "new"))
        print(
            f"| {name:<16} | {queries:>15} | {cpu_old:>10.2f} | {cpu_new:>10.2f} | {cells[0]:>26} | {cells[1]:>26} "
            f"| {database:>17} |"
        )


def _median_or_dash(side_runs: list[dict], name: str) -> str:
    values = [run[name].get("db_cpu_ms") for run in side_runs]
    values = [value for value in values if value is not None]
    return f"{statistics.median(values):.2f}" if values else "-"


def main() -> None:
    args = _arguments()
    code_dir = Path(args.code_dir).resolve() if args.code_dir else HERE.parent.parent
    sys.path.insert(0, str(code_dir))
    if args.compare:
        names = args.only.split(",") if args.only else READS
        compare(Path(args.compare).resolve(), args.n, names, args.rounds)
    else:
        names = args.only.split(",") if args.only else ALL
        measure(args.n, names, args.json)


if __name__ == "__main__":
    main()
