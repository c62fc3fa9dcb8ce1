"""Goods sent back to a supplier: stock leaves (expired or damaged batches included), credit is expected.

Lock order: every StockLevel of the lines at once (pk order, as a sale takes them), then
products.adjust_stock locks each Batch, lines applied in product then batch order.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from products import selectors as product_selectors
from products.error_codes import ProductErrorCode as ProductCode
from products.models import Batch
from products.services import adjust_stock
from purchasing.models import SupplierReturn, SupplierReturnLine
from purchasing.services.common import check_line_count, lock_levels, require_manager
from purchasing.services.orders import location_or_default
from shared.errors import DomainError, ErrorCode, ErrorDetail, check_length
from shared.money import parse_quantity, q

REFERENCE_TYPE = "supplier_return"


@dataclass(frozen=True)
class SupplierReturnLineRequest:
    product_id: int
    quantity: Decimal
    reason: str
    batch_id: int | None = None


@transaction.atomic
def return_to_supplier(
    *,
    user,
    supplier_id: int,
    lines: list[SupplierReturnLineRequest],
    location_id: int | None = None,
    note: str = "",
) -> SupplierReturn:
    """Send goods back to a supplier (managers): one movement out per line, credit expected at cost.

    A batch-tracked line names its batch, which may be expired (that is what returns are for); the
    movement is an `adjustment` with reference_type "supplier_return", valued at the batch cost or
    the moving average, and the line's credit is q(quantity x that cost).
    """
    require_manager(user, "return goods to suppliers")
    check_line_count(lines, "lines")
    supplier = product_selectors.get_supplier(supplier_id=supplier_id)
    if supplier is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Supplier not found.", field="supplierId")
    location = location_or_default(location_id)
    products = product_selectors.get_products_by_ids({line.product_id for line in lines})
    batches = Batch.objects.in_bulk([line.batch_id for line in lines if line.batch_id is not None])
    checked, errors = [], []
    for i, line in enumerate(lines):
        product = products.get(line.product_id)
        quantity = parse_quantity(line.quantity, field=f"lines.{i}.quantity")
        reason = check_length((line.reason or "").strip(), limit=200, field=f"lines.{i}.reason")
        batch = batches.get(line.batch_id) if line.batch_id is not None else None
        if product is None:
            errors.append(ErrorDetail(ErrorCode.NOT_FOUND, "Product not found.", f"lines.{i}.productId"))
        elif not reason:
            errors.append(ErrorDetail(ErrorCode.REQUIRED, "Say why the goods go back.", f"lines.{i}.reason"))
        elif product.track_batches and batch is None:
            errors.append(
                ErrorDetail(
                    ProductCode.BATCH_REQUIRED, f"Name the batch of {product.name}.", f"lines.{i}.batchId"
                )
            )
        elif batch is not None and (batch.product_id != product.pk or batch.location_id != location.pk):
            errors.append(
                ErrorDetail(
                    ErrorCode.INVALID, "That batch is not stock of this product here.", f"lines.{i}.batchId"
                )
            )
        else:
            checked.append((i, product, batch, quantity, reason))
    if errors:
        raise DomainError.many(errors)

    supplier_return = SupplierReturn.objects.create(
        supplier=supplier,
        location=location,
        note=check_length((note or "").strip(), limit=2000, field="note"),
        created_by=user,
        credit_expected_amount=Decimal("0.00"),
    )
    lock_levels(location_id=location.pk, product_ids=[product.pk for _i, product, *_rest in checked])
    written = []
    for i, product, batch, quantity, reason in sorted(
        checked, key=lambda c: (c[1].pk, c[2].pk if c[2] else 0)
    ):
        try:
            movement = adjust_stock(
                user=user,
                product=product,
                location=location,
                reason=f"Returned to {supplier.name}: {reason}",
                delta=-quantity,
                batch=batch,
                reference=supplier_return.label,
                reference_type=REFERENCE_TYPE,
                reference_id=supplier_return.pk,
            )
        except DomainError as exc:
            if exc.code != ProductCode.INSUFFICIENT_STOCK:
                raise
            raise DomainError(exc.code, exc.message, field=f"lines.{i}.quantity", params=exc.params) from None
        written.append(
            (
                i,
                SupplierReturnLine(
                    supplier_return=supplier_return,
                    product=product,
                    batch=batch,
                    quantity=quantity,
                    reason=reason,
                    unit_cost=movement.unit_cost,
                    credit_amount=q(quantity * movement.unit_cost),
                    movement=movement,
                ),
            )
        )
    SupplierReturnLine.objects.bulk_create([line for _i, line in sorted(written, key=lambda w: w[0])])
    supplier_return.credit_expected_amount = sum(
        (line.credit_amount for _i, line in written), Decimal("0.00")
    )
    supplier_return.save(update_fields=["credit_expected_amount", "updated_at"])
    return supplier_return
