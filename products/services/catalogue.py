"""Writes to the catalogue: products, categories, suppliers, locations."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction

from products.error_codes import ProductErrorCode as Code
from products.models import Category, Location, Product, StockMovement, Supplier
from products.services.stock import parse_cost
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
    return sku


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
    if cleaned.get("attributes") is not None and not isinstance(cleaned["attributes"], dict):
        raise DomainError(ErrorCode.INVALID, "Attributes must be a JSON object.", field="attributes")
    return {k: v for k, v in cleaned.items() if v is not None or k in ("barcode", "category", "supplier")}


def _check_unique(*, sku: str | None, barcode: str | None, exclude_pk: int | None) -> None:
    others = Product.objects.exclude(pk=exclude_pk) if exclude_pk else Product.objects.all()
    if sku and others.filter(sku=sku).exists():
        raise DomainError(Code.DUPLICATE_SKU, f"Another product already has SKU {sku}.", field="sku")
    if barcode and others.filter(barcode=barcode).exists():
        raise DomainError(
            Code.DUPLICATE_BARCODE, f"Another product already has barcode {barcode}.", field="barcode"
        )


@transaction.atomic
def create_product(*, user, sku: str, name: str, **values) -> Product:
    """Add a product to the catalogue (SKU and barcode unique); stock arrives via receive_stock."""
    unknown = set(values) - set(PRODUCT_FIELDS) - {"cost_price", "is_active"}
    if unknown:
        raise TypeError(f"unknown product fields: {sorted(unknown)}")
    cleaned = _clean_product_values({"sku": sku, "name": name, **values})
    _check_unique(sku=cleaned["sku"], barcode=cleaned.get("barcode"), exclude_pk=None)
    product = Product(**cleaned)
    product.full_clean(validate_unique=False)
    product.save()
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
    _check_unique(sku=cleaned.get("sku"), barcode=cleaned.get("barcode"), exclude_pk=product.pk)
    if (
        "track_batches" in cleaned
        and cleaned["track_batches"] != product.track_batches
        and StockMovement.objects.filter(product=product).exists()
    ):
        raise DomainError(
            Code.TRACKING_LOCKED,
            "Batch tracking cannot change once the product has stock movements.",
            field="trackBatches",
        )
    for name, value in cleaned.items():
        setattr(product, name, value)
    product.full_clean(validate_unique=False)
    product.save()
    return product


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
