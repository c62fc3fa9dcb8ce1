"""Writes to the catalogue: products, categories, suppliers, locations."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q

from products.error_codes import ProductErrorCode as Code
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
from products.services.stock import parse_cost
from products.units import MAX_QUANTITY_DECIMALS, default_quantity_decimals
from shared.errors import DomainError, ErrorCode
from shared.money import parse_money, parse_quantity, to_decimal

RATE_STEP = Decimal("0.0001")
PRODUCT_FIELDS = (
    "sku",
    "barcode",
    "name",
    "description",
    "category",
    "supplier",
    "unit",
    "retail_price",
    "wholesale_price",
    "tax_rate",
    "reorder_level",
    "quantity_decimals",
    "track_batches",
    "attributes",
)


def parse_rate(value: object, *, field: str) -> Decimal:
    """Validate a tax rate given as a fraction (0.075 for 7.5%), at most four decimal places."""
    try:
        rate = to_decimal(value)
    except (InvalidOperation, ValueError):
        raise DomainError(ErrorCode.INVALID, 'Enter a rate such as "0.075".', field=field) from None
    if rate != rate.quantize(RATE_STEP) or rate < 0 or rate > 1:
        raise DomainError(
            ErrorCode.INVALID, "A rate is a fraction between 0 and 1 with up to four places.", field=field
        )
    return rate.quantize(RATE_STEP)


def _clean_code(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def clean_sku(value: str | None) -> str:
    """A SKU without surrounding blanks; required, no inner spaces."""
    sku = _clean_code(value)
    if not sku:
        raise DomainError(ErrorCode.REQUIRED, "A SKU is required.", field="sku")
    if any(ch.isspace() for ch in sku):
        raise DomainError(ErrorCode.INVALID, "A SKU cannot contain spaces.", field="sku")
    if sku.upper().startswith(QR_PREFIX):
        raise DomainError(ErrorCode.INVALID, f"A SKU cannot start with {QR_PREFIX}.", field="sku")
    return sku


def parse_quantity_decimals(value: object, *, field: str = "quantityDecimals") -> int:
    """A unit precision: 0 (whole pieces) to 3 decimal places."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_QUANTITY_DECIMALS:
        raise DomainError(
            ErrorCode.INVALID,
            f"Quantity decimals is a whole number from 0 (sold by the piece) to {MAX_QUANTITY_DECIMALS}.",
            field=field,
        )
    return value


def _clean_product_values(values: dict) -> dict:
    """Parse and validate the product fields present in `values` (GraphQL names in errors)."""
    cleaned = dict(values)
    if "sku" in cleaned:
        cleaned["sku"] = clean_sku(cleaned["sku"])
    if "barcode" in cleaned:
        cleaned["barcode"] = _clean_code(cleaned["barcode"])
    if "name" in cleaned:
        cleaned["name"] = (cleaned["name"] or "").strip()
        if not cleaned["name"]:
            raise DomainError(ErrorCode.REQUIRED, "A name is required.", field="name")
    for name, graphql in (("retail_price", "retailPrice"), ("wholesale_price", "wholesalePrice")):
        if cleaned.get(name) is not None:
            cleaned[name] = parse_money(cleaned[name], field=graphql)
    if cleaned.get("cost_price") is not None:
        cleaned["cost_price"] = parse_cost(cleaned["cost_price"], field="costPrice")
    if cleaned.get("tax_rate") is not None:
        cleaned["tax_rate"] = parse_rate(cleaned["tax_rate"], field="taxRate")
    if cleaned.get("reorder_level") is not None:
        cleaned["reorder_level"] = parse_quantity(
            cleaned["reorder_level"], field="reorderLevel", allow_zero=True
        )
    if cleaned.get("quantity_decimals") is not None:
        cleaned["quantity_decimals"] = parse_quantity_decimals(cleaned["quantity_decimals"])
    if cleaned.get("attributes") is not None and not isinstance(cleaned["attributes"], dict):
        raise DomainError(ErrorCode.INVALID, "Attributes must be a JSON object.", field="attributes")
    return {k: v for k, v in cleaned.items() if v is not None or k in ("barcode", "category", "supplier")}


