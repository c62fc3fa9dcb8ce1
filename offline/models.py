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
