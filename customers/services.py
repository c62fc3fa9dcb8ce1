"""Customer accounts. Every balance change locks the customer row and writes its ledger entry.

Lock: `Customer` rows only (3rd in the project-wide order: sale header, stock, customer).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, ProtectedError

from customers.error_codes import CustomerErrorCode
from customers.models import Customer, CustomerLedgerEntry, CustomerPayment
from customers.phones import normalize_phone, normalize_phone_or_none
from shared.errors import DomainError, ErrorCode, check_length
from shared.money import MAX_MONEY, ZERO, format_money, out_of_range, parse_money
from shared.roles import Role, has_role
from tills import services as till_services

EntryType = CustomerLedgerEntry.EntryType
EDITABLE_FIELDS = ("name", "phone", "email", "address", "customer_type", "notes")
MANAGER_FIELDS = ("credit_limit", "status")


def _require_manager(user, what: str, field: str | None = None) -> None:
    if not has_role(user, Role.MANAGER):
        raise DomainError(ErrorCode.PERMISSION_DENIED, f"Only a manager can {what}.", field=field)


def _lock(customer_id: int) -> Customer:
    customer = Customer.objects.select_for_update(of=("self",), no_key=True).filter(pk=customer_id).first()
    if customer is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Customer not found.", field="customerId")
    return customer


def _post(
    customer: Customer,
    *,
    user,
    amount: Decimal,
    entry_type: str,
    reference_type: str = "",
    reference_id: int | None = None,
    reference: str = "",
    note: str = "",
) -> CustomerLedgerEntry:
    """Move a locked customer's balance by `amount` and record why, in the same transaction."""
    new_balance = customer.balance + amount
    if abs(new_balance) > MAX_MONEY:  # the column's limit; many payments could pass it
        raise out_of_range("A customer's balance", MAX_MONEY, field="amount")
    Customer.objects.filter(pk=customer.pk).update(balance=F("balance") + amount)
    customer.balance = new_balance
    return CustomerLedgerEntry.objects.create(
        customer=customer,
        entry_type=entry_type,
        amount=amount,
        balance_after=new_balance,
        user=user,
        reference_type=reference_type,
        reference_id=reference_id,
        reference=reference[:64],
        note=check_length(note, limit=500, field="note"),
    )


def _positive(amount, field: str = "amount") -> Decimal:
    return parse_money(amount, field=field, allow_zero=False)


def _ensure_phone_free(phone: str, *, other_than: int | None = None) -> None:
    """Phone numbers find customers at the till: two live customers may not share one."""
    if not phone:
        return
    taken = Customer.objects.filter(phone=phone).exclude(status=Customer.Status.ARCHIVED)
    if other_than is not None:
        taken = taken.exclude(pk=other_than)
    if taken.exists():
        raise DomainError(
            CustomerErrorCode.DUPLICATE_CUSTOMER, "A customer with this phone number exists.", field="phone"
        )


@transaction.atomic
def create_customer(
    *,
    user,
    name: str,
    phone: str = "",
    email: str = "",
    address: str = "",
    customer_type: str = Customer.Type.RETAIL,
    credit_limit: Decimal = ZERO,
    notes: str = "",
) -> Customer:
    """Register a customer. A credit limit above zero needs a manager."""
    credit_limit = parse_money(credit_limit or ZERO, field="creditLimit")
    if credit_limit > 0:
        _require_manager(user, "give a customer credit", field="creditLimit")
    phone = normalize_phone(phone)
    _ensure_phone_free(phone)
    customer = Customer(
        name=(name or "").strip(),
        phone=phone,
        email=(email or "").strip(),
        address=(address or "").strip(),
        customer_type=customer_type,
        credit_limit=credit_limit,
        notes=notes or "",
        created_by=user,
    )
    customer.full_clean()
    customer.save()
    return customer


