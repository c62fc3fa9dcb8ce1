"""GraphQL for sale sync (syncSales, syncExceptions, resolveSyncException). Thin adapters.

Protocol, outcomes, codes and retry rules: docs/OFFLINE.md, "Sale sync".
"""

from __future__ import annotations

import graphene
from graphene import relay
from graphene_django import DjangoObjectType

from offline import selectors, services
from offline.error_codes import OfflineErrorCode
from offline.models import SaleSync, StockDiscrepancy, SyncException
from sales.choices import SaleType
from sales.schema import (
    PaymentInput,
    SaleItemInput,
    SaleType_,
    SaleTypeEnum,
    payments_from_input,
    sale_lines_from_input,
)
from sales.services import SaleRequest
from shared.errors import DomainError
from shared.graphql import (
    BaseMutation,
    CountableConnection,
    CountableConnectionField,
    ErrorType,
    Money,
    Quantity,
    enum_value,
    error_types,
    query_error,
    resolve_id,
    resolve_optional_id,
)
from shared.permissions import role_required
from shared.roles import Role

SyncOutcomeEnum = graphene.Enum.from_enum(
    services.SyncOutcomeCode,
    name="SyncOutcome",
    description="SYNCED, SYNCED_WITH_EXCEPTIONS (recorded, flagged for a manager), ALREADY_SYNCED (a "
    "replay: the stored outcome) or REFUSED (nothing recorded; see errors).",
)
SyncExceptionKindEnum = graphene.Enum.from_enum(
    SyncException.Kind,
    name="SyncExceptionKind",
    description="What an offline sale did that a live one could not.",
)
SyncExceptionStatusEnum = graphene.Enum.from_enum(
    SyncException.Status, name="SyncExceptionStatus", description="OPEN or RESOLVED."
)
SyncResolutionEnum = graphene.Enum.from_enum(
    SyncException.Resolution,
    name="SyncExceptionResolution",
    description="STOCK_SHORTAGE: WRITE_OFF, RECEIPT or COUNT; the other kinds: ACCEPTED.",
)


class StockDiscrepancyType(DjangoObjectType):
    quantity = Quantity(required=True, description="What the sale took beyond the stock on record.")
    unit_cost = graphene.String(
        required=True, description="The product's moving average cost when synced (4 decimal places)."
    )
    value = Money(required=True, description="quantity x unitCost, to the cent.")

    class Meta:
        model = StockDiscrepancy
        name = "StockDiscrepancy"
        description = "Stock an offline sale took that the server did not show on hand."
        fields = ("product", "location", "created_at")


class SaleSyncType(DjangoObjectType):
    class Meta:
        model = SaleSync
        name = "SaleSync"
        description = "How an offline sale reached the server."
        fields = (
            "client_id",
            "device",
            "device_sequence",
            "device_receipt_number",
            "sale",
            "sold_at",
            "business_time",
            "received_at",
            "catalogue_version",
        )


class SyncExceptionType(DjangoObjectType):
    kind = SyncExceptionKindEnum(required=True)
    status = SyncExceptionStatusEnum(required=True)
    resolution = SyncResolutionEnum(description="How it was settled; null while open.")
    details = graphene.JSONString(required=True, description="The figures behind the message.")

    class Meta:
        model = SyncException
        name = "SyncException"
        description = (
            "Something an offline sale did that a live sale would be refused for: recorded, flagged."
        )
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "sale_sync",
            "discrepancy",
            "message",
            "note",
            "resolved_by",
            "resolved_at",
            "created_at",
        )

    @staticmethod
    def resolve_resolution(exception, info):
        return exception.resolution or None


class SyncSaleInput(graphene.InputObjectType):
    client_id = graphene.UUID(required=True, description="The till's id of the sale: the idempotency key.")
    device_sequence = graphene.Int(required=True, description="1, 2, 3 ... per device, never reused.")
    sold_at = graphene.DateTime(required=True, description="When the till made the sale, with its offset.")
    device_receipt_number = graphene.String(required=True, description="The number the till printed.")
    catalogue_version = graphene.String(
        description="The catalogueVersion of the last catalogueChanges page the till applied before "
        "this sale: its prices are checked against the ones that version held (INVALID if not one). "
        "Without it, against today's catalogue."
    )
    cashier_id = graphene.ID(
        description="The user who rang the sale up (default: the syncing user); NOT_FOUND if unknown."
    )
    customer_id = graphene.ID()
    items = graphene.List(
        graphene.NonNull(SaleItemInput),
        required=True,
        description="Send unitPrice on every line: the price the till charged.",
    )
    payments = graphene.List(graphene.NonNull(PaymentInput), required=True)
    sale_type = SaleTypeEnum(description="RETAIL (default) or WHOLESALE.")
    location_id = graphene.ID(description="Default: the device's register's location, else the default one.")
    discount = Money()
    keep_change_as_credit = graphene.Boolean(default_value=False)
    note = graphene.String()


class SyncSalesInput(graphene.InputObjectType):
    device_id = graphene.ID(description="Optional: must be the device of the X-POS-Device header.")
    sales = graphene.List(graphene.NonNull(SyncSaleInput), required=True, description="At most 100.")


class SyncSaleResultType(graphene.ObjectType):
    client_id = graphene.UUID(required=True)
    device_sequence = graphene.Int(required=True)
    outcome = SyncOutcomeEnum(required=True)
    sale = graphene.Field(SaleType_, description="The recorded sale (null when REFUSED).")
    errors = graphene.List(
        graphene.NonNull(ErrorType), required=True, description="Why it was refused (field sales.N...)."
    )
    exceptions = graphene.List(graphene.NonNull(SyncExceptionType), required=True)


