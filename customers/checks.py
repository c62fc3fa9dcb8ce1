"""Reconciliation: every customer balance equals the sum of its ledger, and balances chain."""

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from customers.models import Customer, CustomerLedgerEntry
from shared.money import ZERO


def find_ledger_mismatches() -> list[str]:
    problems: list[str] = []
    sums = (
        CustomerLedgerEntry.objects.filter(customer=OuterRef("pk"))
        .order_by()
        .values("customer")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    money = DecimalField(max_digits=14, decimal_places=2)
    customers = Customer.objects.annotate(
        ledger_sum=Coalesce(Subquery(sums, output_field=money), Value(ZERO), output_field=money)
    ).exclude(balance=Coalesce(Subquery(sums, output_field=money), Value(ZERO), output_field=money))
    for customer in customers.only("pk", "name", "balance"):
        problems.append(
            f"customer {customer.pk} ({customer.name}): balance {customer.balance} != ledger sum {customer.ledger_sum}"
        )
    # The chain: each entry's balance_after = previous balance_after + amount (checked in one pass).
    previous: dict[int, object] = {}
    for customer_id, pk, amount, balance_after in (
        CustomerLedgerEntry.objects.order_by("customer_id", "pk")
        .values_list("customer_id", "pk", "amount", "balance_after")
        .iterator(chunk_size=5000)
    ):
        expected = previous.get(customer_id, ZERO) + amount
        if balance_after != expected:
            problems.append(
                f"ledger entry {pk} of customer {customer_id}: balance_after {balance_after} != {expected}"
            )
        previous[customer_id] = balance_after
    return problems
