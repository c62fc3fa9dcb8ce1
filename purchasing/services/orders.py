"""Purchase orders: drafted, edited while DRAFT, ordered (numbered), cancelled before any receipt.

Lock order: the PurchaseOrder row first (document header), then the year's number row last.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from products import selectors as product_selectors
from products.models import Location, Supplier
from products.services import parse_cost
from purchasing.error_codes import PurchasingErrorCode as Code
from purchasing.models import PurchaseOrder, PurchaseOrderLine
from purchasing.services.common import check_line_count, require_manager
from purchasing.services.numbering import next_po_number
from shared import clock
from shared.dates import check_date
from shared.errors import DomainError, ErrorCode, ErrorDetail, check_length
from shared.money import parse_quantity

Status = PurchaseOrder.Status


@dataclass(frozen=True)
class OrderLineRequest:
    product_id: int
    quantity: Decimal
    unit_cost: Decimal


def lock_order(purchase_order_id: int) -> PurchaseOrder:
    """The purchase order row, locked for the rest of the transaction."""
    found = list(
        PurchaseOrder.objects.select_for_update(of=("self",), no_key=True)
        .select_related("supplier", "location")
        .filter(pk=purchase_order_id)
    )
    if not found:
        raise DomainError(ErrorCode.NOT_FOUND, "Purchase order not found.", field="purchaseOrderId")
    return found[0]


def _supplier(supplier_id: int) -> Supplier:
    supplier = product_selectors.get_supplier(supplier_id=supplier_id)
    if supplier is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Supplier not found.", field="supplierId")
    if not supplier.is_active:
        raise DomainError(
            Code.SUPPLIER_INACTIVE, f"{supplier.name} is not an active supplier.", field="supplierId"
        )
    return supplier


def location_or_default(location_id: int | None) -> Location:
    """The location named, active, or the default one when None."""
    if location_id is None:
        return product_selectors.get_default_location()
    location = product_selectors.get_location(location_id=location_id)
    if location is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Location not found.", field="locationId")
    if not location.is_active:
        raise DomainError(
            ErrorCode.INVALID, f"{location.name} is not an active location.", field="locationId"
        )
    return location


def _build_lines(purchase_order: PurchaseOrder, lines: list[OrderLineRequest]) -> list[PurchaseOrderLine]:
    check_line_count(lines, "lines")
    products = product_selectors.get_products_by_ids({line.product_id for line in lines})
    built, errors, seen = [], [], set()
    for i, line in enumerate(lines):
        product = products.get(line.product_id)
        if product is None:
            errors.append(ErrorDetail(ErrorCode.NOT_FOUND, "Product not found.", f"lines.{i}.productId"))
            continue
        if not product.is_active:
            errors.append(
                ErrorDetail(ErrorCode.INVALID, f"{product.name} is archived.", f"lines.{i}.productId")
            )
            continue
        if product.pk in seen:
            errors.append(
                ErrorDetail(
                    ErrorCode.INVALID, f"{product.name} is on the order twice.", f"lines.{i}.productId"
                )
            )
            continue
        seen.add(product.pk)
        built.append(
            PurchaseOrderLine(
                purchase_order=purchase_order,
                product=product,
                quantity=parse_quantity(line.quantity, field=f"lines.{i}.quantity"),
                unit_cost=parse_cost(line.unit_cost, field=f"lines.{i}.unitCost"),
            )
        )
    if errors:
        raise DomainError.many(errors)
    return built


@transaction.atomic
def create_purchase_order(
    *,
    user,
    supplier_id: int,
    location_id: int | None = None,
    lines: list[OrderLineRequest],
    expected_on: date | None = None,
    note: str = "",
) -> PurchaseOrder:
    """Draft a purchase order (managers); it gets its number when it is ordered."""
    require_manager(user, "draft purchase orders")
    check_date(expected_on, field="expectedOn")
    purchase_order = PurchaseOrder(
        supplier=_supplier(supplier_id),
        location=location_or_default(location_id),
        expected_on=expected_on,
        note=check_length((note or "").strip(), limit=2000, field="note"),
        created_by=user,
    )
    built = _build_lines(purchase_order, lines)
    purchase_order.full_clean()
    purchase_order.save()
    PurchaseOrderLine.objects.bulk_create(built)
    return purchase_order


@transaction.atomic
def update_purchase_order_lines(
    *, user, purchase_order_id: int, lines: list[OrderLineRequest]
) -> PurchaseOrder:
    """Replace the lines of a DRAFT order (PO_NOT_EDITABLE once ordered or cancelled)."""
    require_manager(user, "edit purchase orders")
    purchase_order = lock_order(purchase_order_id)
    if purchase_order.status != Status.DRAFT:
        raise DomainError(
            Code.PO_NOT_EDITABLE, "Only a draft purchase order can be changed.", field="purchaseOrderId"
        )
    built = _build_lines(purchase_order, lines)
    purchase_order.lines.all().delete()
    PurchaseOrderLine.objects.bulk_create(built)
    purchase_order.save(update_fields=["updated_at"])
    return purchase_order


@transaction.atomic
def order_purchase_order(*, user, purchase_order_id: int) -> PurchaseOrder:
    """Place a draft order with the supplier: DRAFT -> ORDERED, numbered gaplessly for the year.

    Locks: the order, then the year's number row (last, held for two statements).
    """
    require_manager(user, "order from suppliers")
    purchase_order = lock_order(purchase_order_id)
    if purchase_order.status != Status.DRAFT:
        raise DomainError(
            Code.PO_NOT_EDITABLE, "This purchase order has already been ordered.", field="purchaseOrderId"
        )
    _supplier(purchase_order.supplier_id)
    purchase_order.status = Status.ORDERED
    purchase_order.ordered_by = user
    purchase_order.ordered_at = clock.now()
    purchase_order.number = next_po_number()
    purchase_order.save(update_fields=["status", "ordered_by", "ordered_at", "number", "updated_at"])
    return purchase_order


@transaction.atomic
def cancel_purchase_order(*, user, purchase_order_id: int) -> PurchaseOrder:
    """Cancel an order nothing has been received on (a draft or an ORDERED one)."""
    require_manager(user, "cancel purchase orders")
    purchase_order = lock_order(purchase_order_id)
    if purchase_order.status not in (Status.DRAFT, Status.ORDERED):
        raise DomainError(
            Code.PO_NOT_CANCELLABLE,
            "A purchase order can only be cancelled before anything is received on it.",
            field="purchaseOrderId",
        )
    purchase_order.status = Status.CANCELLED
    purchase_order.cancelled_at = clock.now()
    purchase_order.save(update_fields=["status", "cancelled_at", "updated_at"])
    return purchase_order