@transaction.atomic
def update_customer(*, user, customer_id: int, **changes) -> Customer:
    """Change profile fields; credit limit and status (active/blocked) need a manager."""
    customer = _lock(customer_id)
    unknown = set(changes) - set(EDITABLE_FIELDS) - set(MANAGER_FIELDS)
    if unknown:
        raise ValueError(f"unknown customer fields: {sorted(unknown)}")
    for name, value in changes.items():
        if value is None:
            continue
        if name in MANAGER_FIELDS:
            _require_manager(user, f"change a customer's {name.replace('_', ' ')}", field=_camel(name))
        if name == "credit_limit":
            value = parse_money(value, field="creditLimit")
        if name == "phone":
            value = normalize_phone(value)
        if name == "status" and value == Customer.Status.ARCHIVED:
            raise DomainError(ErrorCode.INVALID, "Use archiveCustomer to archive a customer.", field="status")
        setattr(customer, name, value.strip() if isinstance(value, str) and name != "status" else value)
    if "phone" in changes:
        _ensure_phone_free(customer.phone, other_than=customer.pk)
    customer.full_clean()
    customer.save()
    return customer


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


@transaction.atomic
def archive_customer(*, user, customer_id: int) -> Customer:
    """Hide a customer from lists and new sales; the history stays."""
    _require_manager(user, "archive customers")
    customer = _lock(customer_id)
    customer.status = Customer.Status.ARCHIVED
    customer.save(update_fields=["status", "updated_at"])
    return customer


@transaction.atomic
def delete_customer(*, user, customer_id: int) -> None:
    """Delete a customer who has no history at all; anyone with sales or ledger rows is refused."""
    _require_manager(user, "delete customers")
    customer = _lock(customer_id)
    refusal = DomainError(
        CustomerErrorCode.CUSTOMER_HAS_HISTORY,
        f"{customer.name} has sales or account history; archive the customer instead.",
        field="customerId",
    )
    if customer.ledger_entries.exists():
        raise refusal
    try:
        with transaction.atomic():
            customer.delete()
    except ProtectedError:  # sales, returns or payments still point at the customer
        raise refusal from None


@transaction.atomic
def record_payment(
    *,
    user,
    customer_id: int,
    amount: Decimal,
    method: str,
    reference: str = "",
    note: str = "",
    keep_excess_as_credit: bool = False,
) -> CustomerPayment:
    """A customer pays into their account: off their debt, and beyond it only when asked.

    A payment above what the customer owes is refused (OVERPAYMENT, stating the balance) unless
    `keep_excess_as_credit`, and then not for a blocked customer: a blocked account may be paid
    off but takes no new credit, since a blocked customer may not spend store credit.
    """
    amount = _positive(amount)
    cap = Decimal(settings.POS_MAX_PAYMENT_AMOUNT)
    if amount > cap:
        raise DomainError(
            CustomerErrorCode.PAYMENT_TOO_LARGE,
            f"A single payment can be at most {format_money(cap)}.",
            field="amount",
            params={"max": format_money(cap)},
        )
    if method not in CustomerPayment.Method.values:
        raise DomainError(ErrorCode.INVALID, "Payment method must be cash, transfer or card.", field="method")
    # Cash taken at a till belongs to the cashier's open shift, locked before the customer (lock order).
    shift = till_services.shift_for_posting(user=user, location_id=None)
    customer = _lock(customer_id)
    owed = max(customer.balance, ZERO)
    if amount > owed:
        _check_excess(customer, amount=amount, owed=owed, keep_excess_as_credit=keep_excess_as_credit)
    entry = _post(
        customer,
        user=user,
        amount=-amount,
        entry_type=EntryType.PAYMENT,
        reference_type="payment",
        reference=reference,
        note=note,
    )
    payment = CustomerPayment.objects.create(
        customer=customer,
        amount=amount,
        method=method,
        reference=check_length(reference, limit=100, field="reference"),
        note=check_length(note, limit=500, field="note"),
        user=user,
        ledger_entry=entry,
    )
    entry.reference_id = payment.pk
    entry.save(update_fields=["reference_id"])
    if shift is not None:
        till_services.post_to_shift(
            shift=shift,
            user=user,
            kind="ACCOUNT_PAYMENT",
            reference_type="payment",
            reference_id=payment.pk,
            total=amount,
            **{method: amount},
        )
    return payment


