"""Till devices and carts parked on the server (issue 17; protocol in docs/OFFLINE.md).

A device credential is shown once and only its SHA-256 hash is stored (like accounts.RefreshToken);
`credential_prefix` is the non-secret start of it so a manager can tell devices apart.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

from shared.models import TimeStampedModel


class Device(TimeStampedModel):
    """A registered till device. Revoking it refuses its credential at once."""

    name = models.CharField(max_length=80)
    register = models.ForeignKey(
        "tills.Register", on_delete=models.PROTECT, null=True, blank=True, related_name="devices"
    )
    credential_prefix = models.CharField(max_length=16)
    credential_hash = models.CharField(max_length=64, unique=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A cache of the highest contiguous deviceSequence held (recomputable from SaleSync rows); only
    # ever raised, so concurrent batches of one device may write it in any order.
    sync_high_water_mark = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.credential_prefix}…)"


class ParkedCart(models.Model):
    """A cart put aside at a till, to be resumed at any till of the same location. Reserves no stock."""

    class Status(models.TextChoices):
        PARKED = "PARKED", "Parked"
        RESUMED = "RESUMED", "Resumed"
        DISCARDED = "DISCARDED", "Discarded"

    location = models.ForeignKey("products.Location", on_delete=models.PROTECT, related_name="+")
    register = models.ForeignKey(
        "tills.Register", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PARKED)
    parked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    parked_at = models.DateTimeField(db_index=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    resumed_register = models.ForeignKey(
        "tills.Register", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-parked_at", "-pk"]
        indexes = [models.Index(fields=["location", "status", "parked_at"], name="parked_cart_open")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="PARKED", closed_at__isnull=True)
                | (~Q(status="PARKED") & Q(closed_at__isnull=False)),
                name="parked_cart_closed_at_matches_status",
            )
        ]

    def __str__(self) -> str:
        return f"Parked cart {self.pk} ({self.status})"


class ParkedCartLine(models.Model):
    cart = models.ForeignKey(ParkedCart, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=12, decimal_places=3)

    class Meta:
        ordering = ["cart", "position"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "position"], name="parked_cart_line_position_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="parked_cart_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x product {self.product_id}"


class CatalogueChange(models.Model):
    """One row written by a database trigger (migration 0002) in the same transaction as every insert,
    update or delete of a product, stock level or customer. Never written by Django code.

    `txid` is the writing transaction's PostgreSQL id (`txid_current()`, 64-bit, never wraps); a
    sync page only reads rows of transactions older than every one still running, which is what
    makes the cursor safe under concurrent writes (docs/OFFLINE.md, "Why no change is skipped").
    SQLite serialises writers, so there `txid` is 0 and the row id alone orders commits.
    """

    class Entity(models.TextChoices):
        PRODUCT = "product", "Product"
        STOCK = "stock", "Stock level"
        CUSTOMER = "customer", "Customer"
        BATCH = "batch", "Batch"

    txid = models.BigIntegerField()
    entity = models.CharField(max_length=10, choices=Entity.choices)
    object_id = models.BigIntegerField()
    # Filled by the database (the triggers do not name it): what pruning goes by.
    logged_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["txid", "id"]
        indexes = [models.Index(fields=["txid", "id"], name="catalogue_change_cursor")]

    def __str__(self) -> str:
        return f"{self.entity} {self.object_id} (tx {self.txid})"


class CataloguePruneMark(models.Model):
    """The newest change-log position pruned so far (one row, pk 1).

    A delta cursor at or below it may have lost rows, so it is refused with CURSOR_EXPIRED and the
    till starts a first sync (docs/OFFLINE.md, "Pruning the change log").
    """

    txid = models.BigIntegerField(default=0)
    row = models.BigIntegerField(default=0)
    pruned_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"pruned up to ({self.txid}, {self.row})"


class SaleSync(models.Model):
    """One offline sale a device handed over with syncSales: the stored outcome a replay answers.

    Only sales the server holds are stored (SYNCED or SYNCED_WITH_EXCEPTIONS); a refused sale leaves
    nothing, so its sequence number stays a gap until the till sends it again.
    """

    class Status(models.TextChoices):
        SYNCED = "SYNCED", "Synced"
        SYNCED_WITH_EXCEPTIONS = "SYNCED_WITH_EXCEPTIONS", "Synced with exceptions"

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="synced_sales")
    client_id = models.UUIDField(unique=True)
    device_sequence = models.PositiveIntegerField()
    device_receipt_number = models.CharField(max_length=40)
    sale = models.OneToOneField(
        "sales.Sale", on_delete=models.PROTECT, null=True, blank=True, related_name="offline_sync"
    )
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.SYNCED)
    request_fingerprint = models.CharField(max_length=64)
    sold_at = models.DateTimeField(help_text="As the till sent it.")
    business_time = models.DateTimeField(
        help_text="The sale's time in reports: soldAt, or received_at if out of bounds."
    )
    received_at = models.DateTimeField()
    catalogue_version = models.CharField(max_length=64, blank=True)
    synced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["device", "device_sequence"]
        constraints = [
            models.UniqueConstraint(fields=["device", "device_sequence"], name="sale_sync_device_sequence"),
            models.CheckConstraint(condition=Q(device_sequence__gte=1), name="sale_sync_sequence_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.device_id} #{self.device_sequence} ({self.client_id})"


class StockDiscrepancy(models.Model):
    """The quantity an offline sale took that the server did not hold (the ledger of shortages).

    Its `movement` is the offline_shortage stock movement that put the quantity in so the sale could
    draw it; settling it (offline.services.exceptions) says what really happened.
    """

    sale_sync = models.ForeignKey(SaleSync, on_delete=models.PROTECT, related_name="discrepancies")
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("products.Location", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    unit_cost = models.DecimalField(max_digits=14, decimal_places=4)
    value = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="quantity x unit cost, to the cent."
    )
    movement = models.OneToOneField("products.StockMovement", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "stock discrepancies"
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="stock_discrepancy_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of product {self.product_id} at {self.location_id}"


class SyncException(models.Model):
    """Something an offline sale did that a live sale could not (recorded, not refused), for a manager."""

    class Kind(models.TextChoices):
        STOCK_SHORTAGE = "STOCK_SHORTAGE", "Stock shortage"
        CREDIT_LIMIT = "CREDIT_LIMIT", "Credit limit breached"
        PRICE_MISMATCH = "PRICE_MISMATCH", "Price differs from the catalogue"
        CLOCK_SKEW = "CLOCK_SKEW", "Till clock out of bounds"
        SHIFT_CLOSED = "SHIFT_CLOSED", "Sold in a shift closed since"
        PRODUCT_ARCHIVED = "PRODUCT_ARCHIVED", "Archived product sold"
        CUSTOMER_BLOCKED = "CUSTOMER_BLOCKED", "Blocked customer's account used"

    class Status(models.TextChoices):
        OPEN = "OPEN", "Open"
        RESOLVED = "RESOLVED", "Resolved"

    class Resolution(models.TextChoices):
        WRITE_OFF = "WRITE_OFF", "Written off (loss at cost)"
        RECEIPT = "RECEIPT", "Covered by goods received but not recorded"
        COUNT = "COUNT", "Confirmed by a count (no ledger change)"
        ACCEPTED = "ACCEPTED", "Accepted as recorded"

    sale_sync = models.ForeignKey(SaleSync, on_delete=models.PROTECT, related_name="exceptions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    discrepancy = models.OneToOneField(
        StockDiscrepancy, on_delete=models.PROTECT, null=True, blank=True, related_name="exception"
    )
    message = models.CharField(max_length=300)
    details = models.JSONField(default=dict, blank=True)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    note = models.CharField(max_length=500, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "kind", "created_at"], name="sync_exception_open")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="OPEN", resolved_at__isnull=True, resolution="")
                | (Q(status="RESOLVED", resolved_at__isnull=False) & ~Q(resolution="")),
                name="sync_exception_resolution_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(kind="STOCK_SHORTAGE", discrepancy__isnull=False)
                | (~Q(kind="STOCK_SHORTAGE") & Q(discrepancy__isnull=True)),
                name="sync_exception_shortage_has_discrepancy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.status})"


class PriceHistory(models.Model):
    """A product's prices and tax rate from one catalogue change-log position on (issue 17).

    Written by the products_product trigger (migration 0006) in the same transaction as the change,
    whatever code path made it, with the change-log row it logged: (`txid`, `change_id`) is the
    position in the order sync cursors follow, so the price a till's catalogue version held can be
    found (offline.prices). Never pruned with the change log. Rows at (0, 0) are the prices products
    had when the history started.
    """

    product = models.ForeignKey(
        "products.Product", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    txid = models.BigIntegerField()
    change_id = models.BigIntegerField()
    retail_price = models.DecimalField(max_digits=12, decimal_places=2)
    wholesale_price = models.DecimalField(max_digits=12, decimal_places=2)
    tax_rate = models.DecimalField(max_digits=6, decimal_places=4)
    logged_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["product", "txid", "change_id"]
        verbose_name_plural = "price history"
        indexes = [models.Index(fields=["product", "txid", "change_id"], name="price_history_position")]

    def __str__(self) -> str:
        return f"product {self.product_id} at ({self.txid}, {self.change_id})"
