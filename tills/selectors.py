"""Reads of the tills app: registers, shifts, and the X/Z figures summed from a shift's rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DecimalField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from shared import generations
from shared.errors import not_found
from shared.money import ZERO, format_money, q
from shared.roles import Role, has_role
from tills.models import CashMovement, Register, Shift, ShiftPosting, ShiftPostingTax

_MONEY = DecimalField(max_digits=14, decimal_places=2)
_COLUMNS = ("total", "discount", "tax", "cash", "card", "transfer", "on_account", "store_credit", "exchange")


def location_has_registers(*, location_id: int | None, token: int | None) -> bool:
    """Whether an active register stands at the location (anywhere when None), from this process's copy.

    `token` is the TILL_SETUP generation read in the caller's transaction; saving or deleting a
    register gives it a new value, so the copy is reloaded before it could be wrong.
    """

    def load() -> frozenset[int]:
        return frozenset(
            Register.objects.filter(retired_at__isnull=True).values_list("location_id", flat=True).distinct()
        )

    located = generations.cached(generations.TILL_SETUP, "register_locations", token, load)
    return bool(located) if location_id is None else location_id in located


@dataclass(frozen=True)
class KindFigures:
    """The sums of one kind of posting (sales, voids, refunds, ...)."""

    count: int = 0
    total: Decimal = ZERO
    discount: Decimal = ZERO
    tax: Decimal = ZERO
    cash: Decimal = ZERO
    card: Decimal = ZERO
    transfer: Decimal = ZERO
    on_account: Decimal = ZERO
    store_credit: Decimal = ZERO
    exchange: Decimal = ZERO


@dataclass(frozen=True)
class TaxRateFigures:
    """Net tax at one rate over a shift (sales less voids and refunds)."""

    rate: Decimal
    taxable: Decimal
    tax: Decimal


@dataclass(frozen=True)
class ShiftSummary:
    """Every X/Z figure of a shift, computed from its rows (never from a running total)."""

    opening_float: Decimal
    by_kind: dict[str, KindFigures]
    pay_ins: Decimal
    pay_outs: Decimal
    drops: Decimal
    movement_counts: dict[str, int] = field(default_factory=dict)
    tax_by_rate: tuple[TaxRateFigures, ...] = ()

    def kind(self, kind: str) -> KindFigures:
        return self.by_kind.get(kind, KindFigures())

    def tender(self, name: str) -> Decimal:
        """Net of a tender over every posting of the shift (sales less voids, refunds, ...)."""
        return q(sum((getattr(k, name) for k in self.by_kind.values()), ZERO))

    @property
    def expected_cash(self) -> Decimal:
        """Opening float + cash of every posting (net of change and refunds) + pay-ins - pay-outs - drops."""
        return q(self.opening_float + self.tender("cash") + self.pay_ins - self.pay_outs - self.drops)


def shift_summary(*, shift: Shift) -> ShiftSummary:
    """Sum a shift's postings by kind and its cash movements by kind (two indexed aggregate queries)."""
    rows = (
        ShiftPosting.objects.filter(shift=shift)
        .values("kind")
        .order_by("kind")
        .annotate(
            count=Count("pk"), **{c: Coalesce(Sum(c), Value(ZERO), output_field=_MONEY) for c in _COLUMNS}
        )
    )
    by_kind = {
        row["kind"]: KindFigures(count=row["count"], **{c: q(Decimal(row[c])) for c in _COLUMNS})
        for row in rows
    }
    movements = {
        row["kind"]: row
        for row in CashMovement.objects.filter(shift=shift)
        .values("kind")
        .order_by("kind")
        .annotate(count=Count("pk"), amount=Coalesce(Sum("amount"), Value(ZERO), output_field=_MONEY))
    }

    def moved(kind: str) -> Decimal:
        return q(Decimal(movements[kind]["amount"])) if kind in movements else ZERO

    return ShiftSummary(
        opening_float=shift.opening_float,
        by_kind=by_kind,
        pay_ins=moved(CashMovement.Kind.PAY_IN),
        pay_outs=moved(CashMovement.Kind.PAY_OUT),
        drops=moved(CashMovement.Kind.DROP),
        movement_counts={kind: row["count"] for kind, row in movements.items()},
        tax_by_rate=tax_by_rate(shift=shift),
    )