def _check_codes_free(*, sku: str | None, barcode: str | None, exclude_pk: int | None) -> None:
    """Refuse a SKU or barcode that is already a code of another product, in any letter case.

    SKUs and barcodes share one name space: a scan must never have two answers.
    """
    wanted = {normalise_code(v) for v in (sku, barcode) if v}
    if not wanted:
        return
    exact = Q()
    for value in (sku, barcode):
        if value:
            exact |= Q(sku__iexact=value) | Q(barcode__iexact=value)
    in_codes = ProductCode.objects.filter(code__in=wanted).values("product_id")
    others = Product.objects.filter(exact | Q(pk__in=in_codes)).exclude(pk=exclude_pk).order_by("pk")
    for other in others:
        other_sku = normalise_code(other.sku)
        other_barcode = normalise_code(other.barcode) if other.barcode else None
        if sku and normalise_code(sku) == other_sku:
            raise DomainError(Code.DUPLICATE_SKU, f"{other.name} already has SKU {other.sku}.", field="sku")
        if barcode and normalise_code(barcode) == other_barcode:
            raise DomainError(
                Code.DUPLICATE_BARCODE, f"{other.name} already has barcode {other.barcode}.", field="barcode"
            )
        if sku and normalise_code(sku) == other_barcode:
            raise DomainError(Code.CODE_IN_USE, f"{sku} is already the barcode of {other.name}.", field="sku")
        if barcode and normalise_code(barcode) == other_sku:
            raise DomainError(
                Code.CODE_IN_USE, f"{barcode} is already the SKU of {other.name}.", field="barcode"
            )


def _product_codes(product: Product) -> list[ProductCode]:
    codes = {normalise_code(product.sku): ProductCode.Kind.SKU}
    if product.barcode:
        codes.setdefault(normalise_code(product.barcode), ProductCode.Kind.BARCODE)
    return [ProductCode(product=product, code=code, kind=kind) for code, kind in codes.items()]


def sync_product_codes(*, products: list[Product]) -> None:
    """Rewrite the ProductCode rows of these products from their SKU and barcode.

    The unique index on ProductCode.code is what stops two concurrent writers from both taking a
    code; the IntegrityError it raises is the caller's to turn into a refusal.
    """
    if not products:
        return
    ProductCode.objects.filter(product__in=products).delete()
    ProductCode.objects.bulk_create([code for p in products for code in _product_codes(p)], batch_size=1000)


def _save_with_codes(product: Product, *, exclude_pk: int | None, codes_changed: bool) -> None:
    """Save the product and its codes in a savepoint; a code taken meanwhile becomes a refusal."""
    try:
        with transaction.atomic():
            product.save()
            if codes_changed:
                sync_product_codes(products=[product])
    except IntegrityError:
        # Another writer committed the same code after our check: name the clash now that it is visible.
        _check_codes_free(sku=product.sku, barcode=product.barcode, exclude_pk=exclude_pk)
        raise DomainError(
            Code.CODE_IN_USE, "That SKU or barcode was just taken by another product.", field="sku"
        ) from None


@transaction.atomic
def create_product(*, user, sku: str, name: str, **values) -> Product:
    """Add a product to the catalogue (SKU and barcode unique); stock arrives via receive_stock."""
    unknown = set(values) - set(PRODUCT_FIELDS) - {"cost_price", "is_active"}
    if unknown:
        raise TypeError(f"unknown product fields: {sorted(unknown)}")
    cleaned = _clean_product_values({"sku": sku, "name": name, **values})
    cleaned.setdefault("quantity_decimals", default_quantity_decimals(cleaned.get("unit")))
    _check_codes_free(sku=cleaned["sku"], barcode=cleaned.get("barcode"), exclude_pk=None)
    product = Product(**cleaned)
    product.full_clean(validate_unique=False)
    _save_with_codes(product, exclude_pk=None, codes_changed=True)
    return product


@transaction.atomic
def update_product(*, user, product: Product, **changes) -> Product:
    """Change catalogue fields; `None` leaves a field as it is (send "" to clear a barcode)."""
    unknown = set(changes) - set(PRODUCT_FIELDS) - {"is_active"}
    if unknown:
        raise TypeError(f"unknown product fields: {sorted(unknown)}")
    changes = {k: v for k, v in changes.items() if v is not None}
    cleaned = _clean_product_values(changes)
    product = Product.objects.select_for_update().get(pk=product.pk)
    _check_codes_free(sku=cleaned.get("sku"), barcode=cleaned.get("barcode"), exclude_pk=product.pk)
    _check_tracking_change(product, cleaned.get("track_batches"))
    _check_precision_change(product, cleaned.get("quantity_decimals"))
    codes_changed = any(
        name in cleaned and cleaned[name] != getattr(product, name) for name in ("sku", "barcode")
    )
    for name, value in cleaned.items():
        setattr(product, name, value)
    product.full_clean(validate_unique=False)
    _save_with_codes(product, exclude_pk=product.pk, codes_changed=codes_changed)
    return product


