"""GraphQL for registers, shifts and the cash drawer (API.md "Tills and shifts"). Thin adapters."""

from __future__ import annotations

import graphene
from graphene import relay
from graphene_django import DjangoConnectionField, DjangoObjectType

from shared.errors import DomainError
from shared.graphql import (
    BaseMutation,
    CountableConnection,
    Money,
    Rate,
    decode_id,
    enum_value,
    query_error,
    resolve_id,
)
from shared.money import to_decimal
from shared.permissions import login_required, role_required
from shared.roles import Role
from tills import selectors, services
from tills.models import CashMovement, Register, Shift, ShiftPosting
from tills.z_report import ZFormat, render_z

ShiftStatusEnum = graphene.Enum.from_enum(
    Shift.Status,
    name="ShiftStatus",
    description="OPEN, PENDING_APPROVAL (variance awaits a manager) or CLOSED.",
)
CashMovementKindEnum = graphene.Enum.from_enum(
    CashMovement.Kind,
    name="CashMovementKind",
    description="PAY_IN (float top-up), PAY_OUT or DROP (to the safe).",
)


class CountedTender(graphene.Enum):
    """Non-cash tenders a cashier may count at close (slips, transfer confirmations)."""

    CARD = "card"
    TRANSFER = "transfer"


class RegisterType(DjangoObjectType):
    is_retired = graphene.Boolean(required=True, description="Retired registers take no new shift.")

    class Meta:
        model = Register
        name = "Register"
        description = "A till at a location."
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = ("id", "name", "location", "receipt_header", "retired_at", "last_z_number", "created_at")

    @staticmethod
    def resolve_is_retired(register, info):
        return register.retired_at is not None


class CashMovementType(DjangoObjectType):
    kind = CashMovementKindEnum(required=True)
    amount = Money(required=True)

    class Meta:
        model = CashMovement
        name = "CashMovement"
        description = "Cash put into or taken out of a drawer that is not a sale."
        interfaces = (relay.Node,)
        fields = ("id", "reason", "user", "created_at")


class DenominationType(graphene.ObjectType):
    """A count of one note or coin."""

    value = graphene.String(required=True, description='Face value, e.g. "1000.00".')
    count = graphene.Int(required=True)


class ShiftType(DjangoObjectType):
    status = ShiftStatusEnum(required=True)
    opening_float = Money(required=True)
    counted_cash = Money(description="Cash counted at close.")
    variance = Money(description="Counted minus expected cash, once closed.")
    opening_denominations = graphene.List(graphene.NonNull(DenominationType), required=True)
    counted_denominations = graphene.List(graphene.NonNull(DenominationType), required=True)

    class Meta:
        model = Shift
        name = "Shift"
        description = "One cashier's turn at one register. Expected figures are in `shiftReport`."
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "register",
            "cashier",
            "opened_at",
            "closed_at",
            "closed_by",
            "close_note",
            "z_number",
            "approved_by",
            "approved_at",
            "approval_note",
        )

    @staticmethod
    def resolve_opening_denominations(shift, info):
        return [DenominationType(**row) for row in shift.opening_denominations or []]

    @staticmethod
    def resolve_counted_denominations(shift, info):
        return [DenominationType(**row) for row in shift.counted_denominations or []]


class PostingFiguresType(graphene.ObjectType):
    """Count and sums of one kind of document posted to a shift (signed: money into the shop is positive)."""

    count = graphene.Int(required=True)
    total = Money(required=True, description="Document totals (refunds and voids negative).")
    discount = Money(required=True)
    tax = Money(required=True)
    cash = Money(required=True, description="Cash into the drawer, net of change.")
    card = Money(required=True)
    transfer = Money(required=True)
    on_account = Money(required=True, description="Charged to customer accounts (credit sales).")
    store_credit = Money(required=True, description="Store credit spent (positive) or given (negative).")
    exchange = Money(required=True, description="Value of goods taken back in exchanges.")


class TaxRateFiguresType(graphene.ObjectType):
    """Net tax at one rate over a shift: sales less voids and refunds."""

    rate = Rate(required=True, description='Tax rate as a fraction, e.g. "0.0750".')
    taxable = Money(required=True, description="Amount taxed at this rate, tax excluded.")
    tax = Money(required=True)


class TenderFiguresType(graphene.ObjectType):
    """Expected against counted for one tender."""

    tender = graphene.String(required=True, description="cash, card or transfer.")
    expected = Money(description="Null in a blind view.")
    counted = Money(description="Null until counted.")
    variance = Money(description="counted - expected; null until closed or in a blind view.")


