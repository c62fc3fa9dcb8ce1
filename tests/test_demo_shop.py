"""The demo shop (`seed_demo`): its history, its ledgers and timestamps, and the README run against it.

One shop is loaded for the whole module (loading takes a while); every test runs in a transaction
rolled back afterwards, so each sees the freshly loaded shop. Runs on SQLite and PostgreSQL.
"""

import importlib
import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Count, Max, Min
from django.test import override_settings

from accounts.models import User
from customers.models import CustomerLedgerEntry, CustomerPayment
from products.models import StockMovement
from returns.models import Return
from sales.models import Payment, Sale
from tests.conftest import GraphQLClient

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "pos-demo-2026"
# Operations the README runs as a manager; everything else runs as the cashier.
MANAGER_OPERATIONS = {
    "salesStats",
    "customerStatement",
    "approveReturn",
    "returns",
    "receiveStock",
    "lowStockProducts",
    "expiringBatches",
}
# The seed example of the API contract (shared/API.md), verbatim.
API_SALES_STATS = """
query {
  salesStats(dateFrom: "2024-01-01", dateTo: "2024-12-31") {
    totalSales
    totalTransactions
    averageSaleValue
    customerDebtIncurred { value count }
  }
}
"""


def _restore_migration_data():
    importlib.import_module("products.migrations.0002_default_location").create_default_location(apps, None)


@pytest.fixture(scope="module")
def demo_shop(django_db_setup, django_db_blocker):
    """A demo shop loaded as on a fresh install (ids from 1); the database is emptied afterwards."""
    out = StringIO()
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)  # empty, sequences restarted at 1
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            call_command("seed_demo", allow_production=True, password=PASSWORD, stdout=out)
        try:
            yield out.getvalue()
        finally:
            call_command("flush", interactive=False, verbosity=0)
            _restore_migration_data()


@pytest.fixture
def shop(demo_shop, db):
    return demo_shop


def readme_operations(path: Path = ROOT / "README.md") -> list[str]:
    blocks = re.findall(r"```graphql\n(.*?)```", path.read_text(), re.S)
    return [op for block in blocks for op in re.split(r"\n(?=(?:mutation|query|\{))", block.strip())]


def _root_fields(operation: str) -> list[str]:
    body = operation[operation.index("{") + 1 :]
    return re.findall(r"^\s*(\w+)\s*[({]", body, re.M)[:1]


def _check_succeeded(operation: str, data: dict) -> None:
    for name, payload in data.items():
        assert payload is not None, f"{name} returned null:\n{operation}"
        if isinstance(payload, dict) and "success" in payload:
            assert payload["success"] is True, f"{name} failed: {payload}\n{operation}"
            assert payload.get("errors") in (None, []), payload


def test_readme_examples_all_succeed_in_order_against_the_demo_shop(shop):
    cashier = GraphQLClient(User.objects.get(username="cashier"))
    manager = GraphQLClient(User.objects.get(username="manager"))
    operations = readme_operations()

    for operation in operations:
        (name,) = _root_fields(operation)
        client = manager if name in MANAGER_OPERATIONS else cashier
        response = client(operation)

        assert response.status_code == 200, operation
        assert not response.errors, f"{response.errors}\n{operation}"
        _check_succeeded(operation, response.data)
    assert len(operations) >= 15


@pytest.mark.parametrize("doc", sorted((ROOT / "docs").glob("*.md")), ids=lambda path: path.name)
def test_docs_graphql_examples_succeed_against_the_demo_shop(shop, doc):
    manager = GraphQLClient(User.objects.get(username="manager"))

    for operation in readme_operations(doc):
        response = manager(operation)

        assert not response.errors, f"{response.errors}\n{operation}"
        _check_succeeded(operation, response.data)


def test_readme_split_tender_gives_the_change_it_describes(shop):
    cashier = GraphQLClient(User.objects.get(username="cashier"))
    (split,) = [op for op in readme_operations() if "slip 8812" in op]

    sale = cashier(split).payload("createSale")["sale"]

    assert (sale["total"], sale["change"]) == ("34.80", "5.20")


def test_api_seed_sales_stats_2024_has_real_figures(shop):
    manager = GraphQLClient(User.objects.get(username="manager"))
    stats = manager(API_SALES_STATS).payload("salesStats")

    assert Decimal(stats["totalSales"]) > 0
    assert stats["totalTransactions"] > 100
    assert Decimal(stats["averageSaleValue"]) > 0
    assert Decimal(stats["customerDebtIncurred"]["value"]) > 0 and stats["customerDebtIncurred"]["count"] > 0


