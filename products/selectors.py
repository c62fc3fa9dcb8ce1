"""Reads of the catalogue and stock; every query shape the API needs is decided here."""

from __future__ import annotations

import copy
from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import (
    DecimalField,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from products.models import (
    QR_PREFIX,
    Batch,
    Category,
    Location,
    Product,
    ProductCode,
    StockLevel,
    StockMovement,
    Supplier,
    normalise_code,
)
from shared import generations
from shared.prepared import PreparedQuery

ZERO_QTY = Value(Decimal("0.000"), output_field=DecimalField(max_digits=12, decimal_places=3))

PRODUCT_ORDERINGS = {
    "name": ("name", "pk"),
    "-name": ("-name", "-pk"),
    "sku": ("sku",),
    "-sku": ("-sku",),
    "retail_price": ("retail_price", "pk"),
    "-retail_price": ("-retail_price", "-pk"),
    "stock": ("total_stock", "pk"),
    "-stock": ("-total_stock", "-pk"),
    "created": ("created_at", "pk"),
    "-created": ("-created_at", "-pk"),
}


def today() -> date:
    """Today in the shop's TIME_ZONE (the day an expiry date is compared with)."""
    return timezone.localdate()


def _with_stock(products: QuerySet[Product], location_id: int | None = None) -> QuerySet[Product]:
    levels = StockLevel.objects.filter(product=OuterRef("pk"))
    if location_id is not None:
        levels = levels.filter(location_id=location_id)
    total = levels.values("product").annotate(total=Sum("quantity")).values("total")
    return products.annotate(total_stock=Coalesce(Subquery(total), ZERO_QTY))


def stock_levels_query() -> QuerySet[StockLevel]:
    """A product's stock per location, as the Product type shows it."""
    return StockLevel.objects.select_related("location").order_by("pk")


def live_batches_query() -> QuerySet[Batch]:
    """A product's batches with stock left, first expiry first, as the Product type shows them."""
    return (
        Batch.objects.filter(quantity__gt=0)
        .select_related("location")
        .order_by(F("expiry_date").asc(nulls_last=True), "pk")
    )


PRODUCT_RELATIONS = frozenset({"stock_levels", "batches"})
PRODUCT_JOINS = ("category__parent", "supplier")
_PREFETCHES = {"stock_levels": stock_levels_query, "batches": live_batches_query}


def _product_shape(
    products: QuerySet[Product], preload=PRODUCT_RELATIONS, joins=PRODUCT_JOINS
) -> QuerySet[Product]:
    """Everything `Product` exposes, in a fixed number of queries whatever the page size.

    `preload` names the per-row relations to fetch (one query each) and `joins` the related rows to
    join into the products' query; a search box that shows name, price and stock needs neither:
    `stock_on_hand` (all locations) comes with the products' query.
    """
    products = _with_stock_on_hand(products.select_related(*joins) if joins else products)
    return products.prefetch_related(
        *(Prefetch(name, queryset=_PREFETCHES[name]()) for name in sorted(preload))
    )


def for_display(products: QuerySet[Product], joins=PRODUCT_JOINS) -> QuerySet[Product]:
    """Products without per-row preloads: one query; stock levels and batches load only if asked.

    For a single product (a scan, a detail page) prefetching saves nothing, and for other apps'
    lists (reports) the joined category and supplier and `stock_on_hand` (all locations, answering
    `stockQuantity`) are what a row shows.
    """
    return _product_shape(products, preload=(), joins=joins)


def _with_stock_on_hand(products: QuerySet[Product]) -> QuerySet[Product]:
    levels = StockLevel.objects.filter(product=OuterRef("pk")).values("product")
    on_hand = Subquery(levels.annotate(total=Sum("quantity")).values("total"))
    return products.annotate(stock_on_hand=Coalesce(on_hand, ZERO_QTY))


def list_products(
    *,
    search: str | None = None,
    category_id: int | None = None,
    supplier_id: int | None = None,
    location_id: int | None = None,
    low_stock: bool | None = None,
    is_active: bool | None = True,
    order_by: str | None = None,
    preload=PRODUCT_RELATIONS,
    joins=PRODUCT_JOINS,
) -> QuerySet[Product]:
    """Products matching the filters (name/SKU/barcode search), with stock, category and batches.

    `preload` and `joins`: what to load along (see `_product_shape`).
    """
    products = _with_stock(Product.objects.all(), location_id)
    if search:
        term = search.strip()
        products = products.filter(Q(name__icontains=term) | Q(sku__iexact=term) | Q(barcode=term))
    if category_id is not None:
        child_ids = Category.objects.filter(Q(pk=category_id) | Q(parent_id=category_id)).values("pk")
        products = products.filter(category_id__in=child_ids)
    if supplier_id is not None:
        products = products.filter(supplier_id=supplier_id)
    if location_id is not None:
        products = products.filter(stock_levels__location_id=location_id)
    if low_stock is not None:
        condition = Q(total_stock__lte=F("reorder_level"))
        products = products.filter(condition) if low_stock else products.exclude(condition)
    if is_active is not None:
        products = products.filter(is_active=is_active)
    ordering = PRODUCT_ORDERINGS.get(order_by or "name", PRODUCT_ORDERINGS["name"])
    return _product_shape(products.order_by(*ordering), preload, joins)


def list_low_stock_products(
    *, location_id: int | None = None, preload=PRODUCT_RELATIONS, joins=PRODUCT_JOINS
) -> QuerySet[Product]:
    """Active products whose stock (total, or at one location) is at or below their reorder level."""
    products = _with_stock(Product.objects.filter(is_active=True), location_id).filter(
        total_stock__lte=F("reorder_level")
    )
    return _product_shape(products.order_by("total_stock", "name", "pk"), preload, joins)


def get_product(*, product_id: int, joins=PRODUCT_JOINS) -> Product | None:
    """One product with everything its type exposes, or None (`joins`: see `_product_shape`)."""
    return for_display(Product.objects.filter(pk=product_id), joins).first()


def get_product_by_code(*, code: str, joins=PRODUCT_JOINS) -> Product | None:
    """The active product a scanned code names: exact barcode, else SKU (any case), else QR payload.

    One query. ProductCode (every SKU and barcode, upper-cased, unique) answers the case-insensitive
    look-ups; the exact barcode and SKU columns are asked as well so a product whose codes were
    written around the services (a bulk load) is still found. Codes are unique across SKUs and
    barcodes (see services.catalogue), so at most one product matches each rule; the order only
    matters for data written before that rule.
    """
    code = (code or "").strip()
    if not code:
        return None
    wanted = {normalise_code(code)}
    qr_sku = code[len(QR_PREFIX) :].strip() if code.upper().startswith(QR_PREFIX) else None
    if qr_sku:
        wanted.add(normalise_code(qr_sku))
    by_code = ProductCode.objects.filter(code__in=wanted).values("product_id")
    condition = Q(barcode=code) | Q(sku=code) | Q(pk__in=by_code)
    if qr_sku:
        condition |= Q(sku=qr_sku)
    matches = for_display(Product.objects.filter(condition, is_active=True), joins)

    def rank(product: Product) -> int:
        if product.barcode == code:
            return 0
        if normalise_code(product.sku) == normalise_code(code):
            return 1
        if qr_sku and normalise_code(product.sku) == normalise_code(qr_sku):
            return 2
        return 3  # a barcode in another letter case: not a scan of this product

    ranked = sorted((rank(p), p.pk, p) for p in matches)
    return ranked[0][2] if ranked and ranked[0][0] < 3 else None


def _products_by_ids(ids):
    return Product.objects.select_related("category").filter(pk__in=ids)


_PRODUCTS_BY_IDS = PreparedQuery(Product, _products_by_ids)
# The till reads the cart and, in the same statement, the till setup token (shared.generations).
_PRODUCTS_WITH_TILL_SETUP = PreparedQuery(
    Product,
    lambda ids: _products_by_ids(ids).annotate(
        till_setup_token=generations.token_expression(generations.TILL_SETUP)
    ),
)


def get_products_by_ids(ids, *, with_till_setup_token: bool = False) -> dict[int, Product]:
    """Products by primary key (missing ids are simply absent), category preloaded.

    `with_till_setup_token`: each product also carries `till_setup_token`, read in the same
    statement (the till's process copy of locations and registers is checked against it).
    """
    query = _PRODUCTS_WITH_TILL_SETUP if with_till_setup_token else _PRODUCTS_BY_IDS
    return {product.pk: product for product in query.fetch(sorted({int(pk) for pk in ids}))}


def get_default_location() -> Location:
    """The shop's default location (created by the initial data migration)."""
    location = Location.objects.filter(is_default=True).first()
    if location is None:  # someone removed the flag: fall back to the oldest location
        location = Location.objects.order_by("pk").first()
    return location


def get_location_for_sale(*, location_id: int | None, token: int | None) -> Location | None:
    """The sale's location (the default when None) from this process's copy of the locations.

    `token` is the TILL_SETUP generation read in the caller's transaction: the copy is reloaded
    whenever a location was saved or deleted since it was taken (shared.generations). Each call
    returns its own instance, so a caller may attach it to rows without touching the copy.
    """

    def load() -> tuple[int | None, dict[int, Location]]:
        default = get_default_location()
        return (default.pk if default else None, {loc.pk: loc for loc in Location.objects.all()})

    default_id, by_id = generations.cached(generations.TILL_SETUP, "locations", token, load)
    location = by_id.get(default_id if location_id is None else location_id)
    return copy.copy(location) if location is not None else None


def get_location(*, location_id: int) -> Location | None:
    return Location.objects.filter(pk=location_id).first()


def get_category(*, category_id: int) -> Category | None:
    return Category.objects.filter(pk=category_id).first()


def get_supplier(*, supplier_id: int) -> Supplier | None:
    return Supplier.objects.filter(pk=supplier_id).first()


def get_batch(*, batch_id: int) -> Batch | None:
    return Batch.objects.filter(pk=batch_id).first()


def list_categories(*, search: str | None = None, parent_id: int | None = None) -> QuerySet[Category]:
    """Categories by name, optionally under one parent."""
    categories = Category.objects.select_related("parent").order_by("name")
    if search:
        categories = categories.filter(name__icontains=search)
    if parent_id is not None:
        categories = categories.filter(parent_id=parent_id)
    return categories


def list_suppliers(*, search: str | None = None, is_active: bool | None = None) -> QuerySet[Supplier]:
    """Suppliers by name."""
    suppliers = Supplier.objects.order_by("name")
    if search:
        suppliers = suppliers.filter(name__icontains=search)
    if is_active is not None:
        suppliers = suppliers.filter(is_active=is_active)
    return suppliers


def list_locations(*, is_active: bool | None = None) -> QuerySet[Location]:
    """Locations, default first."""
    locations = Location.objects.order_by("-is_default", "name")
    if is_active is not None:
        locations = locations.filter(is_active=is_active)
    return locations


MOVEMENT_JOINS = frozenset({"product", "location", "batch", "user"})


def list_stock_movements(
    *,
    product_id: int | None = None,
    location_id: int | None = None,
    movement_type: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    joins: Collection[str] = MOVEMENT_JOINS,
) -> QuerySet[StockMovement]:
    """Ledger rows, newest first; dates are whole days in the shop's TIME_ZONE.

    `joins`: which related rows (MOVEMENT_JOINS) to join into the query, those a list shows.
    """
    related = sorted(MOVEMENT_JOINS & set(joins))
    movements = StockMovement.objects.select_related(*related) if related else StockMovement.objects.all()
    if product_id is not None:
        movements = movements.filter(product_id=product_id)
    if location_id is not None:
        movements = movements.filter(location_id=location_id)
    if movement_type:
        movements = movements.filter(movement_type=movement_type)
    tz = timezone.get_current_timezone()
    if date_from is not None:
        movements = movements.filter(created_at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to is not None:
        end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz)
        movements = movements.filter(created_at__lt=end)
    return movements.order_by("-created_at", "-pk")


def list_expiring_batches(*, within_days: int = 30, location_id: int | None = None) -> QuerySet[Batch]:
    """Batches with stock whose expiry date falls within `within_days` (already expired included)."""
    limit = today() + timedelta(days=max(within_days, 0))
    batches = Batch.objects.select_related("product", "location").filter(
        quantity__gt=0, expiry_date__isnull=False, expiry_date__lte=limit
    )
    if location_id is not None:
        batches = batches.filter(location_id=location_id)
    return batches.order_by("expiry_date", "pk")


def find_shortages(*, location: Location, requests, products: dict[int, Product] | None = None) -> list[dict]:
    """Which requested quantities the location cannot supply now (read-only, no locks).

    The same availability rule as deduct_stock: the level, and for batch-tracked products only
    unexpired batches. `requests` are products.services.StockRequest-like (product_id, quantity).
    A caller that already loaded the products (by pk) passes them so they are not read again.
    """
    wanted: dict[int, Decimal] = {}
    for request in requests:
        wanted[request.product_id] = wanted.get(request.product_id, Decimal("0.000")) + request.quantity
    if products is None or not wanted.keys() <= products.keys():
        products = {p.pk: p for p in Product.objects.filter(pk__in=wanted).only("pk", "track_batches")}
    tracked = {pid for pid in wanted if pid in products and products[pid].track_batches}
    available = dict(
        StockLevel.objects.filter(product_id__in=wanted, location=location).values_list(
            "product_id", "quantity"
        )
    )
    if tracked:
        usable = (
            Batch.objects.filter(product_id__in=tracked, location=location, quantity__gt=0)
            .filter(Q(expiry_date__isnull=True) | Q(expiry_date__gte=today()))
            .values("product_id")
            .annotate(total=Sum("quantity"))
        )
        batch_totals = {row["product_id"]: row["total"] for row in usable}
        for pid in tracked:
            available[pid] = min(
                available.get(pid, Decimal("0.000")), batch_totals.get(pid, Decimal("0.000"))
            )
    return [
        {"product_id": pid, "requested": qty, "available": available.get(pid, Decimal("0.000"))}
        for pid, qty in wanted.items()
        if available.get(pid, Decimal("0.000")) < qty
    ]