def _check_excess(customer: Customer, *, amount: Decimal, owed: Decimal, keep_excess_as_credit: bool) -> None:
    excess = amount - owed
    if not keep_excess_as_credit:
        raise DomainError(
            CustomerErrorCode.OVERPAYMENT,
            f"{customer.name} owes {format_money(owed)}; this payment is {format_money(excess)} more. "
            "Take at most the balance, or keep the excess as credit.",
            field="amount",
            params={
                "balance": format_money(customer.balance),
                "owed": format_money(owed),
                "excess": format_money(excess),
            },
        )
    if customer.status == Customer.Status.BLOCKED:
        raise DomainError(
            CustomerErrorCode.CUSTOMER_BLOCKED,
            f"{customer.name} is blocked and cannot hold credit; take at most {format_money(owed)}.",
            field="keepExcessAsCredit",
            params={"owed": format_money(owed)},
        )


def _ensure_can_buy(customer: Customer) -> None:
    if customer.status == Customer.Status.BLOCKED:
        raise DomainError(
            CustomerErrorCode.CUSTOMER_BLOCKED,
            f"{customer.name} is blocked: nothing can go on their account and no store credit can be spent.",
            field="customerId",
        )
    if customer.status == Customer.Status.ARCHIVED:
        raise DomainError(
            CustomerErrorCode.CUSTOMER_ARCHIVED, f"{customer.name} is archived.", field="customerId"
        )


def _check_credit_limit(customer: Customer, amount: Decimal, *, balance: Decimal) -> None:
    available = customer.credit_limit - balance
    if amount > available:
        raise DomainError(
            CustomerErrorCode.CREDIT_LIMIT_EXCEEDED,
            f"{customer.name} can take {format_money(max(available, ZERO))} more on account "
            f"(limit {format_money(customer.credit_limit)}, owing {format_money(balance)}).",
            field="payments",
            params={"available": str(max(available, ZERO))},
        )


def _check_store_credit(customer: Customer, amount: Decimal, *, balance: Decimal) -> None:
    held = max(-balance, ZERO)
    if amount > held:
        raise DomainError(
            CustomerErrorCode.INSUFFICIENT_STORE_CREDIT,
            f"{customer.name} has {format_money(held)} of store credit.",
            field="payments",
            params={"available": str(held)},
        )


@transaction.atomic
def charge_to_account(
    *,
    user,
    customer_id: int,
    amount: Decimal,
    reference_type: str,
    reference_id: int | None,
    reference: str = "",
    note: str = "",
    enforce_limit: bool = True,
) -> CustomerLedgerEntry:
    """Put `amount` on the customer's account, within their credit limit.

    `enforce_limit=False` records a charge that already happened (an offline sale synced later);
    the caller flags the breach instead.
    """
    amount = _positive(amount)
    customer = _lock(customer_id)
    _ensure_can_buy(customer)
    if enforce_limit:
        _check_credit_limit(customer, amount, balance=customer.balance)
    return _post(
        customer,
        user=user,
        amount=amount,
        entry_type=EntryType.SALE_CHARGE,
        reference_type=reference_type,
        reference_id=reference_id,
        reference=reference,
        note=note,
    )


@transaction.atomic
def apply_store_credit(
    *,
    user,
    customer_id: int,
    amount: Decimal,
    reference_type: str,
    reference_id: int | None,
    reference: str = "",
) -> CustomerLedgerEntry:
    """Spend credit the shop holds for the customer."""
    amount = _positive(amount)
    customer = _lock(customer_id)
    _ensure_can_buy(customer)
    _check_store_credit(customer, amount, balance=customer.balance)
    return _post(
        customer,
        user=user,
        amount=amount,
        entry_type=EntryType.STORE_CREDIT_USED,
        reference_type=reference_type,
        reference_id=reference_id,
        reference=reference,
    )


@transaction.atomic
def credit_account(
    *,
    user,
    customer_id: int,
    amount: Decimal,
    entry_type: str,
    reference_type: str,
    reference_id: int | None,
    reference: str = "",
    note: str = "",
) -> CustomerLedgerEntry:
    """Lower what the customer owes (overpayment kept as credit, refund as credit, void reversal)."""
    amount = _positive(amount)
    if entry_type not in (EntryType.OVERPAYMENT_CREDIT, EntryType.REFUND_CREDIT, EntryType.VOID_REVERSAL):
        raise ValueError(f"credit_account does not record {entry_type!r}")
    customer = _lock(customer_id)
    if entry_type == EntryType.OVERPAYMENT_CREDIT:
        _ensure_can_buy(customer)  # refunds and void reversals still reach a blocked account
    return _post(
        customer,
        user=user,
        amount=-amount,
        entry_type=entry_type,
        reference_type=reference_type,
        reference_id=reference_id,
        reference=reference,
        note=note,
    )


