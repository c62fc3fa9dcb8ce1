"""Stocktakes counted while the shop keeps selling.

Each count stores the ledger position when it was posted: the quantity the system held for the
product (or batch) at that instant and the id of the product's last movement at the location. It is
read while the StockLevel row is locked, so no sale of that product is half-way: every sale either
committed before (its movement is in the snapshot) or waits and comes after. Finalizing posts
counted - quantity_at_count as a relative adjustment, so what was sold after the count is not a
discrepancy: the final stock is counted - sold since the count.

Lock order: the Stocktake row (document header), then StockLevel rows (finalize takes all of its
products' levels at once, in pk order like a sale), then Batch rows in product then batch order.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max

from products import selectors as product_selectors
from products.error_codes import ProductErrorCode as ProductCode
from products.models import Batch, Product, StockLevel, StockMovement
from products.services import adjust_stock
from purchasing.error_codes import PurchasingErrorCode as Code
from purchasing.models import Stocktake, StocktakeCount, StocktakeLine
from purchasing.services.common import MAX_LINES, lock_levels, require_manager
from purchasing.services.orders import location_or_default
from shared import clock
from shared.errors import DomainError, ErrorCode, check_length
from shared.money import parse_quantity, q

Scope = Stocktake.Scope
REFERENCE_TYPE = "stocktake"


def _lock_stocktake(stocktake_id: int) -> Stocktake:
    found = list(
        Stocktake.objects.select_for_update(of=("self",), no_key=True)
        .select_related("location")
        .filter(pk=stocktake_id)
    )
    if not found:
        raise DomainError(ErrorCode.NOT_FOUND, "Stocktake not found.", field="stocktakeId")
    stocktake = found[0]
    if stocktake.status != Stocktake.Status.OPEN:
        raise DomainError(Code.STOCKTAKE_CLOSED, "This stocktake has been finalized.", field="stocktakeId")
    return stocktake


@transaction.atomic
def start_stocktake(
    *,
    user,
    location_id: int | None = None,
    scope: str = Scope.ALL,
    category_id: int | None = None,
    product_ids: list[int] | None = None,
    note: str = "",
    count_mode: str = Stocktake.CountMode.LAST,
) -> Stocktake:
    """Open a stocktake at a location (the default one when not given) over all, a category or listed products.

    `count_mode`: LAST (a product's later count replaces the earlier one) or SUM (counts add up:
    several devices counting different shelves of one product).
    """
    require_manager(user, "start stocktakes")
    location = location_or_default(location_id)
    if scope not in Scope.values:
        raise DomainError(ErrorCode.INVALID, "Choose ALL, CATEGORY or PRODUCTS.", field="scope")
    if count_mode not in Stocktake.CountMode.values:
        raise DomainError(ErrorCode.INVALID, "Choose LAST or SUM.", field="countMode")
    category = None
    products: list[Product] = []
    if scope == Scope.CATEGORY:
        if category_id is None:
            raise DomainError(ErrorCode.REQUIRED, "Choose the category to count.", field="categoryId")
        category = product_selectors.get_category(category_id=category_id)
        if category is None:
            raise DomainError(ErrorCode.NOT_FOUND, "Category not found.", field="categoryId")
    if scope == Scope.PRODUCTS:
        ids = set(product_ids or [])
        if not ids:
            raise DomainError(ErrorCode.REQUIRED, "List the products to count.", field="productIds")
        if len(ids) > MAX_LINES * 5:
            raise DomainError(ErrorCode.INVALID, f"At most {MAX_LINES * 5} products.", field="productIds")
        found = product_selectors.get_products_by_ids(ids)
        if len(found) != len(ids):
            raise DomainError(ErrorCode.NOT_FOUND, "Product not found.", field="productIds")
        products = list(found.values())
    stocktake = Stocktake.objects.create(
        location=location,
        scope=scope,
        category=category,
        note=check_length((note or "").strip(), limit=2000, field="note"),
        started_by=user,
        count_mode=count_mode,
    )
    if products:
        stocktake.products.set(products)
    return stocktake


def _in_scope(stocktake: Stocktake, product: Product) -> bool:
    if stocktake.scope == Scope.CATEGORY:
        return product.category_id == stocktake.category_id
    if stocktake.scope == Scope.PRODUCTS:
        return stocktake.products.filter(pk=product.pk).exists()
    return True


def _find_product(product_id: int | None, code: str | None) -> Product:
    if (product_id is None) == (not code):
        raise DomainError(ErrorCode.INVALID, "Give either a product or a scanned code.", field="productId")
    if product_id is not None:
        product = product_selectors.get_products_by_ids({product_id}).get(product_id)
        if product is None:
            raise DomainError(ErrorCode.NOT_FOUND, "Product not found.", field="productId")
        return product
    product = product_selectors.get_product_by_code(code=code)
    if product is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No product has that code.", field="code")
    return product


@transaction.atomic
def record_count(
    *,
    user,
    stocktake_id: int,
    product_id: int | None = None,
    code: str | None = None,
    batch_id: int | None = None,
    counted,
) -> StocktakeCount:
    """Post a count (any staff): it replaces or adds to the earlier counts of the product and batch.

    Which one is the stocktake's `count_mode` (LAST or SUM); either way every count is kept.

    Locks: the stocktake (so a count never lands in a stocktake being finalized), then the product's
    StockLevel at the location, to read the ledger position no sale is in the middle of changing.
    """
    quantity = parse_quantity(counted, field="counted", allow_zero=True)
    stocktake = _lock_stocktake(stocktake_id)
    product = _find_product(product_id, code)
    if not _in_scope(stocktake, product):
        raise DomainError(
            Code.NOT_IN_STOCKTAKE_SCOPE, f"{product.name} is not part of this stocktake.", field="productId"
        )
    batch = None
    if product.track_batches:
        if batch_id is None:
            raise DomainError(ErrorCode.REQUIRED, f"{product.name} is counted per batch.", field="batchId")
        batch = Batch.objects.filter(pk=batch_id, product=product, location=stocktake.location).first()
        if batch is None:
            raise DomainError(
                ErrorCode.NOT_FOUND, "That batch is not stock of this product here.", field="batchId"
            )
    elif batch_id is not None:
        raise DomainError(ErrorCode.INVALID, f"{product.name} does not track batches.", field="batchId")

    levels = list(
        StockLevel.objects.select_for_update(of=("self",), no_key=True).filter(
            product=product, location=stocktake.location
        )
    )
    at_count = levels[0].quantity if levels else Decimal("0.000")
    if batch is not None:
        at_count = Batch.objects.values_list("quantity", flat=True).get(pk=batch.pk)
    last_movement_id = StockMovement.objects.filter(product=product, location=stocktake.location).aggregate(
        last=Max("pk")
    )["last"]
    return StocktakeCount.objects.create(
        stocktake=stocktake,
        product=product,
        batch=batch,
        counted=quantity,
        quantity_at_count=at_count,
        last_movement_id=last_movement_id,
        counted_by=user,
    )


@dataclass(frozen=True)
class _Difference:
    product: Product
    batch: Batch | None
    counted: Decimal | None
    at_count: Decimal
    difference: Decimal | None  # None: zero whatever is there at finalize time


def _counted(stocktake: Stocktake) -> list[_Difference]:
    """What was counted of each product (and batch), in product then batch order.

    LAST: the latest count, against its own ledger position. SUM: the counts added up, against
    the ledger position of the latest of them, when the product's shelves have all been counted;
    what sold after that is not a discrepancy. A sale from a shelf counted earlier, made before the
    last shelf was counted, cannot be told apart from one made before its own count, so it shows
    as a difference: count one product's shelves close together.
    """
    found: dict[tuple[int, int | None], _Difference] = {}
    for count in stocktake.counts.select_related("product", "batch").order_by("pk"):
        key = (count.product_id, count.batch_id)
        earlier = found.get(key)
        counted = count.counted
        if earlier is not None and stocktake.count_mode == Stocktake.CountMode.SUM:
            counted += earlier.counted
        found[key] = _Difference(
            count.product, count.batch, counted, count.quantity_at_count, counted - count.quantity_at_count
        )
    return [found[key] for key in sorted(found, key=lambda k: (k[0], k[1] or 0))]


def _uncounted(stocktake: Stocktake, counted_keys: set[tuple[int, int | None]]) -> list[_Difference]:
    """Stock in scope that nobody counted: plain levels and batches above zero at the location."""
    products = Product.objects.all()
    if stocktake.scope == Scope.CATEGORY:
        products = products.filter(category_id=stocktake.category_id)
    elif stocktake.scope == Scope.PRODUCTS:
        products = products.filter(pk__in=stocktake.products.values("pk"))
    found = []
    levels = StockLevel.objects.filter(
        location=stocktake.location, quantity__gt=0, product__in=products, product__track_batches=False
    ).select_related("product")
    for level in levels:
        if (level.product_id, None) not in counted_keys:
            found.append(_Difference(level.product, None, None, level.quantity, None))
    batches = Batch.objects.filter(
        location=stocktake.location, quantity__gt=0, product__in=products, product__track_batches=True
    ).select_related("product")
    for batch in batches:
        if (batch.product_id, batch.pk) not in counted_keys:
            found.append(_Difference(batch.product, batch, None, batch.quantity, None))
    return found


@transaction.atomic
def finalize_stocktake(*, user, stocktake_id: int, uncounted: str) -> Stocktake:
    """Post one adjustment movement per difference (managers) and close the stocktake.

    `uncounted` is an explicit choice: "leave" keeps stock nobody counted as it is, "zero" sets it
    to zero. A counted line moves the stock by counted - quantity_at_count, relative to the level now
    (counted and position as `_counted` reads them for the stocktake's count mode).
    Locks: the stocktake, then products.adjust_stock locks each StockLevel (then Batch), in product
    then batch order. Variances are valued at the movement's cost (batch cost or moving average).
    """
    require_manager(user, "finalize stocktakes")
    if uncounted not in Stocktake.Uncounted.values:
        raise DomainError(ErrorCode.INVALID, "Choose LEAVE or ZERO for uncounted stock.", field="uncounted")
    stocktake = _lock_stocktake(stocktake_id)
    work = _counted(stocktake)
    if not work:
        raise DomainError(Code.NOTHING_COUNTED, "Nothing has been counted yet.", field="stocktakeId")
    if uncounted == Stocktake.Uncounted.ZERO:
        work += _uncounted(stocktake, {(d.product.pk, d.batch.pk if d.batch else None) for d in work})
    work.sort(key=lambda d: (d.product.pk, d.batch.pk if d.batch else 0))
    lock_levels(location_id=stocktake.location_id, product_ids=[d.product.pk for d in work])

    lines = []
    for item in work:
        movement = None
        if item.difference is None:
            movement = _zero(user, stocktake, item)
        elif item.difference != 0:
            movement = adjust_stock(
                user=user,
                product=item.product,
                location=stocktake.location,
                reason=f"Stocktake {stocktake.label}",
                delta=item.difference,
                batch=item.batch,
                reference=stocktake.label,
                reference_type=REFERENCE_TYPE,
                reference_id=stocktake.pk,
            )
        difference = movement.quantity if movement is not None else Decimal("0.000")
        unit_cost = movement.unit_cost if movement is not None else _cost_of(item)
        lines.append(
            StocktakeLine(
                stocktake=stocktake,
                product=item.product,
                batch=item.batch,
                counted=item.counted,
                quantity_at_count=item.at_count,
                difference=difference,
                unit_cost=unit_cost,
                variance_amount=q(difference * unit_cost),
                movement=movement,
            )
        )
    StocktakeLine.objects.bulk_create(lines)
    stocktake.status = Stocktake.Status.FINALIZED
    stocktake.finalized_by = user
    stocktake.finalized_at = clock.now()
    stocktake.uncounted = uncounted
    stocktake.save(update_fields=["status", "finalized_by", "finalized_at", "uncounted", "updated_at"])
    return stocktake


def _zero(user, stocktake: Stocktake, item: _Difference) -> StockMovement | None:
    """Set uncounted stock to zero, from what is there now (some may have sold since the start)."""
    try:
        return adjust_stock(
            user=user,
            product=item.product,
            location=stocktake.location,
            reason=f"Stocktake {stocktake.label}: not counted",
            counted_quantity=Decimal("0"),
            batch=item.batch,
            reference=stocktake.label,
            reference_type=REFERENCE_TYPE,
            reference_id=stocktake.pk,
        )
    except DomainError as exc:
        # Sold out since it was listed: nothing to zero. adjust_stock refused before writing.
        if exc.code != ProductCode.NOTHING_TO_ADJUST:
            raise
        return None


def _cost_of(item: _Difference) -> Decimal:
    return item.batch.unit_cost if item.batch is not None else item.product.cost_price
