"""Settle the exceptions offline sales raised (resolveSyncException; accounting in docs/OFFLINE.md)."""

from __future__ import annotations

from django.db import transaction

from offline.error_codes import OfflineErrorCode
from offline.models import SyncException
from products import services as stock_services
from shared import clock
from shared.errors import DomainError, ErrorCode, check_length, not_found
from shared.roles import Role, has_role

Kind = SyncException.Kind
Resolution = SyncException.Resolution
ALLOWED = {
    Kind.STOCK_SHORTAGE: {Resolution.WRITE_OFF, Resolution.RECEIPT, Resolution.COUNT},
    Kind.CREDIT_LIMIT: {Resolution.ACCEPTED},
    Kind.PRICE_MISMATCH: {Resolution.ACCEPTED},
    Kind.CLOCK_SKEW: {Resolution.ACCEPTED},
    Kind.SHIFT_CLOSED: {Resolution.ACCEPTED},
    Kind.PRODUCT_ARCHIVED: {Resolution.ACCEPTED},
    Kind.CUSTOMER_BLOCKED: {Resolution.ACCEPTED},
}


@transaction.atomic
def resolve_sync_exception(*, user, exception_id: int, resolution: str, note: str = "") -> SyncException:
    """Settle one open exception (managers), with the ledger effect its resolution stands for.

    Locks the exception row first (a document header), so two managers settle it once. A stock
    shortage written off records the loss at the discrepancy's cost with a `write_off` movement
    that does not change the stock level (the goods were already drawn by the sale); RECEIPT and
    COUNT say the shortage movement already stands for goods that were there, so nothing is posted.
    """
    if not has_role(user, Role.MANAGER):
        raise DomainError(ErrorCode.PERMISSION_DENIED, "Only managers can settle sync exceptions.")
    note = check_length((note or "").strip(), limit=500, field="note")
    exception = (
        SyncException.objects.select_for_update(of=("self",), no_key=True)
        .select_related("discrepancy__location", "sale_sync__sale")
        .filter(pk=exception_id)
        .first()
    )
    if exception is None:
        raise not_found("Sync exception", "exceptionId")
    if exception.status == SyncException.Status.RESOLVED:
        raise DomainError(
            OfflineErrorCode.SYNC_EXCEPTION_RESOLVED,
            "This exception is already settled.",
            field="exceptionId",
        )
    allowed = ALLOWED[Kind(exception.kind)]
    if resolution not in allowed:
        names = ", ".join(sorted(allowed))
        raise DomainError(
            OfflineErrorCode.RESOLUTION_NOT_ALLOWED,
            f"A {Kind(exception.kind).label.lower()} is settled with {names}.",
            field="resolution",
        )
    if resolution == Resolution.WRITE_OFF:
        discrepancy = exception.discrepancy
        sale = exception.sale_sync.sale
        stock_services.write_off_stock(
            user=user,
            location=discrepancy.location,
            product_id=discrepancy.product_id,
            quantity=discrepancy.quantity,
            batch_id=None,
            unit_cost=discrepancy.unit_cost,
            reason=note or "Offline sale shortage written off",
            reference_type="stock_discrepancy",
            reference_id=discrepancy.pk,
            reference=sale.transaction_id if sale else "",
        )
    exception.status = SyncException.Status.RESOLVED
    exception.resolution = resolution
    exception.note = note
    exception.resolved_by = user
    exception.resolved_at = clock.now()
    exception.save(update_fields=["status", "resolution", "note", "resolved_by", "resolved_at"])
    return exception