def tax_by_rate(*, shift: Shift) -> tuple[TaxRateFigures, ...]:
    """A shift's net tax per rate, lowest rate first (one indexed aggregate query).

    Sums to the tax of all its postings, except any posted before tax rows were recorded.
    """
    rows = (
        ShiftPostingTax.objects.filter(shift=shift)
        .values("rate")
        .order_by("rate")
        .annotate(
            taxable=Coalesce(Sum("taxable"), Value(ZERO), output_field=_MONEY),
            tax=Coalesce(Sum("tax"), Value(ZERO), output_field=_MONEY),
        )
    )
    return tuple(
        TaxRateFigures(
            rate=Decimal(row["rate"]).quantize(Decimal("0.0001")),
            taxable=q(Decimal(row["taxable"])),
            tax=q(Decimal(row["tax"])),
        )
        for row in rows
    )


def z_figures(summary: ShiftSummary, *, shift: Shift) -> dict:
    """The Z report as stored at close: every figure as a string with two places."""
    kinds = {
        kind.value: {
            "count": summary.kind(kind).count,
            **{c: format_money(getattr(summary.kind(kind), c)) for c in _COLUMNS},
        }
        for kind in ShiftPosting.Kind
    }
    counted_tenders = shift.counted_by_tender or {}
    tenders = {}
    for name in ("cash", "card", "transfer"):
        expected = summary.expected_cash if name == "cash" else summary.tender(name)
        counted = shift.counted_cash if name == "cash" else counted_tenders.get(name)
        tenders[name] = {
            "expected": format_money(expected),
            "counted": None if counted is None else format_money(Decimal(counted)),
            "variance": None if counted is None else format_money(Decimal(counted) - expected),
        }
    return {
        "opening_float": format_money(summary.opening_float),
        "kinds": kinds,
        "pay_ins": format_money(summary.pay_ins),
        "pay_outs": format_money(summary.pay_outs),
        "drops": format_money(summary.drops),
        "movement_counts": summary.movement_counts,
        "tax_by_rate": [
            {"rate": str(row.rate), "taxable": format_money(row.taxable), "tax": format_money(row.tax)}
            for row in summary.tax_by_rate
        ],
        "tenders": tenders,
        "expected_cash": format_money(summary.expected_cash),
        "counted_cash": format_money(shift.counted_cash),
    }


@dataclass(frozen=True)
class ShiftReport:
    """An X report (open shift, live) or the Z report (closed shift, as fixed at close).

    `is_blind`: the viewer is the cashier of a shift still open, who must count before seeing what
    the drawer should hold; expected figures are then withheld (None).
    """

    shift: Shift
    summary: ShiftSummary
    is_blind: bool

    @property
    def is_z(self) -> bool:
        return self.shift.status != Shift.Status.OPEN

    @property
    def expected_cash(self) -> Decimal | None:
        if self.is_blind:
            return None
        return self.shift.expected_cash if self.is_z else self.summary.expected_cash

    @property
    def variance(self) -> Decimal | None:
        return None if self.is_blind or not self.is_z else self.shift.variance

    def expected_tender(self, name: str) -> Decimal | None:
        if self.is_blind:
            return None
        if self.is_z and self.shift.z_report:
            return Decimal(self.shift.z_report["tenders"][name]["expected"])
        return self.summary.expected_cash if name == "cash" else self.summary.tender(name)


def get_shift_report(*, user, shift_id: int) -> ShiftReport:
    """The X (open) or Z (closed) report of a shift; a cashier sees only their own shifts."""
    shift = (
        Shift.objects.select_related("register__location", "cashier", "closed_by", "approved_by")
        .filter(pk=shift_id)
        .first()
    )
    is_manager = has_role(user, Role.MANAGER)
    if shift is None or (not is_manager and shift.cashier_id != user.pk):
        raise not_found("Shift", "shiftId")
    blind = settings.POS_BLIND_CLOSE and not is_manager and shift.status == Shift.Status.OPEN
    return ShiftReport(shift=shift, summary=shift_summary(shift=shift), is_blind=blind)