class ShiftReportType(graphene.ObjectType):
    """An X report (open shift, live, changes nothing) or the Z report (closed, fixed at close)."""

    shift = graphene.Field(ShiftType, required=True)
    is_z = graphene.Boolean(required=True, description="True once closed: the figures are the fixed Z.")
    is_blind = graphene.Boolean(
        required=True, description="The cashier's own open shift: expected figures withheld until counted."
    )
    z_number = graphene.Int(description="Gapless per register, assigned at close.")
    opening_float = Money(required=True)
    expected_cash = Money(description="Opening float + net cash postings + pay-ins - pay-outs - drops.")
    counted_cash = Money()
    variance = Money(description="countedCash - expectedCash, once closed.")
    sales = graphene.Field(PostingFiguresType, required=True)
    voids = graphene.Field(PostingFiguresType, required=True)
    refunds = graphene.Field(PostingFiguresType, required=True)
    account_payments = graphene.Field(PostingFiguresType, required=True, description="Payments on account.")
    exchange_differences = graphene.Field(PostingFiguresType, required=True)
    pay_ins = Money(required=True)
    pay_outs = Money(required=True)
    drops = Money(required=True)
    tenders = graphene.List(graphene.NonNull(TenderFiguresType), required=True)
    tax_by_rate = graphene.List(
        graphene.NonNull(TaxRateFiguresType),
        required=True,
        description="Net tax per rate, lowest rate first; the taxes add up to the tax of sales, voids and refunds.",
    )

    @staticmethod
    def _figures(report, kind):
        if report.is_z and report.shift.z_report:
            row = report.shift.z_report["kinds"][kind]
            return PostingFiguresType(**row)
        figures = report.summary.kind(kind)
        return PostingFiguresType(
            count=figures.count,
            **{name: getattr(figures, name) for name in PostingFiguresType._meta.fields if name != "count"},
        )

    def resolve_shift(report, info):
        return report.shift

    def resolve_z_number(report, info):
        return report.shift.z_number

    def resolve_opening_float(report, info):
        return report.shift.opening_float

    def resolve_counted_cash(report, info):
        return report.shift.counted_cash

    def resolve_sales(report, info):
        return ShiftReportType._figures(report, ShiftPosting.Kind.SALE)

    def resolve_voids(report, info):
        return ShiftReportType._figures(report, ShiftPosting.Kind.VOID)

    def resolve_refunds(report, info):
        return ShiftReportType._figures(report, ShiftPosting.Kind.REFUND)

    def resolve_account_payments(report, info):
        return ShiftReportType._figures(report, ShiftPosting.Kind.ACCOUNT_PAYMENT)

    def resolve_exchange_differences(report, info):
        return ShiftReportType._figures(report, ShiftPosting.Kind.EXCHANGE_DIFFERENCE)

    def resolve_pay_ins(report, info):
        return report.shift.z_report["pay_ins"] if report.is_z else report.summary.pay_ins

    def resolve_pay_outs(report, info):
        return report.shift.z_report["pay_outs"] if report.is_z else report.summary.pay_outs

    def resolve_drops(report, info):
        return report.shift.z_report["drops"] if report.is_z else report.summary.drops

    def resolve_tax_by_rate(report, info):
        if report.is_z and report.shift.z_report:
            rows = report.shift.z_report.get("tax_by_rate", [])  # absent from a Z closed before tax rows
            return [TaxRateFiguresType(**row) for row in rows]
        return [
            TaxRateFiguresType(rate=row.rate, taxable=row.taxable, tax=row.tax)
            for row in report.summary.tax_by_rate
        ]

    def resolve_tenders(report, info):
        counted = report.shift.counted_by_tender or {}
        rows = []
        for name in ("cash", "card", "transfer"):
            expected = report.expected_tender(name)
            count = report.shift.counted_cash if name == "cash" else counted.get(name)
            rows.append(
                TenderFiguresType(
                    tender=name,
                    expected=expected,
                    counted=count,
                    variance=None
                    if count is None or expected is None or not report.is_z
                    else to_decimal(count) - expected,
                )
            )
        return rows


class CashierVarianceType(graphene.ObjectType):
    """Counted-cash variance of one cashier's closed shifts over a period."""

    cashier_id = graphene.ID(required=True)
    username = graphene.String(required=True)
    shift_count = graphene.Int(required=True)
    variance = Money(required=True, description="Net variance; negative means the drawers were short.")
    short = Money(required=True, description="Sum of the shortfalls, as a positive amount.")
    over = Money(required=True, description="Sum of the surpluses.")
    pending_count = graphene.Int(required=True, description="Closes still waiting for a manager.")


