"""Demo customers and the history of their account payments (idempotent).

Customer 1 is the API.md example's customer. Payments never exceed what a customer owes, so the
history is valid whether or not overpayments are accepted.
"""

import random
from datetime import date
from decimal import Decimal

from accounts.models import User
from customers import services
from customers.models import Customer
from shared.backdating import backdated, shop_time
from shared.dates import local_today
from shared.money import ZERO, q

D = Decimal
CUSTOMERS = [
    # name, phone, type, credit limit
    ("Ada Okafor", "08031110001", "retail", D("500.00")),
    ("Bola Hardware Ltd", "08031110002", "wholesale", D("5000.00")),
    ("Chinedu Eze", "08031110003", "retail", D("200.00")),
    ("Divine Pharmacy", "08031110004", "wholesale", D("10000.00")),
    ("Efe Johnson", "08031110005", "retail", D("0.00")),
    ("Funke Adeyemi", "08031110006", "retail", D("300.00")),
    ("Garba Stores", "08031110007", "wholesale", D("3000.00")),
    ("Halima Musa", "08031110008", "retail", D("150.00")),
]
BLOCKED = "Halima Musa"
PAYMENT_CHANCE = 0.3  # per day, one customer who owes pays something
ROUND_AMOUNTS = [D("20.00"), D("50.00"), D("100.00"), D("200.00"), D("500.00")]


def _manager() -> User | None:
    return User.objects.filter(role="manager").first() or User.objects.filter(role="admin").first()


def seed(stdout) -> None:
    if Customer.objects.exists():
        return
    manager = _manager()
    created = {}
    for name, phone, kind, limit in CUSTOMERS:
        created[name] = services.create_customer(
            user=manager, name=name, phone=phone, customer_type=kind, credit_limit=limit
        )
    # An old debt and a deposit the shop holds, through the ledger like everything else.
    services.adjust_balance(
        user=manager,
        customer_id=created["Chinedu Eze"].pk,
        amount=D("120.00"),
        reason="Opening balance from the old book",
    )
    services.adjust_balance(
        user=manager,
        customer_id=created["Funke Adeyemi"].pk,
        amount=D("-50.00"),
        reason="Deposit carried over from the old book",
    )
    stdout.write(f"  customers: {len(CUSTOMERS)} (one owing 120.00, one with 50.00 credit)")


def replay_day(*, day: date, rng: random.Random) -> dict[str, int]:
    """At 07:30 a customer who owes may pay part or all of it; yesterday, one customer is blocked."""
    counts = {"customer payments": 0}
    if rng.random() < PAYMENT_CHANCE:
        owing = list(Customer.objects.filter(status="active", balance__gt=0).order_by("pk"))
        amount = ZERO
        if owing:
            customer = rng.choice(owing)
            amount = q(min(customer.balance, rng.choice(ROUND_AMOUNTS)))
        if owing and amount > 0:
            with backdated(shop_time(day, 7, 30)):
                services.record_payment(
                    user=_manager(),
                    customer_id=customer.pk,
                    amount=amount,
                    method=rng.choice(["cash", "cash", "transfer", "card"]),
                    note="Paid at the counter",
                )
            counts["customer payments"] = 1
    if (local_today() - day).days == 1:
        blocked = Customer.objects.get(name=BLOCKED)
        with backdated(shop_time(day, 7, 45)):
            services.update_customer(user=_manager(), customer_id=blocked.pk, status="blocked")
    return counts
