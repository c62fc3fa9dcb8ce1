"""generate_data builds a shop whose ledgers reconcile, with the sizes asked for."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum

from customers.models import Customer, CustomerLedgerEntry
from products.models import Batch, Location, Product, StockLevel, StockMovement
from returns.models import Return
from sales.choices import SaleStatus
from sales.models import Payment, Sale, SaleItem, SaleItemBatch, SaleSequence

pytestmark = pytest.mark.django_db(transaction=True)


def generate(**sizes):
    args = []
    for key, value in sizes.items():
        args += [f"--{key.replace('_', '-')}", str(value)]
    out = StringIO()
    call_command("generate_data", *args, stdout=out)
    return out.getvalue()


def test_generated_shop_has_the_sizes_asked_and_reconciles():
    out = generate(
        products=30, customers=12, days=6, sales_per_day=40, seed=3, void_rate=0.05, return_rate=0.1
    )

    assert "Generated:" in out and "100.0%" in out
    assert Product.objects.count() == 30
    assert Customer.objects.count() == 12
    assert Location.objects.count() == 2
    assert Sale.objects.count() == 6 * 40
    assert Product.objects.filter(track_batches=True).exists()
    assert Batch.objects.filter(expiry_date__isnull=False).exists()
    assert set(Customer.objects.values_list("customer_type", flat=True)) == {"retail", "wholesale"}
    # Split tender, account sales, voids and returns all occur.
    assert Sale.objects.annotate(n=Count("payments")).filter(n__gte=2).exists()
    assert Sale.objects.filter(amount_on_account__gt=0).exists()
    assert Sale.objects.filter(status=SaleStatus.VOIDED).exists()
    assert Return.objects.filter(status="approved").exists()
    # Every sale has lines, draws and payments that add up.
    assert SaleItem.objects.filter(unit_cost__gt=0).count() == SaleItem.objects.count() > 0
    assert SaleItemBatch.objects.count() >= SaleItem.objects.count()
    assert Payment.objects.count() >= Sale.objects.count()
    for sale in Sale.objects.annotate(lines=Sum("items__total"))[:50]:
        assert sale.lines == sale.total
    assert StockLevel.objects.filter(quantity__lt=0).count() == 0
    assert StockMovement.objects.filter(movement_type="sale").exists()
    assert CustomerLedgerEntry.objects.exists()
    # The live till continues the year's numbering after the generated sales.
    assert SaleSequence.objects.aggregate(s=Sum("last_number"))["s"] == Sale.objects.count()

    checked = StringIO()
    call_command("check_ledgers", stdout=checked)
    assert "All ledgers reconcile." in checked.getvalue()


def test_generating_twice_extends_the_shop_and_still_reconciles():
    generate(products=10, customers=4, days=2, sales_per_day=10, seed=1)
    generate(products=10, customers=4, days=2, sales_per_day=10, seed=2)

    assert Product.objects.count() == 20 and Sale.objects.count() == 40
    assert Sale.objects.values("transaction_id").distinct().count() == 40
    call_command("check_ledgers", stdout=StringIO())


def test_generate_data_refuses_nonsense_sizes():
    with pytest.raises(CommandError):
        generate(products=0)
