"""Time closeShift on a shift holding N sales (default 20,000), on the database of DATABASE_URL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pos_bench_close python bench/close_shift.py [N] [REPEAT]

Needs a migrated database (it creates a register, a cashier and one shift per repeat). The shift's
rows are bulk-inserted exactly as createSale writes them (one SALE posting per sale with its tender
columns, a void every 100 sales, refunds, payments on account, 50 cash movements), because the close
reads nothing else: it locks the shift and the register and sums the shift's rows over the
(shift, kind) indexes. Each repeat closes a fresh shift; the figure is the median wall time of
`close_shift` (the service: locks, two aggregates, Z number, save), and the Z is checked against the
numbers inserted.
"""

from __future__ import annotations

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

from accounts.models import User  # noqa: E402
from products.models import Location  # noqa: E402
from tills import services  # noqa: E402
from tills.models import CashMovement, Register, ShiftPosting  # noqa: E402

D = Decimal


def fill(shift, user, sales: int) -> Decimal:
    """Write `sales` sales' postings and some other rows; return the expected cash."""
    rows, cash = [], shift.opening_float
    for i in range(sales):
        if i % 3 == 0:
            amounts = {"total": D("25.00"), "tax": D("1.74"), "card": D("25.00")}
        elif i % 3 == 1:
            amounts = {"total": D("12.50"), "cash": D("12.50")}
        else:
            amounts = {"total": D("40.00"), "cash": D("15.00"), "on_account": D("25.00")}
        rows.append(
            ShiftPosting(
                shift=shift, user=user, kind="SALE", reference_type="sale", reference_id=i, **amounts
            )
        )
        cash += amounts.get("cash", D("0"))
        if i % 100 == 1:
            rows.append(
                ShiftPosting(
                    shift=shift,
                    user=user,
                    kind="VOID",
                    reference_type="sale",
                    reference_id=i,
                    total=D("-12.50"),
                    cash=D("-12.50"),
                )
            )
            cash -= D("12.50")
        if i % 500 == 0:
            rows.append(
                ShiftPosting(
                    shift=shift,
                    user=user,
                    kind="ACCOUNT_PAYMENT",
                    reference_type="payment",
                    reference_id=i,
                    total=D("10.00"),
                    cash=D("10.00"),
                )
            )
            cash += D("10.00")
    ShiftPosting.objects.bulk_create(rows, batch_size=5000)
    CashMovement.objects.bulk_create(
        [
            CashMovement(shift=shift, user=user, kind="DROP", amount=D("100.00"), reason="drop")
            for _ in range(50)
        ]
    )
    return cash - D("5000.00")


def main() -> None:
    sales = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    location = Location.objects.filter(is_default=True).first() or Location.objects.create(
        name="Bench shop", is_default=True
    )
    user, _ = User.objects.get_or_create(username="bench-close", defaults={"role": "cashier"})
    register = Register.objects.create(location=location, name=f"Bench till {time.time_ns()}")
    timings = []
    for _ in range(repeat):
        shift = services.open_shift(user=user, register_id=register.pk, opening_float=D("200.00"))
        expected = fill(shift, user, sales)
        started = time.perf_counter()
        closed = services.close_shift(user=user, shift_id=shift.pk, counted_cash=expected)
        timings.append((time.perf_counter() - started) * 1000)
        assert closed.expected_cash == expected and closed.variance == 0, (closed.expected_cash, expected)
        assert closed.z_report["kinds"]["SALE"]["count"] == sales
    print(
        f"closeShift over {sales} sales: median {statistics.median(timings):.1f} ms, "
        f"min {min(timings):.1f} ms, max {max(timings):.1f} ms ({repeat} closes)"
    )


if __name__ == "__main__":
    main()
