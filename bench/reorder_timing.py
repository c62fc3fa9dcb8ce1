"""Time reorderSuggestions on a generated database (issue 16: under 500 ms on the 1M-line data set).

    DATABASE_URL=postgres://.../pos_bench_1m python bench/reorder_timing.py [REPEAT]
Median of REPEAT runs (default 5) after one warm-up: the whole GraphQL request in-process (auth,
graphene, the one SQL query), for all suppliers and for the busiest supplier. Creates (once) a
manager `bench-reorder` to ask as.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django  # noqa: E402

django.setup()

from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from graphql_jwt.shortcuts import get_token  # noqa: E402

from accounts.models import User  # noqa: E402
from products.models import Product, StockMovement, Supplier  # noqa: E402
from shared.roles import Role  # noqa: E402

QUERY = """query($s: ID) { reorderSuggestions(supplierId: $s) {
    product { sku } supplier { name } onHand onOrder sold dailySales suggestedQuantity unitCost } }"""


def main() -> None:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    user, _ = User.objects.get_or_create(username="bench-reorder", defaults={"role": Role.MANAGER})
    client = Client(HTTP_AUTHORIZATION=f"JWT {get_token(user)}", HTTP_HOST="127.0.0.1")
    busiest = Supplier.objects.annotate(n=Count("products")).order_by("-n").first()
    print(
        f"movements {StockMovement.objects.count():,}, products {Product.objects.count():,}, "
        f"busiest supplier {busiest.name} ({busiest.n} products)"
    )
    for label, supplier in (("all suppliers", None), ("one supplier", str(busiest.pk))):
        body = json.dumps({"query": QUERY, "variables": {"s": supplier}})
        times, rows = [], 0
        for i in range(repeat + 1):
            started = time.perf_counter()
            response = client.post("/graphql/", body, content_type="application/json")
            elapsed = time.perf_counter() - started
            payload = response.json()
            assert "errors" not in payload, payload["errors"]
            rows = len(payload["data"]["reorderSuggestions"])
            if i:  # the first run warms caches
                times.append(elapsed)
        print(f"reorderSuggestions ({label}): {statistics.median(times) * 1000:.0f} ms median, {rows} rows")


if __name__ == "__main__":
    main()
