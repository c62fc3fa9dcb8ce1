"""GraphQL types of registers, shifts and cash movements."""

from __future__ import annotations

import graphene
from graphene import relay
from graphene_django import DjangoObjectType

from shared.graphql import CountableConnection, Money
from tills.models import CashMovement, Register, Shift

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
