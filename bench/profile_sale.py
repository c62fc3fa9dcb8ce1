"""Profile createSale in-process (the whole Django + graphene stack, no network) with pyinstrument.

    DATABASE_URL=postgres://.../pos_bench_x python bench/profile_sale.py [N] [--queries]
Needs a database prepared by bench/prep.py (bench user, topped-up products). Prints the profile of N
three-line sales and, with --queries, the SQL statements of one sale.
"""

from __future__ import annotations

import json
import os
import random
import sys
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
from products.models import StockLevel  # noqa: E402

SALE = """mutation($input: SaleInput!) { createSale(input: $input) { success errors { code message }
  sale { transactionId total change } } }"""


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 200
    user = User.objects.get(username=os.environ.get("BENCH_USER", "bench-admin"))
    token = get_token(user)
    ids = list(StockLevel.objects.filter(quantity__gte=1000).values_list("product_id", flat=True)[:300])
    rng = random.Random(1)
    client = Client(HTTP_AUTHORIZATION=f"JWT {token}", HTTP_HOST="127.0.0.1")

    def sell():
        items = [{"productId": str(pid), "quantity": "1"} for pid in rng.sample(ids, 3)]
        body = {
            "query": SALE,
            "variables": {"input": {"items": items, "payments": [{"method": "cash", "amount": "100000.00"}]}},
        }
        response = client.post("/graphql/", json.dumps(body), content_type="application/json")
        assert response.json()["data"]["createSale"]["success"], response.content

    for _ in range(5):
        sell()  # warm up
    if "--queries" in sys.argv:
        with CaptureQueriesContext(connection) as captured:
            sell()
        for q in captured.captured_queries:
            print(f"{q['time']:>6}s  {q['sql'][:150]}")
        print(f"{len(captured)} queries")
        return
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(n):
        sell()
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False, show_all=False))


if __name__ == "__main__":
    main()