def _check_tracking_change(product: Product, track_batches: bool | None) -> None:
    """Batch tracking is fixed once stock has moved: the level must stay the sum of its batches.

    The one place this rule lives; GraphQL, CSV and the admin all change products through
    `update_product`.
    """
    if track_batches is None or track_batches == product.track_batches:
        return
    if (
        StockMovement.objects.filter(product=product).exists()
        or Batch.objects.filter(product=product).exists()
    ):
        raise DomainError(
            Code.TRACKING_LOCKED,
            "Batch tracking cannot change once the product has stock movements.",
            field="trackBatches",
        )


def _check_precision_change(product: Product, decimals: int | None) -> None:
    """A coarser unit precision may not strand stock that is already finer than it."""
    if decimals is None or decimals >= product.quantity_decimals:
        return
    step = Decimal(1).scaleb(-decimals)
    for model in (StockLevel, Batch):
        for quantity in model.objects.filter(product=product).values_list("quantity", flat=True):
            if quantity != quantity.quantize(step):
                raise DomainError(
                    ErrorCode.INVALID,
                    f"{product.name} has {quantity.normalize():f} in stock: count it to a quantity with at "
                    f"most {decimals} decimal places first.",
                    field="quantityDecimals",
                )


@transaction.atomic
def archive_product(*, user, product: Product) -> Product:
    """Archive a product: it stays in history and reports but can no longer be sold or received."""
    if not product.is_active:
        raise DomainError(Code.PRODUCT_ARCHIVED, f"{product.name} is already archived.", field="productId")
    Product.objects.filter(pk=product.pk).update(is_active=False)
    product.is_active = False
    return product


@transaction.atomic
def create_category(*, name: str, parent: Category | None = None, description: str = "") -> Category:
    """Add a category, optionally under a parent."""
    name = (name or "").strip()
    if not name:
        raise DomainError(ErrorCode.REQUIRED, "A name is required.", field="name")
    if Category.objects.filter(name__iexact=name).exists():
        raise DomainError(Code.DUPLICATE_NAME, f"A category named {name} already exists.", field="name")
    category = Category(name=name, parent=parent, description=description or "")
    category.full_clean(validate_unique=False)
    category.save()
    return category


@transaction.atomic
def create_supplier(
    *, name: str, contact_name: str = "", phone: str = "", email: str = "", address: str = ""
) -> Supplier:
    """Add a supplier."""
    name = (name or "").strip()
    if not name:
        raise DomainError(ErrorCode.REQUIRED, "A name is required.", field="name")
    if Supplier.objects.filter(name__iexact=name).exists():
        raise DomainError(Code.DUPLICATE_NAME, f"A supplier named {name} already exists.", field="name")
    supplier = Supplier(
        name=name,
        contact_name=contact_name or "",
        phone=phone or "",
        email=email or "",
        address=address or "",
    )
    supplier.full_clean(validate_unique=False)
    supplier.save()
    return supplier


@transaction.atomic
def create_location(
    *, name: str, kind: str = Location.Kind.SHOP, address: str = "", is_default: bool = False
) -> Location:
    """Add a location; making it the default takes the flag from the previous default."""
    name = (name or "").strip()
    if not name:
        raise DomainError(ErrorCode.REQUIRED, "A name is required.", field="name")
    if Location.objects.filter(name__iexact=name).exists():
        raise DomainError(Code.DUPLICATE_NAME, f"A location named {name} already exists.", field="name")
    if kind not in Location.Kind.values:
        raise DomainError(ErrorCode.INVALID, "Unknown kind of location.", field="kind")
    if is_default:
        Location.objects.filter(is_default=True).update(is_default=False)
    location = Location(name=name, kind=kind, address=address or "", is_default=is_default)
    location.full_clean(validate_unique=False, validate_constraints=False)
    location.save()
    return location
