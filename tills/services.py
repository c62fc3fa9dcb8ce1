"""Registers, shifts and the cash drawer: every write of the tills app.

Other apps post to a shift through `shift_for_posting` (early, it takes the shift lock) and
`post_to_shift` (once the document's amounts are known). Lock order inside this app: the shift
(FOR NO KEY UPDATE by posters, FOR UPDATE by close), then the register (the Z counter). See
docs/ARCHITECTURE.md ("Lock order") and docs/tills.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from products import selectors as product_selectors
from products.models import Location
from shared import clock
from shared.errors import DomainError, ErrorCode, check_length, not_found
from shared.money import ZERO, format_money, parse_money, q
from shared.roles import Role, has_role
from tills import selectors
from tills.error_codes import TillErrorCode
from tills.models import CashMovement, Register, Shift, ShiftPosting, ShiftPostingTax

MAX_DENOMINATIONS = 50
TENDERS = ("cash", "card", "transfer")
RATE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class TaxLine:
    """Tax charged (or given back, negative) at one rate on one document line."""

    rate: Decimal
    taxable: Decimal  # the line's amount, tax excluded
    tax: Decimal


@dataclass(frozen=True)
class Denomination:
    value: Decimal
    count: int


def _is_manager(user) -> bool:
    return has_role(user, Role.MANAGER)


def _text(value: str | None, *, field: str, required: bool = False, max_length: int = 500) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError(ErrorCode.REQUIRED, "This field is required.", field=field)
    return check_length(text, limit=max_length, field=field)


# --- Registers --------------------------------------------------------------------------------------


@transaction.atomic
def create_register(*, user, name: str, location_id: int | None = None, receipt_header: str = "") -> Register:
    """Create a register (till) at a location (the default location when none is given)."""
    name = _text(name, field="name", required=True, max_length=80)
    if location_id is None:
        location = product_selectors.get_default_location()
    else:
        location = Location.objects.filter(pk=location_id, is_active=True).first()
    if location is None:
        raise not_found("Location", "locationId")
    if Register.objects.filter(location=location, name__iexact=name, retired_at__isnull=True).exists():
        raise DomainError(
            ErrorCode.UNIQUE, f"{location.name} already has a register named {name}.", field="name"
        )
    register = Register(
        location=location, name=name, receipt_header=_text(receipt_header, field="receiptHeader")
    )
    register.full_clean()
    register.save()
    return register


@transaction.atomic
def retire_register(*, user, register_id: int) -> Register:
    """Retire a register: no new shift opens on it; its closed shifts and Z numbers stay."""
    register = Register.objects.select_for_update(of=("self",), no_key=True).filter(pk=register_id).first()
    if register is None:
        raise not_found("Register", "registerId")
    if register.retired_at is not None:
        raise DomainError(
            TillErrorCode.REGISTER_RETIRED, f"{register.name} is already retired.", field="registerId"
        )
    if register.shifts.filter(status=Shift.Status.OPEN).exists():
        raise DomainError(
            TillErrorCode.REGISTER_HAS_OPEN_SHIFT,
            f"{register.name} has an open shift; close it first.",
            field="registerId",
        )
    register.retired_at = clock.now()
    register.save(update_fields=["retired_at", "updated_at"])
    return register


# --- Shifts -----------------------------------------------------------------------------------------


def _parse_denominations(
    denominations: Iterable[Denomination] | None, *, total: Decimal, field: str, total_field: str
) -> list[dict]:
    """Denominations as stored (value, count), refused unless they add up to `total` exactly."""
    if denominations is None:
        return []
    rows = list(denominations)
    if len(rows) > MAX_DENOMINATIONS:
        raise DomainError(ErrorCode.INVALID, f"At most {MAX_DENOMINATIONS} denominations.", field=field)
    parsed, counted = [], ZERO
    for index, row in enumerate(rows):
        value = parse_money(row.value, field=f"{field}.{index}.value", allow_zero=False)
        if row.count is None or int(row.count) < 0 or int(row.count) > 1_000_000:
            raise DomainError(
                ErrorCode.INVALID, "A count is a whole number from 0.", field=f"{field}.{index}.count"
            )
        counted += value * int(row.count)
        parsed.append({"value": format_money(value), "count": int(row.count)})
    if q(counted) != total:
        raise DomainError(
            TillErrorCode.DENOMINATION_MISMATCH,
            f"The denominations add up to {format_money(q(counted))}, not {format_money(total)}.",
            field=field,
            params={
                "counted": format_money(q(counted)),
                "total": format_money(total),
                "totalField": total_field,
            },
        )
    return parsed


@transaction.atomic
def open_shift(
    *, user, register_id: int, opening_float: Decimal, denominations: Iterable[Denomination] | None = None
) -> Shift:
    """Open a shift for `user` at a register with a counted opening float.

    One open shift per register and one per cashier (checked under the register's row lock, and
    backed by partial unique constraints).
    """
    opening_float = parse_money(opening_float, field="openingFloat", allow_zero=True)
    stored = _parse_denominations(
        denominations, total=opening_float, field="denominations", total_field="openingFloat"
    )
    register = Register.objects.select_for_update(of=("self",), no_key=True).filter(pk=register_id).first()
    if register is None:
        raise not_found("Register", "registerId")
    if register.retired_at is not None:
        raise DomainError(TillErrorCode.REGISTER_RETIRED, f"{register.name} is retired.", field="registerId")
    if Shift.objects.filter(register=register, status=Shift.Status.OPEN).exists():
        raise DomainError(
            TillErrorCode.SHIFT_ALREADY_OPEN,
            f"{register.name} already has an open shift.",
            field="registerId",
        )
    if Shift.objects.filter(cashier=user, status=Shift.Status.OPEN).exists():
        raise DomainError(
            TillErrorCode.CASHIER_HAS_OPEN_SHIFT,
            "You already have an open shift; close it before opening another.",
            field="registerId",
        )
    return Shift.objects.create(
        register=register,
        cashier=user,
        opened_at=clock.now(),
        opening_float=opening_float,
        opening_denominations=stored,
    )


def _lock_shift(shift_id: int, *, field: str = "shiftId", for_close: bool = False) -> Shift:
    rows = Shift.objects.select_related("register")
    rows = (
        rows.select_for_update(of=("self",))
        if for_close
        else rows.select_for_update(of=("self",), no_key=True)
    )
    shift = rows.filter(pk=shift_id).first()
    if shift is None:
        raise not_found("Shift", field)
    return shift


def _ensure_own_or_manager(user, shift: Shift, *, field: str = "shiftId") -> None:
    if shift.cashier_id != user.pk and not _is_manager(user):
        raise DomainError(TillErrorCode.NOT_YOUR_SHIFT, "This is another cashier's shift.", field=field)


def _ensure_open(shift: Shift, *, field: str = "shiftId") -> None:
    if shift.status != Shift.Status.OPEN:
        raise DomainError(
            TillErrorCode.SHIFT_CLOSED, "This shift is closed; nothing more can be posted to it.", field=field
        )


@transaction.atomic
def record_cash_movement(*, user, shift_id: int, kind: str, amount: Decimal, reason: str) -> CashMovement:
    """Record a pay-in, pay-out or safe drop on an open shift (locks the shift).

    A pay-out above POS_CASHIER_MAX_PAY_OUT needs a manager (PAY_OUT_NEEDS_MANAGER).
    """
    if kind not in CashMovement.Kind.values:
        raise DomainError(ErrorCode.INVALID, "Kind must be PAY_IN, PAY_OUT or DROP.", field="kind")
    amount = parse_money(amount, field="amount", allow_zero=False)
    reason = _text(reason, field="reason", required=True)
    limit = Decimal(settings.POS_CASHIER_MAX_PAY_OUT)
    if kind == CashMovement.Kind.PAY_OUT and amount > limit and not _is_manager(user):
        raise DomainError(
            TillErrorCode.PAY_OUT_NEEDS_MANAGER,
            f"Pay-outs above {format_money(limit)} need a manager.",
            field="amount",
            params={"limit": format_money(limit)},
        )
    shift = _lock_shift(shift_id)
    _ensure_own_or_manager(user, shift)
    _ensure_open(shift)
    return CashMovement.objects.create(shift=shift, kind=kind, amount=amount, reason=reason, user=user)


@transaction.atomic
def close_shift(
    *,
    user,
    shift_id: int,
    counted_cash: Decimal,
    denominations: Iterable[Denomination] | None = None,
    counted_by_tender: dict[str, Decimal] | None = None,
    note: str = "",
) -> Shift:
    """Close a shift from the counted drawer and fix its Z report (blind: expected is computed here).

    Locks: the shift FOR UPDATE (it waits for every sale holding the shift's posting lock, and
    sales that come after see the shift closed and are refused), then the register, whose Z
    counter gives the next gapless number. The Z figures are sums over the shift's rows. A cash
    variance beyond POS_SHIFT_VARIANCE_TOLERANCE leaves the shift PENDING_APPROVAL.
    """
    counted_cash = parse_money(counted_cash, field="countedCash", allow_zero=True)
    stored_denominations = _parse_denominations(
        denominations, total=counted_cash, field="denominations", total_field="countedCash"
    )
    counted_tenders = {}
    for tender, amount in (counted_by_tender or {}).items():
        if tender not in ("card", "transfer"):
            raise DomainError(
                ErrorCode.INVALID, "Count card and transfer only here.", field="countedByTender"
            )
        counted_tenders[tender] = parse_money(amount, field=f"countedByTender.{tender}", allow_zero=True)
    note = _text(note, field="note")
    shift = _lock_shift(shift_id, for_close=True)
    _ensure_own_or_manager(user, shift)
    if shift.status != Shift.Status.OPEN:
        raise DomainError(TillErrorCode.SHIFT_CLOSED, "This shift is already closed.", field="shiftId")
    register = Register.objects.select_for_update(of=("self",), no_key=True).get(pk=shift.register_id)

    summary = selectors.shift_summary(shift=shift)
    variance = counted_cash - summary.expected_cash
    register.last_z_number += 1
    register.save(update_fields=["last_z_number", "updated_at"])
    tolerance = Decimal(settings.POS_SHIFT_VARIANCE_TOLERANCE)
    shift.status = Shift.Status.PENDING_APPROVAL if abs(variance) > tolerance else Shift.Status.CLOSED
    shift.closed_at = clock.now()
    shift.closed_by = user
    shift.counted_cash = counted_cash
    shift.counted_denominations = stored_denominations
    shift.counted_by_tender = {k: format_money(v) for k, v in counted_tenders.items()}
    shift.expected_cash = summary.expected_cash
    shift.variance = variance
    shift.close_note = note
    shift.z_number = register.last_z_number
    shift.z_report = selectors.z_figures(summary, shift=shift)
    shift.save()
    return shift


@transaction.atomic
def approve_shift_close(*, user, shift_id: int, note: str) -> Shift:
    """A manager accepts the variance of a shift left PENDING_APPROVAL, with a note."""
    note = _text(note, field="note", required=True)
    shift = _lock_shift(shift_id, for_close=True)
    if shift.status != Shift.Status.PENDING_APPROVAL:
        raise DomainError(
            TillErrorCode.SHIFT_NOT_PENDING, "This shift is not waiting for approval.", field="shiftId"
        )
    shift.status = Shift.Status.CLOSED
    shift.approved_by = user
    shift.approved_at = clock.now()
    shift.approval_note = note
    shift.save(update_fields=["status", "approved_by", "approved_at", "approval_note", "updated_at"])
    return shift


# --- Posting from other apps ------------------------------------------------------------------------


def _active_registers(location_id: int | None):
    registers = Register.objects.filter(retired_at__isnull=True)
    return registers if location_id is None else registers.filter(location_id=location_id)


_UNKNOWN = object()


def shift_for_posting(
    *,
    user,
    location_id: int | None,
    fallback_shift_ids: Iterable[int | None] = (),
    required: bool | None = None,
    setup_token=_UNKNOWN,
) -> Shift | None:
    """The open shift a document by `user` at `location_id` posts to, locked (FOR NO KEY UPDATE).

    `user`'s own open shift at the location (any location when None) first, then the first of
    `fallback_shift_ids` still open there (the drawer the money really leaves: a voided sale's
    shift, the requesting cashier's shift). None when there is none and none is `required`
    (default: POS_REQUIRE_OPEN_SHIFT, for cashiers only, where a register exists); refused with
    NO_OPEN_SHIFT otherwise. Runs inside the caller's transaction (no savepoint of its own: it only
    reads and locks); call it before taking stock or customer locks (lock order).

    Costs: a location without registers one query, or none with `setup_token` (the TILL_SETUP
    generation the caller read in this transaction: which locations have registers is then taken
    from this process's copy); the user's own open shift one `SELECT ... FOR NO KEY UPDATE`.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("shift_for_posting must run inside the posting service's transaction")
    # Shifts open only on active registers and a register with an open shift cannot retire.
    if setup_token is _UNKNOWN:
        has_registers = _active_registers(location_id).exists()
    else:
        has_registers = selectors.location_has_registers(location_id=location_id, token=setup_token)
    if not has_registers:
        if required:
            raise _no_open_shift()
        return None
    candidates = Shift.objects.filter(status=Shift.Status.OPEN)
    if location_id is not None:
        candidates = candidates.filter(register__location_id=location_id)
    # Found and locked at once: the lock re-reads the row, so a shift closed while this waited is
    # not returned (the close won and this document cannot join it).
    shift = (
        candidates.filter(cashier=user)
        .select_related("register")
        .select_for_update(of=("self",), no_key=True)
        .first()
    )
    if shift is not None:
        return shift
    wanted = [pk for pk in fallback_shift_ids if pk is not None]
    if wanted:
        # In the caller's order (not Shift's newest-first ordering): the first one still open wins.
        still_open = set(candidates.filter(pk__in=wanted).values_list("pk", flat=True))
        shift_id = next((pk for pk in wanted if pk in still_open), None)
        if shift_id is not None:
            shift = _lock_shift(shift_id)
            if shift.status == Shift.Status.OPEN:
                return shift
            # closed between the look-up and the lock: the close won, so this document cannot join it
    if required if required is not None else (settings.POS_REQUIRE_OPEN_SHIFT and not _is_manager(user)):
        raise _no_open_shift()
    return None


def _no_open_shift() -> DomainError:
    return DomainError(
        TillErrorCode.NO_OPEN_SHIFT, "Open a shift at a register here before taking money.", field=None
    )


POSTING_AMOUNTS = (
    "total",
    "discount",
    "tax",
    "cash",
    "card",
    "transfer",
    "on_account",
    "store_credit",
    "exchange",
)


def post_to_shift(
    *,
    shift: Shift,
    user,
    kind: str,
    reference_type: str,
    reference_id: int,
    tax_lines: Iterable[TaxLine] = (),
    **amounts: Decimal,
) -> ShiftPosting:
    """Write one document's effect on a shift locked by `shift_for_posting` (amounts signed).

    `tax_lines` (signed like the amounts) are summed per rate into the posting's tax rows; their
    tax must add up to the posting's `tax`. Two INSERTs at most, inside the caller's transaction,
    which holds the shift's lock.
    """
    unknown = set(amounts) - set(POSTING_AMOUNTS)
    if unknown:
        raise ValueError(f"unknown posting amounts: {sorted(unknown)}")
    by_rate: dict[Decimal, list[Decimal]] = {}
    for line in tax_lines:
        taxable_and_tax = by_rate.setdefault(Decimal(line.rate).quantize(RATE_PLACES), [ZERO, ZERO])
        taxable_and_tax[0] += line.taxable
        taxable_and_tax[1] += line.tax
    tax_total = sum((tax for _, tax in by_rate.values()), ZERO)
    if by_rate and tax_total != amounts.get("tax", ZERO):
        raise ValueError(f"tax lines add up to {tax_total}, not the posting's tax {amounts.get('tax', ZERO)}")
    posting = ShiftPosting.objects.create(
        shift=shift, kind=kind, user=user, reference_type=reference_type, reference_id=reference_id, **amounts
    )
    if by_rate:
        ShiftPostingTax.objects.bulk_create(
            ShiftPostingTax(posting=posting, shift=shift, rate=rate, taxable=taxable, tax=tax)
            for rate, (taxable, tax) in sorted(by_rate.items())
        )
    return posting


def posted_shift_id(*, reference_type: str, reference_id: int) -> int | None:
    """The shift a document was posted to first (its sale or refund), or None."""
    return (
        ShiftPosting.objects.filter(reference_type=reference_type, reference_id=reference_id)
        .order_by("pk")
        .values_list("shift_id", flat=True)
        .first()
    )


@transaction.atomic
def post_reversal(*, user, location_id: int, reference_type: str, reference_id: int) -> ShiftPosting | None:
    """Post the negation of a document's postings (a void), to its own shift while still open.

    A document from a closed shift is reversed in the voiding user's open shift (the closed Z never
    changes); with none open that is refused NO_OPEN_SHIFT when POS_VOID_NEEDS_OPEN_SHIFT is on.
    Nothing is posted for a document that was never posted to a shift. Locks one shift.
    """
    original = list(ShiftPosting.objects.filter(reference_type=reference_type, reference_id=reference_id))
    if not original:
        return None
    # The document's own shift first while it is open: the money goes back out of the drawer it came into.
    # Locked only while open (the lock re-reads the row, so a close that won is seen): one query.
    shift = (
        Shift.objects.select_related("register")
        .select_for_update(of=("self",), no_key=True)
        .filter(pk=original[0].shift_id, status=Shift.Status.OPEN)
        .first()
    )
    if shift is None:
        shift = shift_for_posting(
            user=user, location_id=location_id, required=settings.POS_VOID_NEEDS_OPEN_SHIFT
        )
    if shift is None:
        return None
    totals = {name: sum((getattr(p, name) for p in original), ZERO) for name in POSTING_AMOUNTS}
    taxes = ShiftPostingTax.objects.filter(posting__in=original)
    return post_to_shift(
        shift=shift,
        user=user,
        kind=ShiftPosting.Kind.VOID,
        reference_type=reference_type,
        reference_id=reference_id,
        tax_lines=[TaxLine(rate=t.rate, taxable=-t.taxable, tax=-t.tax) for t in taxes],
        **{name: -value for name, value in totals.items()},
    )


# The shift of a sale made offline (offline.services.sync), re-exported so other apps import
# tills.services only.
from tills.offline import OfflinePosting, shift_for_offline_sale  # noqa: E402, F401
