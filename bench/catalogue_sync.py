"""Time catalogue sync on a large catalogue (issue 17: 100,000 products; a delta of 100 changes < 50 ms).

    DATABASE_URL=postgres://.../pos_bench_cat SECURE_SSL_REDIRECT=false LOG_LEVEL=WARNING \
        python bench/catalogue_sync.py [DELTA_REPEAT]

On a database made by `generate_data --products 100000 ...` (see bench/README.md). In-process, the
whole GraphQL request (JWT, device header, graphene, SQL), as a till would send it:
1. a first sync paged to the end with `first: 100`: total time, pages, rows, median and p99 page;
2. 100 products changed through `update_product` (the service a manager's edit goes through), then
   the delta from the cursor the first sync handed over: median of DELTA_REPEAT (default 9) asks;
3. `{ __typename }` with the same credentials, so the figures read as ratios to the framework floor
   measured in the same run (absolute timings on these machines move by up to 1.7x between runs).
Creates (once) a manager `bench-catalogue` and a device; changes 100 product prices (a bench database).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from decimal import Decimal
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
from offline.services import register_device  # noqa: E402
from products.models import Product, StockLevel  # noqa: E402
from products.services import update_product  # noqa: E402
from shared.roles import Role  # noqa: E402

PAGE = """query($since: String) { catalogueChanges(since: $since, first: 100) {
    nextCursor hasMore isFullSync
    products { id sku barcode name unit retailPrice wholesalePrice taxRate quantityDecimals trackBatches isActive }
    stockLevels { id productId locationId quantity }
    customers { id name phone type status creditLimit balance allowedOnAccount isArchived }
    deletedProductIds deletedStockLevelIds deletedCustomerIds } }"""


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


class Till:
    def __init__(self, user: User, credential: str):
        self.client = Client(
            HTTP_AUTHORIZATION=f"JWT {get_token(user)}", HTTP_X_POS_DEVICE=credential, HTTP_HOST="127.0.0.1"
        )

    def ask(self, query: str, variables: dict | None = None) -> tuple[dict, float]:
        body = json.dumps({"query": query, "variables": variables or {}})
        started = time.perf_counter()
        response = self.client.post("/graphql/", body, content_type="application/json")
        elapsed = time.perf_counter() - started
        payload = response.json()
        assert "errors" not in payload, payload["errors"]
        return payload["data"], elapsed


def full_sync(till: Till) -> tuple[str, dict]:
    cursor, page_times, rows, pages = None, [], 0, 0
    started = time.perf_counter()
    while True:
        data, elapsed = till.ask(PAGE, {"since": cursor})
        page = data["catalogueChanges"]
        page_times.append(elapsed)
        pages += 1
        rows += len(page["products"]) + len(page["stockLevels"]) + len(page["customers"])
        cursor = page["nextCursor"]
        if not page["hasMore"]:
            break
    total = time.perf_counter() - started
    return cursor, {
        "total": total,
        "pages": pages,
        "rows": rows,
        "median": statistics.median(page_times),
        "p99": _p99(page_times),
    }


def main() -> None:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    user, _ = User.objects.get_or_create(username="bench-catalogue", defaults={"role": Role.MANAGER})
    credential = register_device(user=user, name=f"bench {time.time():.0f}").credential
    till = Till(user, credential)
    print(
        f"{connection.vendor}: products {Product.objects.count():,}, "
        f"stock levels {StockLevel.objects.count():,}"
    )
    floor = statistics.median(till.ask("{ __typename }")[1] for _ in range(repeat + 1))

    cursor, first = full_sync(till)
    print(
        f"first sync: {first['total']:.1f} s for {first['rows']:,} rows in {first['pages']:,} pages; "
        f"page median {_ms(first['median'])} ({first['median'] / floor:.1f}x typename), p99 {_ms(first['p99'])}"
    )

    changed = list(Product.objects.filter(is_active=True).order_by("?")[:100])
    for product in changed:
        update_product(user=user, product=product, retail_price=product.retail_price + Decimal("0.01"))
    times = []
    with CaptureQueriesContext(connection) as queries:
        for i in range(repeat + 1):
            data, elapsed = till.ask(PAGE, {"since": cursor})
            page = data["catalogueChanges"]
            assert len(page["products"]) == 100 and not page["hasMore"], (
                len(page["products"]),
                page["hasMore"],
            )
            if i:  # the first ask warms caches
                times.append(elapsed)
    delta = statistics.median(times)
    statements = len(queries.captured_queries) // (repeat + 1)
    print(
        f"delta of 100 changed products: median {_ms(delta)} of {repeat} ({delta / floor:.1f}x typename "
        f"{_ms(floor)}), p99 {_ms(_p99(times))}, {statements} SQL statements per request"
    )


if __name__ == "__main__":
    main()
