"""GraphQL for registers, shifts and the cash drawer (API.md "Tills and shifts"). Thin adapters."""

from __future__ import annotations

import graphene
from graphene_django import DjangoConnectionField

from shared.errors import DomainError
from shared.graphql import decode_id, enum_value, query_error, resolve_id
from shared.permissions import login_required, role_required
from shared.roles import Role
from tills import selectors
from tills.schema.mutations import (
    ApproveShiftClose,
    CloseShift,
    CreateRegister,
    OpenShift,
    RecordCashMovement,
    RetireRegister,
)
from tills.schema.report_types import CashierVarianceType, ShiftReportType
from tills.schema.types import RegisterType, ShiftStatusEnum, ShiftType
from tills.z_report import ZFormat, render_z


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