def test_seed_demo_builds_staff_catalogue_and_the_api_examples_ids(shop):
    from customers.models import Customer
    from products.models import Batch, Location, Product

    assert sorted(User.objects.values_list("username", "role")) == [
        ("admin", "admin"),
        ("cashier", "cashier"),
        ("manager", "manager"),
    ]
    assert Product.objects.count() >= 10 and Customer.objects.count() >= 5
    assert Location.objects.count() == 2 and Batch.objects.filter(expiry_date__isnull=False).exists()
    # The API.md seed example's ids: product 1 at 10.00 and customer 1.
    assert (
        Product.objects.get(pk=1).retail_price == Decimal("10.00") and Customer.objects.filter(pk=1).exists()
    )


def test_seed_demo_history_spans_from_2024_to_yesterday_with_every_kind_of_document(shop):
    from shared.dates import local_today

    span = Sale.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    methods = set(Payment.objects.values_list("method", flat=True))

    assert span["first"].year == 2024 and (local_today() - span["last"].date()).days <= 2
    assert Sale.objects.get(transaction_id="S2024-000001").items.order_by("pk").first().pk == 1
    assert {"cash", "card", "transfer", "credit", "part_payment", "store_credit"} <= methods
    assert Sale.objects.filter(status="voided").exists() and CustomerPayment.objects.count() > 50
    assert set(Return.objects.values_list("status", flat=True)) == {"approved", "rejected", "pending"}
    assert StockMovement.objects.filter(movement_type="receipt").values("created_at").distinct().count() > 10


def test_seed_demo_transaction_ids_carry_their_own_year(shop):
    mismatched = [
        (sale.transaction_id, sale.created_at)
        for sale in Sale.objects.only("transaction_id", "created_at")
        if not sale.transaction_id.startswith(f"S{sale.created_at.astimezone().year}-")
        and not sale.transaction_id.startswith(f"S{_local_year(sale.created_at)}-")
    ]

    assert mismatched == []
    assert Sale.objects.filter(transaction_id__startswith="S2024-").count() > 100


def _local_year(moment) -> int:
    from django.utils import timezone

    return timezone.localtime(moment).year


def test_seed_demo_ledger_rows_and_movements_carry_their_documents_time(shop):
    sales = {s.pk: s for s in Sale.objects.all()}
    payments = {p.pk: p for p in CustomerPayment.objects.all()}
    returns = {r.pk: r for r in Return.objects.all()}

    sale_rows = [
        *StockMovement.objects.filter(reference_type="sale").exclude(movement_type="void"),
        *CustomerLedgerEntry.objects.filter(reference_type="sale"),
    ]
    void_rows = [
        *StockMovement.objects.filter(reference_type="sale", movement_type="void"),
        *CustomerLedgerEntry.objects.filter(reference_type="void"),
    ]
    assert sale_rows and all(row.created_at == sales[row.reference_id].created_at for row in sale_rows)
    assert void_rows and all(row.created_at == sales[row.reference_id].voided_at for row in void_rows)
    assert all(p.created_at == p.sale.created_at for p in Payment.objects.select_related("sale"))
    assert all(p.created_at == p.ledger_entry.created_at for p in payments.values())
    decided = [r for r in returns.values() if r.decided_at is not None]
    return_rows = [
        *StockMovement.objects.filter(reference_type="return"),
        *CustomerLedgerEntry.objects.filter(reference_type="return"),
    ]
    assert decided and all(row.created_at == returns[row.reference_id].decided_at for row in return_rows)
    assert all(r.created_at >= r.sale.created_at for r in Return.objects.select_related("sale"))


def test_seed_demo_ledger_rows_are_written_in_time_order(shop):
    entries = list(CustomerLedgerEntry.objects.order_by("pk").values_list("created_at", flat=True))
    movements = list(StockMovement.objects.order_by("pk").values_list("created_at", flat=True))

    assert entries == sorted(entries)
    assert movements == sorted(movements)


def test_seed_demo_ledgers_reconcile(shop):
    out = StringIO()

    call_command("check_ledgers", stdout=out)

    assert "All ledgers reconcile" in out.getvalue()


def test_seed_demo_second_run_changes_nothing(shop):
    tables = [Sale, Payment, StockMovement, CustomerLedgerEntry, CustomerPayment, Return]
    before = [model.objects.aggregate(n=Count("pk"), last=Max("pk")) for model in tables]

    call_command("seed_demo", allow_production=True, password=PASSWORD, stdout=StringIO())

    assert [model.objects.aggregate(n=Count("pk"), last=Max("pk")) for model in tables] == before
    assert User.objects.count() == 3
