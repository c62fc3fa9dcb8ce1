"""Prepare a generated database for the load test and verify it afterwards (used by bench/run.sh).

python bench/prep.py prepare OUT_DIR   # bench user, stock top-up through receive_stock_many, data.lua
python bench/prep.py count             # print the number of Sale rows
python bench/prep.py verify BEFORE TIDS UNANSWERED  # no negative stock, no lost sale, check_ledgers
"""

from __future__ import annotations

import io
import os
import random
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Maintenance like a management command (check_ledgers over the whole generated database): no web
# statement/lock timeouts (config/settings.py).
os.environ.setdefault("DB_MAINTENANCE_SESSION", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

BENCH_USER = os.environ.get("BENCH_USER", "bench-admin")
BENCH_PASSWORD = os.environ.get("BENCH_PASSWORD", "Bench-Pass-2026-loopback")
LOAD_PRODUCTS = int(os.environ.get("BENCH_LOAD_PRODUCTS", "300"))
HOT_PRODUCTS = 5
TOP_UP = Decimal(os.environ.get("BENCH_TOP_UP", "100000"))


def lua_list(values) -> str:
    return "{" + ", ".join(f'"{v}"' if isinstance(v, str) else str(v) for v in values) + "}"


def prepare(out_dir: str) -> None:
    from customers.models import Customer
    from products.models import Product
    from products.selectors import get_default_location
    from products.services.stock import Receipt, receive_stock_many

    call_command("create_admin", "--username", BENCH_USER, "--password", BENCH_PASSWORD, stdout=io.StringIO())
    from accounts.models import User

    user = User.objects.get(username=BENCH_USER)
    rng = random.Random(7)
    active = list(Product.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    ids = sorted(rng.sample(active, min(LOAD_PRODUCTS, len(active))))
    hot = ids[:HOT_PRODUCTS]
    location = get_default_location()
    products = Product.objects.in_bulk(ids)
    expiry = timezone.localdate() + timedelta(days=365)
    # Enough stock that the load never runs short (a delivery, through the real bulk-receipt service).
    receipts = [
        Receipt(
            product=products[pid],
            location=location,
            quantity=TOP_UP,
            unit_cost=products[pid].cost_price,
            batch_number="BENCH-LOAD" if products[pid].track_batches else None,
            expiry_date=expiry if products[pid].track_batches else None,
        )
        for pid in ids
    ]
    receive_stock_many(user=user, receipts=receipts)
    customers = list(
        Customer.objects.filter(status="active").order_by("pk").values_list("pk", flat=True)[:50]
    )
    # A large limit for the customers the load charges to account (credit_limit is not a ledger field).
    Customer.objects.filter(pk__in=customers).update(credit_limit=Decimal("100000000"))
    codes = list(Product.objects.filter(pk__in=ids).values_list("barcode", flat=True))
    words = sorted(
        {name.split()[1] for name in Product.objects.filter(pk__in=ids).values_list("name", flat=True)}
    )
    today = timezone.localdate()
    data = (
        "return {\n"
        f"  ids = {lua_list(ids)},\n"
        f"  hot = {lua_list(hot)},\n"
        f"  customers = {lua_list(customers)},\n"
        f"  codes = {lua_list([c for c in codes if c])},\n"
        f"  words = {lua_list(words)},\n"
        f'  date_from = "{today - timedelta(days=365)}",\n'
        f'  date_to = "{today}",\n'
        "}\n"
    )
    Path(out_dir, "data.lua").write_text(data)
    print(f"prepared: {len(ids)} products topped up by {TOP_UP}, {len(customers)} account customers")


def count() -> None:
    from sales.models import Sale

    print(Sale.objects.count())


def verify(before: int, tids_path: str, unanswered: int) -> int:
    """Every sale a client was told about exists; rows beyond them come only from unanswered requests.

    wrk stops at the deadline with requests in flight: the server may commit those sales without
    the client reading the answer, so new rows may exceed the successes by at most that number.
    """
    from products.models import Batch, StockLevel
    from sales.models import Sale

    told = set(Path(tids_path).read_text().split()) if Path(tids_path).exists() else set()
    found = set()
    told_list = sorted(told)
    for start in range(0, len(told_list), 5000):
        chunk = told_list[start : start + 5000]
        found.update(Sale.objects.filter(transaction_id__in=chunk).values_list("transaction_id", flat=True))
    ok = len(told)

    problems = []
    negative = (
        StockLevel.objects.filter(quantity__lt=0).count() + Batch.objects.filter(quantity__lt=0).count()
    )
    if negative:
        problems.append(f"{negative} stock levels or batches below zero")
    created = Sale.objects.count() - before
    if found != told:
        problems.append(f"lost sales: {len(told - found)} answered transaction ids have no Sale row")
    if not ok <= created <= ok + unanswered:
        problems.append(
            f"phantom sales: {ok} successes + {unanswered} unanswered requests, {created} new Sale rows"
        )
    print(
        f"verify: successful createSale responses={ok} (all found: {found == told}), new Sale rows={created}, "
        f"requests cut off unanswered at the deadlines={unanswered}, negative stock rows={negative}"
    )
    try:
        call_command("check_ledgers")
    except Exception as exc:  # CommandError: mismatches were printed
        problems.append(f"check_ledgers: {exc}")
    for line in problems:
        print("VERIFY FAILED:", line)
    return 1 if problems else 0


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "prepare":
        prepare(sys.argv[2])
    elif command == "count":
        count()
    elif command == "verify":
        sys.exit(verify(int(sys.argv[2]), sys.argv[3], int(sys.argv[4])))
    else:
        sys.exit(__doc__)
