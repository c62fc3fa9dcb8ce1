"""Demo customers for a fresh install (idempotent). Customer 1 is the API.md example's customer."""

from decimal import Decimal

from accounts.models import User
from customers import services
from customers.models import Customer

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


def seed(stdout) -> None:
    if Customer.objects.exists():
        return
    manager = User.objects.filter(role="manager").first() or User.objects.filter(role="admin").first()
    created = {}
    for name, phone, kind, limit in CUSTOMERS:
        created[name] = services.create_customer(
            user=manager, name=name, phone=phone, customer_type=kind, credit_limit=limit
        )
    # An old debt and a shop-held credit, through the ledger like everything else.
    services.adjust_balance(
        user=manager,
        customer_id=created["Chinedu Eze"].pk,
        amount=D("120.00"),
        reason="Opening balance from the old book",
    )
    services.record_payment(
        user=manager,
        customer_id=created["Funke Adeyemi"].pk,
        amount=D("50.00"),
        method="cash",
        note="Paid in advance",
        keep_excess_as_credit=True,
    )
    services.update_customer(user=manager, customer_id=created["Halima Musa"].pk, status="blocked")
    stdout.write(f"  customers: {len(CUSTOMERS)} (one owing 120.00, one with 50.00 credit, one blocked)")
