"""The exceptions an offline sale raises (offline.services.sync): what a live sale would be refused
for, recorded with the figures a manager needs to settle it."""

from __future__ import annotations

from offline.models import SaleSync, StockDiscrepancy, SyncException
from products.services import ShortageCover
from shared.money import format_money, format_quantity, q
from tills.services import OfflinePosting


def flag_exceptions(
    *, sync: SaleSync, sale, covers: list[ShortageCover], skewed: bool, posting: OfflinePosting
) -> list[SyncException]:
    """The exceptions of one synced sale (unsaved; the shortages' discrepancies are written here,
    their sync row already is); each carries what a manager needs."""
    exceptions: list[SyncException] = []
    location = sale.location
    items = {item.product_id: item for item in sale.items.all()}
    for cover in covers:
        product = items[cover.product_id].product
        value = q(cover.quantity * cover.unit_cost)
        discrepancy = StockDiscrepancy.objects.create(
            sale_sync=sync,
            product_id=cover.product_id,
            location=location,
            quantity=cover.quantity,
            unit_cost=cover.unit_cost,
            value=value,
            movement=cover.movement,
        )
        exceptions.append(
            SyncException(
                sale_sync=sync,
                kind=SyncException.Kind.STOCK_SHORTAGE,
                discrepancy=discrepancy,
                message=f"{format_quantity(cover.quantity)} of {product.name} sold beyond the stock on "
                f"record at {location.name} (cost {format_money(value)}).",
                details={
                    "product_id": cover.product_id,
                    "quantity": str(cover.quantity),
                    "unit_cost": str(cover.unit_cost),
                    "value": str(value),
                },
            )
        )
    customer = sale.customer
    if customer is not None and sale.amount_on_account > 0 and customer.balance > customer.credit_limit:
        over = customer.balance - customer.credit_limit
        exceptions.append(
            SyncException(
                sale_sync=sync,
                kind=SyncException.Kind.CREDIT_LIMIT,
                message=f"{customer.name} is {format_money(over)} over the credit limit of "
                f"{format_money(customer.credit_limit)} after this sale.",
                details={
                    "customer_id": customer.pk,
                    "credit_limit": str(customer.credit_limit),
                    "balance_after": str(customer.balance),
                    "over_by": str(over),
                },
            )
        )
    mismatched = [item for item in sale.items.all() if item.is_price_override]
    if mismatched:
        exceptions.append(
            SyncException(
                sale_sync=sync,
                kind=SyncException.Kind.PRICE_MISMATCH,
                message=f"{len(mismatched)} line(s) priced differently from "
                + (
                    f"the till's catalogue (version {sync.catalogue_version})."
                    if sync.catalogue_version
                    else "the current catalogue (no catalogueVersion sent)."
                ),
                details={
                    "catalogue_version": sync.catalogue_version,
                    "lines": [
                        {
                            "line": item.line_number,
                            "product_id": item.product_id,
                            "unit_price": str(item.unit_price),
                            "catalogue_unit_price": str(item.catalogue_unit_price),
                        }
                        for item in mismatched
                    ],
                },
            )
        )
    if skewed:
        exceptions.append(
            SyncException(
                sale_sync=sync,
                kind=SyncException.Kind.CLOCK_SKEW,
                message="The till's sale time was out of bounds; the sale is dated when it was received.",
                details={"sold_at": sync.sold_at.isoformat(), "received_at": sync.received_at.isoformat()},
            )
        )
    if posting.closed_shift is not None:
        exceptions.append(_shift_closed(sync=sync, sale=sale, posting=posting))
    archived = [item for item in sale.items.all() if not item.product.is_active]
    if archived:
        exceptions.append(
            SyncException(
                sale_sync=sync,
                kind=SyncException.Kind.PRODUCT_ARCHIVED,
                message=(
                    f"{len(archived)} line(s) sold an archived product: "
                    + ", ".join(sorted({item.product.name for item in archived}))
                )[:299]
                + ".",
                details={
                    "lines": [
                        {
                            "line": item.line_number,
                            "product_id": item.product_id,
                            "quantity": str(item.quantity),
                        }
                        for item in archived
                    ]
                },
            )
        )
    used_account = sale.amount_on_account > 0 or sale.credit_applied > 0 or sale.credit_created > 0
    if customer is not None and customer.status == customer.Status.BLOCKED and used_account:
        exceptions.append(
            SyncException(
                sale_sync=sync,
                kind=SyncException.Kind.CUSTOMER_BLOCKED,
                message=(
                    f"{customer.name} is blocked, yet this sale used their account "
                    f"({format_money(sale.amount_on_account)} charged, "
                    f"{format_money(sale.credit_applied)} store credit spent, "
                    f"{format_money(sale.credit_created)} kept as credit)."
                )[-300:],
                details={
                    "customer_id": customer.pk,
                    "amount_on_account": str(sale.amount_on_account),
                    "credit_applied": str(sale.credit_applied),
                    "credit_created": str(sale.credit_created),
                    "balance_after": str(customer.balance),
                },
            )
        )
    return exceptions


def _shift_closed(*, sync: SaleSync, sale, posting: OfflinePosting) -> SyncException:
    closed, posted = posting.closed_shift, posting.shift
    where = f"shift {posted.pk}" if posted is not None else "no shift"
    return SyncException(
        sale_sync=sync,
        kind=SyncException.Kind.SHIFT_CLOSED,
        message=f"Sold during shift {closed.pk} (Z {closed.z_number}), closed before the sale arrived; "
        f"posted to {where}. That Z stands as printed.",
        details={
            "closed_shift_id": closed.pk,
            "closed_z_number": closed.z_number,
            "register_id": closed.register_id,
            "posted_shift_id": posted.pk if posted is not None else None,
            "total": str(sale.total),
            "amount_paid": str(sale.amount_paid),
            "change": str(sale.change),
        },
    )