def get_current_shift(*, user) -> Shift | None:
    """The caller's own open shift (at any register), with its register and location, or None."""
    return (
        Shift.objects.select_related("register__location", "cashier")
        .filter(cashier_id=user.pk, status=Shift.Status.OPEN)
        .first()
    )


def get_closed_shift(*, user, shift_id: int) -> Shift | None:
    """A shift with what its Z prints (register, cashiers), None while it is open (no Z yet).

    Visible as `get_shift_report` is: a cashier sees only their own shifts.
    """
    shift = Shift.objects.select_related("register", "cashier", "closed_by").filter(pk=shift_id).first()
    if shift is None or (not has_role(user, Role.MANAGER) and shift.cashier_id != user.pk):
        raise not_found("Shift", "shiftId")
    return None if shift.status == Shift.Status.OPEN else shift


def list_registers(*, include_retired: bool = False, location_id: int | None = None) -> QuerySet[Register]:
    """Registers, by location then name; retired ones only when asked."""
    rows = Register.objects.select_related("location")
    if not include_retired:
        rows = rows.filter(retired_at__isnull=True)
    if location_id is not None:
        rows = rows.filter(location_id=location_id)
    return rows


def get_register(*, register_id: int) -> Register | None:
    return Register.objects.select_related("location").filter(pk=register_id).first()


def list_shifts(*, user, status: str | None = None, register_id: int | None = None) -> QuerySet[Shift]:
    """Shifts, newest first; a cashier sees only their own."""
    rows = Shift.objects.select_related("register__location", "cashier", "closed_by", "approved_by")
    if not has_role(user, Role.MANAGER):
        rows = rows.filter(cashier=user)
    if status:
        rows = rows.filter(status=status)
    if register_id is not None:
        rows = rows.filter(register_id=register_id)
    return rows


def get_shift(*, shift_id: int) -> Shift | None:
    return Shift.objects.select_related("register__location", "cashier").filter(pk=shift_id).first()


def open_shift_id(*, user_id: int, location_id: int | None = None) -> int | None:
    """The pk of a user's open shift (at a location when given), or None."""
    rows = Shift.objects.filter(cashier_id=user_id, status=Shift.Status.OPEN)
    if location_id is not None:
        rows = rows.filter(register__location_id=location_id)
    return rows.values_list("pk", flat=True).first()


@dataclass(frozen=True)
class CashierVariance:
    cashier_id: int
    username: str
    shift_count: int
    variance: Decimal  # net over the shifts: negative means the drawers were short
    short: Decimal  # sum of the shortfalls (negative variances), as a positive amount
    over: Decimal  # sum of the surpluses
    pending_count: int


def cash_variance_by_cashier(*, date_from, date_to) -> list[CashierVariance]:
    """Counted-cash variance per cashier over shifts closed between two shop days (inclusive), worst first."""
    from django.db.models import Q

    from shared.dates import end_of_day_exclusive, start_of_day

    money = Coalesce(Sum("variance"), Value(ZERO), output_field=_MONEY)
    rows = (
        Shift.objects.exclude(status=Shift.Status.OPEN)
        .filter(closed_at__gte=start_of_day(date_from), closed_at__lt=end_of_day_exclusive(date_to))
        .values("cashier_id", "cashier__username")
        .order_by("cashier_id")
        .annotate(
            shift_count=Count("pk"),
            net=money,
            short=Coalesce(Sum("variance", filter=Q(variance__lt=0)), Value(ZERO), output_field=_MONEY),
            over=Coalesce(Sum("variance", filter=Q(variance__gt=0)), Value(ZERO), output_field=_MONEY),
            pending_count=Count("pk", filter=Q(status=Shift.Status.PENDING_APPROVAL)),
        )
    )
    result = [
        CashierVariance(
            cashier_id=row["cashier_id"],
            username=row["cashier__username"],
            shift_count=row["shift_count"],
            variance=q(Decimal(row["net"])),
            short=q(-Decimal(row["short"])),
            over=q(Decimal(row["over"])),
            pending_count=row["pending_count"],
        )
        for row in rows
    ]
    return sorted(result, key=lambda row: (row.variance, row.username))