@transaction.atomic
def reduce_debt(
    *,
    user,
    customer_id: int,
    amount: Decimal,
    reference_type: str,
    reference_id: int | None,
    reference: str = "",
    note: str = "",
) -> Decimal:
    """Lower what the customer owes by up to `amount` (never into credit); return what was applied."""
    customer = _lock(customer_id)
    applied = min(max(amount, ZERO), max(customer.balance, ZERO))
    if applied > 0:
        _post(
            customer,
            user=user,
            amount=-applied,
            entry_type=EntryType.REFUND_CREDIT,
            reference_type=reference_type,
            reference_id=reference_id,
            reference=reference,
            note=note,
        )
    return applied


@transaction.atomic
def adjust_balance(
    *,
    user,
    customer_id: int,
    amount: Decimal,
    reason: str,
    reference_type: str = "adjustment",
    reference_id: int | None = None,
    reference: str = "",
) -> CustomerLedgerEntry:
    """A manager's correction of a balance by a signed amount; the reason is required."""
    _require_manager(user, "adjust a customer's balance")
    amount = parse_money(amount, field="amount", allow_zero=False, allow_negative=True)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(ErrorCode.REQUIRED, "Give a reason for the adjustment.", field="reason")
    customer = _lock(customer_id)
    return _post(
        customer,
        user=user,
        amount=amount,
        entry_type=EntryType.ADJUSTMENT,
        reference_type=reference_type,
        reference_id=reference_id,
        reference=reference,
        note=reason,
    )


PROFILE_FIELDS = (*EDITABLE_FIELDS, *MANAGER_FIELDS)


def _differs(customer: Customer, name: str, value) -> bool:
    current = getattr(customer, name)
    if name == "credit_limit":
        try:
            return parse_money(value, field="creditLimit") != current
        except DomainError:
            return True  # let update_customer refuse it with its own message
    if name == "phone":
        try:  # a number stored before E.164 (never migrated) is unchanged when it means the same
            return normalize_phone(value) != (normalize_phone_or_none(current) or current)
        except DomainError:
            return True  # let update_customer refuse it with its own message
    if isinstance(value, str):
        value = value.strip()  # as update_customer stores it
    return value != current


@transaction.atomic
def save_customer_profile(*, user, customer_id: int | None, **profile) -> Customer:
    """Create a customer, or bring one to a whole profile (admin form, CSV row), through the services.

    `profile` holds any of PROFILE_FIELDS; None means "leave as is". An update locks the customer
    row (`_lock`, then `update_customer`/`archive_customer` re-lock it in the same transaction) and
    compares under the lock, so only fields that really change are passed on and their rules apply
    (a cashier re-saving an unchanged credit limit is not refused; changing it is). A status of
    ARCHIVED goes through `archive_customer`; a new customer's status other than ACTIVE is set
    after `create_customer`, with the same manager rule.
    """
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"unknown customer fields: {sorted(unknown)}")
    profile = {name: value for name, value in profile.items() if value is not None}
    status = profile.pop("status", None)
    if customer_id is None:
        customer = create_customer(user=user, **profile)
    else:
        customer = _lock(customer_id)
        changes = {name: value for name, value in profile.items() if _differs(customer, name, value)}
        if changes:
            customer = update_customer(user=user, customer_id=customer.pk, **changes)
    if status is not None and status != customer.status:
        if status == Customer.Status.ARCHIVED:
            try:
                customer = archive_customer(user=user, customer_id=customer.pk)
            except DomainError as exc:
                for detail in exc.errors:  # here the refusal is about the status the caller set
                    detail.field = detail.field or "status"
                raise
        else:
            customer = update_customer(user=user, customer_id=customer.pk, status=status)
    return customer


# A sale's account effects in two statements (createSale's budget, docs/PERFORMANCE.md); kept in
# their own module, re-exported here so other apps still import customers.services only.
from customers.sale_account import post_sale_to_account, write_ledger_entries  # noqa: E402, F401
