"""Mutations of registers, shifts and the cash drawer: each parses its input and calls one tills service."""

from __future__ import annotations

import graphene

from shared.graphql import BaseMutation, Money, enum_value, resolve_id
from shared.roles import Role
from tills import services
from tills.models import Shift
from tills.schema.types import CashMovementKindEnum, CashMovementType, RegisterType, ShiftType


class CountedTender(graphene.Enum):
    """Non-cash tenders a cashier may count at close (slips, transfer confirmations)."""

    CARD = "card"
    TRANSFER = "transfer"


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
