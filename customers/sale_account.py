"""A sale's effects on a customer's account in two statements: one locking UPDATE, one INSERT.

The rules are customers.services' (apply_store_credit, charge_to_account, credit_account, in that
order, with their messages); only the data access differs. Lock: the Customer row (3rd in the
project-wide order), taken by the UPDATE itself.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection, transaction

from customers.models import Customer, CustomerLedgerEntry
from customers.services import _check_credit_limit, _check_store_credit, _ensure_can_buy, _lock
from shared import inserts
from shared.money import MAX_MONEY, ZERO, out_of_range

EntryType = CustomerLedgerEntry.EntryType


@transaction.atomic(savepoint=False)
def post_sale_to_account(
    *,
    user,
    customer: Customer,
    credit_applied: Decimal,
    amount_on_account: Decimal,
    credit_created: Decimal,
    reference_type: str,
    reference_id: int | None = None,
    reference: str = "",
    write: bool = True,
    enforce_credit_limit: bool = True,
    allow_blocked: bool = False,
) -> list[CustomerLedgerEntry]:
    """Post a sale's account effects: store credit spent, the charge, the overpayment kept as credit.

    The rules of apply_store_credit, charge_to_account and credit_account, applied in that order,
    with the ledger rows they would write (balance_after chained). Data access differs: one
    `UPDATE ... RETURNING` locks the customer row (3rd in the lock order) and moves the balance by
    the net amount, the rules are checked on the balance it returns, and one INSERT writes the
    ledger rows. A refusal raises DomainError after the UPDATE, so the caller's transaction must
    roll back (createSale's does); no savepoint is spent here. `customer` (loaded by the caller) is
    refreshed with the locked row's balance, status, credit limit and name. `write=False` returns
    the ledger rows unsaved, for a caller that takes this lock before its document has an id and
    saves them with `write_ledger_entries`. `enforce_credit_limit=False` records a charge that
    already happened (charge_to_account's `enforce_limit`: an offline sale synced later);
    `allow_blocked=True` likewise lets the account of a customer blocked since be used.
    """
    steps = [
        (amount, entry_type)
        for amount, entry_type in (
            (credit_applied, EntryType.STORE_CREDIT_USED),
            (amount_on_account, EntryType.SALE_CHARGE),
            (-credit_created, EntryType.OVERPAYMENT_CREDIT),
        )
        if amount
    ]
    if not steps:
        return []
    net = sum((amount for amount, _ in steps), ZERO)
    _move_balance(customer, net)
    if not (allow_blocked and customer.status == Customer.Status.BLOCKED):
        _ensure_can_buy(customer)
    balance = customer.balance - net
    entries = []
    for amount, entry_type in steps:
        if entry_type == EntryType.STORE_CREDIT_USED:
            _check_store_credit(customer, amount, balance=balance)
        elif entry_type == EntryType.SALE_CHARGE and enforce_credit_limit:
            _check_credit_limit(customer, amount, balance=balance)
        balance += amount
        if abs(balance) > MAX_MONEY:
            raise out_of_range("A customer's balance", MAX_MONEY, field="amount")
        entries.append(
            CustomerLedgerEntry(
                customer=customer,
                entry_type=entry_type,
                amount=amount,
                balance_after=balance,
                user=user,
                reference_type=reference_type,
                reference_id=reference_id,
                reference=reference[:64],
            )
        )
    return CustomerLedgerEntry.objects.bulk_create(entries) if write else entries


def write_ledger_entries(entries: list[CustomerLedgerEntry], *, reference_id: int, reference: str) -> None:
    """Save ledger rows `post_sale_to_account` left unsaved, now that their document has its id and label."""
    for entry in entries:
        entry.reference_id = reference_id
        entry.reference = reference[:64]
    inserts.insert(entries)


def _move_balance(customer: Customer, amount: Decimal) -> None:
    """Lock the customer row and add `amount` to its balance in one statement; refresh `customer`.

    The WHERE keeps the balance within its column (MAX_MONEY); a row that does not come back is
    missing (NOT_FOUND) or would overflow, and the refusal path reads it to say which.
    """
    table = Customer._meta.db_table
    # SQLite does this arithmetic in floating point: the balance is written as the ORM's relative
    # UPDATE writes it (so it still equals the ledger's SUM there), the limit compared at two places.
    after = "balance + CAST(%s AS NUMERIC)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(table)} SET balance = CAST({after} AS NUMERIC) "
            f"WHERE id = %s AND ABS(ROUND({after}, 2)) <= %s "
            "RETURNING balance, credit_limit, status, name",
            [amount, customer.pk, amount, MAX_MONEY],
        )
        row = cursor.fetchone()
    if row is None:
        _lock(customer.pk)  # NOT_FOUND when the customer is gone
        raise out_of_range("A customer's balance", MAX_MONEY, field="amount")
    balance, credit_limit, customer.status, customer.name = row
    customer.balance = Decimal(str(balance)).quantize(Decimal("0.01"))
    customer.credit_limit = Decimal(str(credit_limit)).quantize(Decimal("0.01"))
