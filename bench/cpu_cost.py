"""CPU time per request, in-process, for the till's requests: the figure that survives a noisy machine.

    DATABASE_URL=postgres://.../pos_bench_x python bench/cpu_cost.py [N]
Needs a database prepared by bench/prep.py (bench user, topped-up products). Each scenario runs N
requests (default 300) through the Django test client (middleware, JWT auth, graphene, services,
SQL round trips) after a warm-up, and reports the process CPU time per request, which another
process on the machine does not inflate the way it inflates wall time. The ratio to `{ __typename }`
bounds what the load test can show: on a CPU-bound server, throughput ratios follow CPU cost ratios.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from graphql_jwt.shortcuts import get_token  # noqa: E402

from accounts.models import User  # noqa: E402
from products.models import Product, StockLevel  # noqa: E402

SALE = """mutation($input: SaleInput!) { createSale(input: $input) { success errors { code message }
  sale { transactionId total change } } }"""
PRICE = """query($input: SaleInput!) { priceSale(input: $input) { success quote { total amountDue } } }"""
SCAN = "query($c: String!) { productByCode(code: $c) { id name retailPrice stockQuantity } }"
SEARCH = "query($s: String!) { products(search: $s, first: 20) { totalCount edges { node { id name retailPrice stockQuantity } } } }"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    user = User.objects.get(username=os.environ.get("BENCH_USER", "bench-admin"))
    client = Client(HTTP_AUTHORIZATION=f"JWT {get_token(user)}", HTTP_HOST="127.0.0.1")
    ids = list(StockLevel.objects.filter(quantity__gte=1000).values_list("product_id", flat=True)[:300])
    codes = list(Product.objects.filter(pk__in=ids).exclude(barcode=None).values_list("barcode", flat=True))
    words = [
        name.split()[0] for name in Product.objects.filter(pk__in=ids[:50]).values_list("name", flat=True)
    ]
    rng = random.Random(1)
    counter = iter(range(10**9))

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
    }

    def call(name):
        query, variables = scenarios[name]()
        response = client.post(
            "/graphql/", json.dumps({"query": query, "variables": variables}), content_type="application/json"
        )
        body = response.json()
        assert "errors" not in body, body

    print(f"{'request':<14} {'CPU ms':>7} {'x typename':>10} {'queries':>8}")
    floor = None
    for name in scenarios:
        for _ in range(20):
            call(name)
        with CaptureQueriesContext(connection) as captured:
            call(name)
        queries = len(captured)
        start = time.process_time()
        for _ in range(n):
            call(name)
        cpu_ms = (time.process_time() - start) / n * 1000
        floor = floor or cpu_ms
        print(f"{name:<14} {cpu_ms:>7.2f} {cpu_ms / floor:>10.1f} {queries:>8}")


if __name__ == "__main__":
    main()
