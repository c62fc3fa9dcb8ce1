"""outstandingDebt: what customers owe, aged by the charges still unpaid, and the largest debtors."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from customers.models import Customer, CustomerLedgerEntry
from reports.selectors.counting import MONEY, money_zero
from shared.money import ZERO, q


@dataclass
class Debtor:
    customer: Customer
    balance: Decimal


@dataclass
class DebtSummary:
    """outstandingDebt; a figure that was not asked for (see `outstanding_debt_summary`) is None."""

    total_owed: Decimal | None = None
    customers_owing: int | None = None
    total_credit_held: Decimal | None = None
    aging: list[tuple[str, Decimal]] | None = None
    largest_debtors: list[Debtor] | None = None


AGING = [("0-30", 0, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("over 90", 91, None)]


def outstanding_debt_summary(*, limit: int = 10, figures: Collection[str] | None = None) -> DebtSummary:
    """Who owes what; debt aged by the charges that remain unpaid (payments settle the oldest first).

    `figures` names the DebtSummary fields wanted (None: all): the balances (one statement), the
    aging (two) and the largest debtors (one) are read only when asked for.
    """
    wanted = set(DebtSummary.__dataclass_fields__) if figures is None else set(figures)
    summary = DebtSummary()
    if wanted & {"total_owed", "customers_owing", "total_credit_held"}:
        balances = Customer.objects.aggregate(
            owed=Coalesce(Sum("balance", filter=Q(balance__gt=0)), money_zero(), output_field=MONEY),
            owing=Count("pk", filter=Q(balance__gt=0)),
            credit=Coalesce(Sum("balance", filter=Q(balance__lt=0)), money_zero(), output_field=MONEY),
        )
        summary.total_owed = q(balances["owed"])
        summary.customers_owing = balances["owing"]
        summary.total_credit_held = q(-balances["credit"])
    if "aging" in wanted:
        summary.aging = _debt_aging()
    if "largest_debtors" in wanted:
        largest = Customer.objects.filter(balance__gt=0).order_by("-balance", "name")[:limit]
        summary.largest_debtors = [Debtor(c, c.balance) for c in largest]
    return summary


def _debt_aging() -> list[tuple[str, Decimal]]:
    """Unpaid charges by age: each debtor's balance is covered by their newest charges."""
    aging = {label: ZERO for label, *_ in AGING}
    today = timezone.localdate()
    # Only debtors' charges are read, newest first, until each balance is covered: a short walk.
    debtors = dict(Customer.objects.filter(balance__gt=0).values_list("pk", "balance"))
    charges = (
        CustomerLedgerEntry.objects.filter(customer_id__in=debtors, amount__gt=0)
        .order_by("customer_id", "-pk")
        .values_list("customer_id", "amount", "created_at")
    )
    remaining = dict(debtors)
    for customer_id, amount, created_at in charges.iterator(chunk_size=2000):
        left = remaining[customer_id]
        if left <= 0:
            continue
        unpaid = min(amount, left)
        remaining[customer_id] = left - unpaid
        age = (today - timezone.localtime(created_at).date()).days
        for label, low, high in AGING:
            if age >= low and (high is None or age <= high):
                aging[label] += unpaid
                break
    return [(label, q(aging[label])) for label, *_ in AGING]