def _sync_request(data) -> services.SyncSaleRequest:
    common = {
        "client_id": data.client_id,
        "device_sequence": data.device_sequence,
        "sold_at": data.sold_at,
        "device_receipt_number": data.device_receipt_number or "",
        "catalogue_version": data.catalogue_version or "",
    }
    try:
        common["cashier_id"] = resolve_optional_id(data.cashier_id, "User", field="cashierId")
        sale = SaleRequest(
            items=sale_lines_from_input(data.items),
            payments=payments_from_input(data.payments),
            customer_id=resolve_optional_id(data.customer_id, "Customer", field="customerId"),
            location_id=resolve_optional_id(data.location_id, "Location", field="locationId"),
            sale_type=enum_value(data.sale_type) or SaleType.RETAIL,
            discount=data.discount or 0,
            keep_change_as_credit=bool(data.keep_change_as_credit),
            note=data.note or "",
        )
    except DomainError as exc:
        return services.SyncSaleRequest(sale=None, input_error=exc, **common)
    return services.SyncSaleRequest(sale=sale, **common)


class SyncSales(BaseMutation):
    """Hand over sales a till made offline (X-POS-Device header). Each sale is recorded once, in
    deviceSequence order, in its own transaction; the answer lists each outcome and the device's
    highWaterMark and gaps. Batch refusals: BATCH_TOO_LARGE, DEVICE_MISMATCH (payload); device codes
    DEVICE_REQUIRED / DEVICE_UNKNOWN / DEVICE_REVOKED (top-level). Per-sale refusals: CLIENT_ID_REUSED,
    SEQUENCE_REUSED, NOT_FOUND, CUSTOMER_ARCHIVED, INVALID, REQUIRED, OUT_OF_RANGE, BALANCE_MISMATCH,
    PAYMENT_SHORT, NO_OPEN_SHIFT, BUSY_TRY_AGAIN ... An archived product, a blocked customer's
    account, a closed shift, a price the till's catalogueVersion never held: recorded and flagged
    (exceptions), not refused (docs/OFFLINE.md)."""

    results = graphene.List(
        graphene.NonNull(SyncSaleResultType),
        description="One per input sale, in input order (null if refused).",
    )
    high_water_mark = graphene.Int(
        description="Highest deviceSequence n such that 1..n are all held by the server."
    )
    highest_sequence = graphene.Int(description="Highest deviceSequence held.")
    gaps = graphene.List(
        graphene.NonNull(graphene.Int),
        description="Missing deviceSequence numbers between highWaterMark and highestSequence (first 100).",
    )
    required_role = Role.CASHIER
    max_lengths = {
        "sales.note": "sales.Sale.note",
        "sales.payments.reference": "sales.Payment.reference",
        "sales.deviceReceiptNumber": 40,
        "sales.catalogueVersion": 64,
    }

    class Arguments:
        input = SyncSalesInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        try:
            device = services.device_from_request(info.context)
        except DomainError as exc:
            raise query_error(exc) from None
        if input.device_id and resolve_id(input.device_id, "Device", field="deviceId") != device.pk:
            raise DomainError(
                OfflineErrorCode.DEVICE_MISMATCH,
                "deviceId is not the device of the X-POS-Device header.",
                field="deviceId",
            )
        result = services.sync_sales(
            user=info.context.user, device=device, sales=[_sync_request(s) for s in input.sales]
        )
        synced = sum(o.outcome != services.SyncOutcomeCode.REFUSED for o in result.outcomes)
        return {
            "results": [
                SyncSaleResultType(
                    client_id=o.client_id,
                    device_sequence=o.device_sequence,
                    outcome=o.outcome,
                    sale=o.sale_sync.sale if o.sale_sync else None,
                    errors=error_types(o.errors),
                    exceptions=o.exceptions,
                )
                for o in result.outcomes
            ],
            "high_water_mark": result.high_water_mark,
            "highest_sequence": result.highest_sequence,
            "gaps": result.gaps,
            "message": f"{synced} of {len(result.outcomes)} sales held; high-water mark {result.high_water_mark}.",
        }


class ResolveSyncExceptionInput(graphene.InputObjectType):
    exception_id = graphene.ID(required=True)
    resolution = SyncResolutionEnum(required=True)
    note = graphene.String()


class ResolveSyncException(BaseMutation):
    """Settle a sync exception (managers). A STOCK_SHORTAGE written off posts the loss at cost
    (docs/OFFLINE.md). Errors: NOT_FOUND, SYNC_EXCEPTION_RESOLVED, RESOLUTION_NOT_ALLOWED, MAX_LENGTH."""

    exception = graphene.Field(SyncExceptionType)
    required_role = Role.MANAGER
    max_lengths = {"note": "offline.SyncException.note"}

    class Arguments:
        input = ResolveSyncExceptionInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        exception = services.resolve_sync_exception(
            user=info.context.user,
            exception_id=resolve_id(input.exception_id, "SyncException", field="exceptionId"),
            resolution=enum_value(input.resolution),
            note=input.note or "",
        )
        return {"exception": selectors.get_sync_exception(exception_id=exception.pk), "message": "Settled."}


class Query(graphene.ObjectType):
    sync_exceptions = CountableConnectionField(
        SyncExceptionType,
        status=SyncExceptionStatusEnum(),
        kind=SyncExceptionKindEnum(),
        description="Managers: exceptions raised by offline sales, newest first.",
    )

    @role_required(Role.MANAGER)
    def resolve_sync_exceptions(root, info, status=None, kind=None, **_page):
        return selectors.list_sync_exceptions(status=enum_value(status), kind=enum_value(kind))


class Mutation(graphene.ObjectType):
    sync_sales = SyncSales.Field()
    resolve_sync_exception = ResolveSyncException.Field()


__all__ = ["Mutation", "Query"]
