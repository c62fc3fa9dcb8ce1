"""Returns in the demo shop's history: now and then a customer brings something back (idempotent).

A cashier records the return at 18:00 a few days after the sale and a manager decides at 18:30
(mostly approved). The last day leaves one return pending for a manager to try.
"""

import random
from datetime import date, timedelta

from accounts.models import User
from returns import services
from returns.services import ReturnLineRequest
from sales.models import Sale
from shared.backdating import backdated, shop_time
from shared.dates import end_of_day_exclusive, local_today, start_of_day
from shared.errors import DomainError

RETURN_CHANCE = 0.04  # per day
REASONS = [
    ("Damaged box", False),
    ("Wrong item", True),
    ("Past its date on arrival", False),
    ("Not needed", True),
]
# The README's return example uses the history's first sale; leave it untouched.
README_SALE = "S2024-000001"


def replay_day(*, day: date, rng: random.Random) -> dict[str, int]:
    last_day = (local_today() - day).days == 1
    if not last_day and rng.random() >= RETURN_CHANCE:
        return {}
    since = day - timedelta(days=rng.randint(1, 6))
    sale = (
        Sale.objects.filter(
            status="completed",
            created_at__gte=start_of_day(since),
            created_at__lt=end_of_day_exclusive(day - timedelta(days=1)),
        )
        .exclude(transaction_id=README_SALE)
        .prefetch_related("items")
        .order_by("created_at", "pk")
        .first()
    )
    if sale is None:
        return {}
    cashier = User.objects.filter(role="cashier").order_by("pk").first()
    manager = User.objects.filter(role="manager").order_by("pk").first()
    item = rng.choice(list(sale.items.all()))
    reason, restock = rng.choice(REASONS)
    refund_method = "cash" if sale.customer_id is None else rng.choice(["original", "store_credit"])
    try:
        with backdated(shop_time(day, 18, 0)):
            ret = services.create_return(
                user=cashier,
                sale_id=sale.pk,
                lines=[
                    ReturnLineRequest(
                        sale_item_id=item.pk, quantity=min(item.quantity, 1), reason=reason, restock=restock
                    )
                ],
                refund_method=refund_method,
            )
        if last_day:
            return {"returns": 1}
        with backdated(shop_time(day, 18, 30)):
            if rng.random() < 0.85:
                services.approve_return(user=manager, return_id=ret.pk, note="Checked at the counter")
            else:
                services.reject_return(user=manager, return_id=ret.pk, reason="Opened and used")
    except DomainError:  # e.g. the line was already returned in full
        return {}
    return {"returns": 1}
