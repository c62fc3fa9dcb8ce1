"""Catalogue (categories, suppliers, locations, products) and the stock ledger."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from shared.models import QuickLoadModel, TimeStampedModel

QR_PREFIX = "POS:PRODUCT:"


def money_field(**kwargs):
    return models.DecimalField(max_digits=12, decimal_places=2, **kwargs)


def quantity_field(**kwargs):
    return models.DecimalField(max_digits=12, decimal_places=3, **kwargs)


def cost_field(**kwargs):
    return models.DecimalField(max_digits=14, decimal_places=4, **kwargs)


class Category(TimeStampedModel):
    name = models.CharField(max_length=120, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Supplier(TimeStampedModel):
    name = models.CharField(max_length=160, unique=True)
    contact_name = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Location(TimeStampedModel):
    class Kind(models.TextChoices):
        SHOP = "shop", "Shop"
        STOCK_ROOM = "stock_room", "Stock room"
        WAREHOUSE = "warehouse", "Warehouse"

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SHOP)
    address = models.TextField(blank=True)
    is_default = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="location_single_default"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Product(TimeStampedModel):
    sku = models.CharField(max_length=64, unique=True)
    # NULL (not "") when absent so the unique index allows many products without a barcode.
    barcode = models.CharField(max_length=64, unique=True, null=True, blank=True)
    name = models.CharField(max_length=200, db_index=True)
    description = models.TextField(blank=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="products"
    )
    supplier = models.ForeignKey(
        Supplier, null=True, blank=True, on_delete=models.PROTECT, related_name="products"
    )
    unit = models.CharField(max_length=20, default="pcs")
    retail_price = money_field(default=Decimal("0.00"))
    wholesale_price = money_field(default=Decimal("0.00"))
    cost_price = cost_field(default=Decimal("0.0000"))
    tax_rate = models.DecimalField(max_digits=6, decimal_places=4, default=Decimal("0.0000"))
    reorder_level = quantity_field(default=Decimal("0.000"))
    # 0: sold by the piece (whole numbers only); up to 3 for weighed or measured goods.
    quantity_decimals = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(3)])
    track_batches = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_decimals__lte=3), name="product_quantity_decimals_at_most_3"
            ),
            models.CheckConstraint(
                condition=Q(retail_price__gte=0), name="product_retail_price_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(wholesale_price__gte=0), name="product_wholesale_price_non_negative"
            ),
            models.CheckConstraint(condition=Q(cost_price__gte=0), name="product_cost_price_non_negative"),
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0) & Q(tax_rate__lte=1), name="product_tax_rate_between_0_and_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"

    @property
    def qr_payload(self) -> str:
        return f"{QR_PREFIX}{self.sku}"


def normalise_code(value: str) -> str:
    """The form a SKU or barcode takes in ProductCode: upper case, so codes compare case-insensitively."""
    return value.strip().upper()


class ProductCode(QuickLoadModel):
    """Every product's SKU and barcode in one unique column (normalised), maintained by the catalogue
    services: no code can name two products, whether SKU or barcode, in any letter case, even when
    two writers race (the unique index refuses the second)."""

    class Kind(models.TextChoices):
        SKU = "sku", "SKU"
        BARCODE = "barcode", "Barcode"

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="codes")
    # Upper-casing can lengthen a code ("ß" -> "SS"), hence the room above the 64 of sku/barcode.
    code = models.CharField(max_length=192, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.code} -> {self.product_id}"


class StockLevel(QuickLoadModel):
    # Indexed by the (product, location) unique constraint.
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="stock_levels", db_index=False
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="stock_levels")
    quantity = quantity_field(default=Decimal("0.000"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["product", "location"], name="stock_level_product_location"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_level_quantity_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.location_id}: {self.quantity}"


class Batch(QuickLoadModel):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="batches")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="batches")
    batch_number = models.CharField(max_length=64)
    expiry_date = models.DateField(null=True, blank=True, db_index=True)
    unit_cost = cost_field(default=Decimal("0.0000"))
    quantity = quantity_field(default=Decimal("0.000"))
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["expiry_date", "pk"]
        verbose_name_plural = "batches"
        constraints = [
            models.UniqueConstraint(
                fields=["product", "location", "batch_number"], name="batch_product_location_number"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="batch_quantity_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_number} ({self.product_id}@{self.location_id})"


class StockMovement(QuickLoadModel):
    """Append-only ledger: one row per change of a stock quantity."""

    class Type(models.TextChoices):
        RECEIPT = "receipt", "Receipt"
        SALE = "sale", "Sale"
        RETURN = "return", "Return"
        ADJUSTMENT = "adjustment", "Adjustment"
        TRANSFER_OUT = "transfer_out", "Transfer out"
        TRANSFER_IN = "transfer_in", "Transfer in"
        VOID = "void", "Void"
        WRITE_OFF = "write_off", "Write-off"
        # Stock an offline sale took that the server did not hold: put in just before the sale draws
        # it, so the level never goes below zero; each one has an offline.StockDiscrepancy to settle.
        OFFLINE_SHORTAGE = "offline_shortage", "Offline sale shortage"

    # Indexed by movement_product_loc_time.
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="movements", db_index=False)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="movements")
    batch = models.ForeignKey(
        Batch, null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    movement_type = models.CharField(max_length=20, choices=Type.choices)
    # Signed change of the stock level (negative = out).
    quantity = quantity_field()
    # False only for write-offs of goods that never re-entered stock: recorded for the books,
    # excluded from the stock level (see services.write_off_stock).
    affects_stock = models.BooleanField(default=True)
    balance_after = quantity_field()
    unit_cost = cost_field(default=Decimal("0.0000"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=255, blank=True)
    reference_type = models.CharField(max_length=20, blank=True)
    reference_id = models.BigIntegerField(null=True, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["product", "location", "created_at"], name="movement_product_loc_time"),
            models.Index(fields=["reference_type", "reference_id"], name="movement_reference"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="movement_balance_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.movement_type} {self.quantity} of {self.product_id}@{self.location_id}"
