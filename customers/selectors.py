from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.apps import apps
from django.db.models import DecimalField, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from customers.models import Customer, CustomerLedgerEntry
from customers.phones import normalize_phone_or_none
from shared.dates import end_of_day_exclusive, start_of_day
from shared.money import ZERO, q
from shared.nested_pages import NestedPages


def _with_purchases(customers: QuerySet[Customer]) -> QuerySet[Customer]:
    """Annotate total purchases and last purchase time (non-voided sales), one subquery each."""
    sale_model = apps.get_model("sales", "Sale")
    sales = (
        sale_model.objects.filter(customer=OuterRef("pk"))
        .exclude(status="voided")
        .order_by()
        .values("customer")
    )
    return customers.annotate(
        total_purchases=Coalesce(
            Subquery(
                sales.annotate(s=Sum("total")).values("s")[:1],
                output_field=DecimalField(max_digits=14, decimal_places=2),
            ),
            Value(ZERO),
            output_field=DecimalField(max_digits=14, decimal_places=2),
        ),
        last_purchase_at=Subquery(sales.annotate(m=Max("created_at")).values("m")[:1]),
    )


def list_customers(
    *,
    search: str | None = None,
    customer_type: str | None = None,
    status: str | None = None,
    has_debt: bool | None = None,
    has_credit: bool | None = None,
    include_archived: bool = False,
    with_purchases: bool = True,
    pages: CustomerPages | None = None,
) -> QuerySet[Customer]:
    """Customers by name; archived ones only when asked for (or filtered by that status).

    `with_purchases`: annotate total purchases and last purchase time (two correlated subqueries per
    row over the sales); a list that does not show them skips them.
    `pages`: the pages of each customer's ledger and sales the list shows (`with_pages`).
    """
    customers = Customer.objects.all()
    if status:
        customers = customers.filter(status=status)
    elif not include_archived:
        customers = customers.exclude(status=Customer.Status.ARCHIVED)
    if customer_type:
        customers = customers.filter(customer_type=customer_type)
    if search:
        term = search.strip()
        digits = "".join(ch for ch in term if ch.isdigit())
        condition = Q(name__icontains=term) | Q(email__icontains=term)
        if len(digits) >= 3:
            # Phones are stored in E.164: a whole number typed the local way finds its owner too.
            condition |= Q(phone__contains=digits)
            if digits.startswith("0") and len(digits) >= 4:  # a local number's trunk 0 is not stored
                condition |= Q(phone__contains=digits[1:])
            if phone := normalize_phone_or_none(term):
                condition |= Q(phone=phone)
        customers = customers.filter(condition)
    if has_debt is not None:
        customers = customers.filter(balance__gt=0) if has_debt else customers.filter(balance__lte=0)
    if has_credit is not None:
        customers = customers.filter(balance__lt=0) if has_credit else customers.filter(balance__gte=0)
    customers = _with_purchases(customers) if with_purchases else customers
    customers = with_pages(customers, pages) if pages else customers
    return customers.order_by("name", "pk")


@dataclass(frozen=True)
class CustomerPages:
    """The pages of each customer's ledger and sales a list shows (shared.nested_pages), and the
    relations of those sales it shows (`prefetch_related` lookups)."""

    ledger: NestedPages | None = None
    sales: NestedPages | None = None
    sale_relations: Collection[str] = ()
    purchases: bool = False  # total purchases and last purchase time (`_with_purchases`)

    def __bool__(self) -> bool:
        return bool(self.ledger or self.sales or self.purchases)


def with_pages(customers: QuerySet[Customer], pages: CustomerPages) -> QuerySet[Customer]:
    """Read the `pages` of every customer of a list at once: one query per page window, whatever the
    number of customers; the counts, when selected, are subqueries in the customers' statement."""
    for nested, relation, children in (
        (pages.ledger, "ledger_entries", _ledger_entries()),
        (pages.sales, "sales", _customer_sales().prefetch_related(*pages.sale_relations)),
    ):
        if nested:
            customers = customers.prefetch_related(*nested.prefetches(relation, children))
            customers = customers.annotate(**nested.count_annotation(children, "customer"))
    return customers


def customer_prefetch(*, through: str, pages: CustomerPages) -> Prefetch:
    """The customers rows of another list reach by `through` (a foreign key), with their `pages`:
    one query for the customers (instead of a join) and one per page window."""
    customers = _with_purchases(Customer.objects.all()) if pages.purchases else Customer.objects.all()
    return Prefetch(through, queryset=with_pages(customers, pages))


def purchases_of(customer_id: int) -> tuple[Decimal, datetime | None]:
    """Total and last time of a customer's non-voided sales, for a row read without them."""
    row = _with_purchases(Customer.objects.filter(pk=customer_id)).values_list(
        "total_purchases", "last_purchase_at"
    )
    return row.first() or (ZERO, None)


def _ledger_entries() -> QuerySet[CustomerLedgerEntry]:
    return CustomerLedgerEntry.objects.select_related("user").order_by("pk")


def _customer_sales() -> QuerySet:
    """A customer's sales, newest first, as `Customer.sales` lists them (the model's ordering)."""
    return apps.get_model("sales", "Sale").objects.order_by("-created_at", "-pk")


def get_customer(*, customer_id: int) -> Customer | None:
    return _with_purchases(Customer.objects.filter(pk=customer_id)).first()


def list_ledger_entries(
    *, customer_id: int, date_from: date | None = None, date_to: date | None = None
) -> QuerySet[CustomerLedgerEntry]:
    """A customer's ledger, oldest first (the order balances chain in)."""
    entries = _ledger_entries().filter(customer_id=customer_id)
    if date_from:
        entries = entries.filter(created_at__gte=start_of_day(date_from))
    if date_to:
        entries = entries.filter(created_at__lt=end_of_day_exclusive(date_to))
    return entries


@dataclass
class Statement:
    customer: Customer
    date_from: date
    date_to: date
    opening_balance: Decimal
    entries: list[CustomerLedgerEntry]
    total_charged: Decimal
    total_credited: Decimal
    closing_balance: Decimal


def customer_statement(*, customer: Customer, date_from: date, date_to: date) -> Statement:
    """Opening balance, the period's entries and the closing balance (opening + entries)."""
    before = CustomerLedgerEntry.objects.filter(customer=customer, created_at__lt=start_of_day(date_from))
    opening = q(before.aggregate(s=Coalesce(Sum("amount"), Value(ZERO)))["s"])
    entries = list(list_ledger_entries(customer_id=customer.pk, date_from=date_from, date_to=date_to))
    charged = sum((e.amount for e in entries if e.amount > 0), ZERO)
    credited = sum((-e.amount for e in entries if e.amount < 0), ZERO)
    return Statement(
        customer=customer,
        date_from=date_from,
        date_to=date_to,
        opening_balance=opening,
        entries=entries,
        total_charged=charged,
        total_credited=credited,
        closing_balance=opening + charged - credited,
    )