# --- Mutations -----------------------------------------------------------------------------------


class CreateRegisterInput(graphene.InputObjectType):
    name = graphene.String(required=True)
    location_id = graphene.ID(description="Default: the default location.")
    receipt_header = graphene.String()


class CreateRegister(BaseMutation):
    """Create a register (managers). Errors: NOT_FOUND (locationId), UNIQUE (name), REQUIRED."""

    register = graphene.Field(RegisterType)
    required_role = Role.MANAGER

    class Arguments:
        input = CreateRegisterInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        location_id = input.location_id
        register = services.create_register(
            user=info.context.user,
            name=input.name,
            location_id=resolve_id(location_id, "Location", field="locationId") if location_id else None,
            receipt_header=input.receipt_header or "",
        )
        return {"register": register, "message": f"Register {register.name} created."}


class RetireRegisterInput(graphene.InputObjectType):
    register_id = graphene.ID(required=True)


class RetireRegister(BaseMutation):
    """Retire a register (managers). Errors: NOT_FOUND, REGISTER_RETIRED, REGISTER_HAS_OPEN_SHIFT."""

    register = graphene.Field(RegisterType)
    required_role = Role.MANAGER

    class Arguments:
        input = RetireRegisterInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        register = services.retire_register(
            user=info.context.user, register_id=resolve_id(input.register_id, "Register", field="registerId")
        )
        return {"register": register, "message": f"Register {register.name} retired."}


class DenominationInput(graphene.InputObjectType):
    value = Money(required=True, description="Face value of the note or coin.")
    count = graphene.Int(required=True)


def _denominations(rows):
    if rows is None:
        return None
    return [services.Denomination(value=row.value, count=row.count) for row in rows]


class OpenShiftInput(graphene.InputObjectType):
    register_id = graphene.ID(required=True)
    opening_float = Money(required=True)
    denominations = graphene.List(
        graphene.NonNull(DenominationInput), description="Must add up to openingFloat."
    )


class OpenShift(BaseMutation):
    """Open a shift at a register for the caller. Errors: NOT_FOUND, REGISTER_RETIRED, SHIFT_ALREADY_OPEN,
    CASHIER_HAS_OPEN_SHIFT, DENOMINATION_MISMATCH, INVALID."""

    shift = graphene.Field(ShiftType)
    required_role = Role.CASHIER

    class Arguments:
        input = OpenShiftInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        shift = services.open_shift(
            user=info.context.user,
            register_id=resolve_id(input.register_id, "Register", field="registerId"),
            opening_float=input.opening_float,
            denominations=_denominations(input.denominations),
        )
        return {"shift": shift, "message": "Shift opened."}


class RecordCashMovementInput(graphene.InputObjectType):
    shift_id = graphene.ID(required=True)
    kind = CashMovementKindEnum(required=True)
    amount = Money(required=True)
    reason = graphene.String(required=True)


class RecordCashMovement(BaseMutation):
    """A pay-in, pay-out or safe drop on an open shift. Errors: NOT_FOUND, NOT_YOUR_SHIFT, SHIFT_CLOSED,
    PAY_OUT_NEEDS_MANAGER, REQUIRED, INVALID."""

    cash_movement = graphene.Field(CashMovementType)
    required_role = Role.CASHIER

    class Arguments:
        input = RecordCashMovementInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        movement = services.record_cash_movement(
            user=info.context.user,
            shift_id=resolve_id(input.shift_id, "Shift", field="shiftId"),
            kind=enum_value(input.kind),
            amount=input.amount,
            reason=input.reason,
        )
        return {"cash_movement": movement, "message": "Cash movement recorded."}


class CountedTenderInput(graphene.InputObjectType):
    tender = CountedTender(required=True)
    amount = Money(required=True)


class CloseShiftInput(graphene.InputObjectType):
    shift_id = graphene.ID(required=True)
    counted_cash = Money(required=True)
    denominations = graphene.List(
        graphene.NonNull(DenominationInput), description="Must add up to countedCash."
    )
    counted_by_tender = graphene.List(graphene.NonNull(CountedTenderInput))
    note = graphene.String()


class CloseShift(BaseMutation):
    """Blind close: count the drawer; the server fixes the Z (expected, variance, gapless Z number).
    Errors: NOT_FOUND, NOT_YOUR_SHIFT, SHIFT_CLOSED, DENOMINATION_MISMATCH, INVALID."""

    shift = graphene.Field(ShiftType)
    required_role = Role.CASHIER

    class Arguments:
        input = CloseShiftInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        shift = services.close_shift(
            user=info.context.user,
            shift_id=resolve_id(input.shift_id, "Shift", field="shiftId"),
            counted_cash=input.counted_cash,
            denominations=_denominations(input.denominations),
            counted_by_tender={enum_value(row.tender): row.amount for row in input.counted_by_tender or []},
            note=input.note or "",
        )
        pending = shift.status == Shift.Status.PENDING_APPROVAL
        message = f"Z {shift.z_number} " + ("awaits a manager's approval." if pending else "closed.")
        return {"shift": shift, "message": message}


class ApproveShiftCloseInput(graphene.InputObjectType):
    shift_id = graphene.ID(required=True)
    note = graphene.String(required=True)


class ApproveShiftClose(BaseMutation):
    """A manager accepts a pending close's variance. Errors: NOT_FOUND, SHIFT_NOT_PENDING, REQUIRED."""

    shift = graphene.Field(ShiftType)
    required_role = Role.MANAGER

    class Arguments:
        input = ApproveShiftCloseInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        shift = services.approve_shift_close(
            user=info.context.user,
            shift_id=resolve_id(input.shift_id, "Shift", field="shiftId"),
            note=input.note,
        )
        return {"shift": shift, "message": "Shift close approved."}


class Query(graphene.ObjectType):
    registers = DjangoConnectionField(
        RegisterType,
        location_id=graphene.ID(),
        include_retired=graphene.Boolean(default_value=False),
        description="Registers by location and name; retired ones only with includeRetired.",
    )
    shifts = DjangoConnectionField(
        ShiftType,
        status=ShiftStatusEnum(),
        register_id=graphene.ID(),
        description="Shifts, newest first; a cashier sees only their own.",
    )
    current_shift = graphene.Field(
        ShiftType,
        description="The caller's own open shift (at any register), or null: what a till asks after login.",
    )
    shift_report = graphene.Field(
        ShiftReportType,
        shift_id=graphene.ID(required=True),
        description="X report of an open shift (blind for its cashier) or the Z of a closed one.",
    )

    z_report = graphene.String(
        shift_id=graphene.ID(required=True),
        format=graphene.Enum.from_enum(
            ZFormat, name="ZReportFormat", description="How a Z report is rendered."
        )(default_value=ZFormat.HTML.value),
        description="A closed shift's Z as printed: HTML (default), plain text for 42/48-column printers, "
        "or CSV. Null while the shift is open. A cashier sees only their own shifts (else NOT_FOUND).",
    )

    cash_variance_by_cashier = graphene.List(
        graphene.NonNull(CashierVarianceType),
        date_from=graphene.Date(required=True),
        date_to=graphene.Date(required=True),
        description="Managers: cash variance per cashier over shifts closed between two days (inclusive), worst first.",
    )

    @role_required(Role.MANAGER)
    def resolve_cash_variance_by_cashier(root, info, date_from, date_to):
        return selectors.cash_variance_by_cashier(date_from=date_from, date_to=date_to)

    @login_required
    def resolve_registers(root, info, location_id=None, include_retired=False, **_page):
        return selectors.list_registers(
            include_retired=include_retired,
            location_id=decode_id(location_id, "Location") if location_id else None,
        )

    @login_required
    def resolve_shifts(root, info, status=None, register_id=None, **_page):
        return selectors.list_shifts(
            user=info.context.user,
            status=enum_value(status),
            register_id=decode_id(register_id, "Register") if register_id else None,
        )

    @login_required
    def resolve_current_shift(root, info):
        return selectors.get_current_shift(user=info.context.user)

    @login_required
    def resolve_z_report(root, info, shift_id, format):
        try:
            shift = selectors.get_closed_shift(
                user=info.context.user, shift_id=resolve_id(shift_id, "Shift", field="shiftId")
            )
        except DomainError as exc:
            raise query_error(exc) from None
        return render_z(shift, ZFormat(enum_value(format))) if shift else None

    @login_required
    def resolve_shift_report(root, info, shift_id):
        try:
            return selectors.get_shift_report(
                user=info.context.user, shift_id=resolve_id(shift_id, "Shift", field="shiftId")
            )
        except DomainError as exc:
            raise query_error(exc) from None


class Mutation(graphene.ObjectType):
    create_register = CreateRegister.Field()
    retire_register = RetireRegister.Field()
    open_shift = OpenShift.Field()
    record_cash_movement = RecordCashMovement.Field()
    close_shift = CloseShift.Field()
    approve_shift_close = ApproveShiftClose.Field()
