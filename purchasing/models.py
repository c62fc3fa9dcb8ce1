"""Purchase orders with their deliveries, and stocktakes counted while the shop sells.

Stock itself stays in products: every quantity change here is a products.StockMovement written by
products.services (reference_type "purchase_order" or "stocktake", reference_id = the document pk).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from shared.models import TimeStampedModel
from shared.money import q


def money_field(**kwargs):
    return models.DecimalField(max_digits=12, decimal_places=2, **kwargs)


def quantity_field(**kwargs):
    return models.DecimalField(max_digits=12, decimal_places=3, **kwargs)


def cost_field(**kwargs):
    return models.DecimalField(max_digits=14, decimal_places=4, **kwargs)


class PurchaseOrderSequence(models.Model):
    """The last PO number handed out in a year (one row per year, incremented under its row lock)."""

    year = models.PositiveIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class PurchaseOrder(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ORDERED = "ordered", "Ordered"
        PARTIALLY_RECEIVED = "partially_received", "Partially received"
        RECEIVED = "received", "Received"
        CANCELLED = "cancelled", "Cancelled"

    # Given when the order is placed, so drafts thrown away leave no gap (PO2026-00001).
    number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    supplier = models.ForeignKey(
        "products.Supplier", on_delete=models.PROTECT, related_name="purchase_orders"
    )
    location = models.ForeignKey(
        "products.Location", on_delete=models.PROTECT, related_name="purchase_orders"
    )
    expected_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ordered_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("manage_purchasing", "Can order and receive purchase orders")]

    def __str__(self) -> str:
        return self.number or f"Draft PO #{self.pk}"

    @property
    def total(self) -> Decimal:
        """Sum of the line totals (reads the `lines` prefetch when there is one)."""
        return sum((line.line_total for line in self.lines.all()), q(0))


class PurchaseOrderLine(models.Model):
    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    quantity = quantity_field()
    unit_cost = cost_field()
    received_quantity = quantity_field(default=Decimal("0.000"))

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="po_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="po_line_unit_cost_non_negative"),
            models.CheckConstraint(
                condition=Q(received_quantity__gte=0), name="po_line_received_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of {self.product_id} on {self.purchase_order_id}"

    @property
    def line_total(self) -> Decimal:
        """quantity x unit cost, to the cent."""
        return q(self.quantity * self.unit_cost)


class PurchaseReceipt(models.Model):
    """One delivery against a purchase order."""

    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="receipts")
    supplier_invoice = models.CharField(max_length=64, blank=True)
    landed_cost = money_field(default=Decimal("0.00"), help_text="Freight, duty: spread over the lines.")
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(landed_cost__gte=0), name="po_receipt_landed_non_negative")
        ]

    def __str__(self) -> str:
        return f"Delivery {self.pk} of {self.purchase_order}"


class PurchaseReceiptLine(models.Model):
    receipt = models.ForeignKey(PurchaseReceipt, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="receipt_lines")
    quantity = quantity_field()
    invoice_unit_cost = cost_field(help_text="What the supplier's invoice charges per unit.")
    landed_cost_amount = money_field(help_text="This line's share of the delivery's landed cost.")
    # invoice cost plus the landed share per unit: the cost that entered the moving average.
    unit_cost = cost_field()
    price_variance_amount = money_field(help_text="(invoice unit cost - PO unit cost) x quantity.")
    batch_number = models.CharField(max_length=64, blank=True)
    expiry_date = models.DateField(null=True, blank=True)
    movement = models.ForeignKey("products.StockMovement", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="po_receipt_line_positive")]

    def __str__(self) -> str:
        return f"{self.quantity} received on line {self.order_line_id}"


class Stocktake(TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        FINALIZED = "finalized", "Finalized"

    class Scope(models.TextChoices):
        ALL = "all", "All products"
        CATEGORY = "category", "One category"
        PRODUCTS = "products", "Listed products"

    class Uncounted(models.TextChoices):
        LEAVE = "leave", "Leave uncounted stock as it is"
        ZERO = "zero", "Set uncounted stock to zero"

    class CountMode(models.TextChoices):
        LAST = "last", "The last count of a product replaces the earlier ones"
        SUM = "sum", "Counts of a product add up (several shelves, several devices)"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    location = models.ForeignKey("products.Location", on_delete=models.PROTECT, related_name="stocktakes")
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.ALL)
    category = models.ForeignKey(
        "products.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    products = models.ManyToManyField("products.Product", blank=True, related_name="+")
    note = models.TextField(blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finalized_at = models.DateTimeField(null=True, blank=True)
    uncounted = models.CharField(max_length=10, choices=Uncounted.choices, blank=True)
    count_mode = models.CharField(max_length=10, choices=CountMode.choices, default=CountMode.LAST)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"ST-{self.pk}"


class StocktakeCount(models.Model):
    """One posted count: the last of a product (and batch) counts, or all of them add up (count_mode)."""

    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="counts")
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(
        "products.Batch", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    counted = quantity_field()
    # The ledger position when the count was posted: the stock the system held then, and the last
    # movement of the product at the location. Movements after it are not discrepancies.
    quantity_at_count = quantity_field()
    last_movement_id = models.BigIntegerField(null=True, blank=True)
    counted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(counted__gte=0), name="stocktake_count_non_negative")
        ]

    def __str__(self) -> str:
        return f"{self.counted} of {self.product_id} in {self.stocktake_id}"


class StocktakeLine(models.Model):
    """What finalizing found for one product (and batch): the difference posted and its value at cost."""

    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(
        "products.Batch", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    counted = quantity_field(null=True, blank=True, help_text="Empty when uncounted stock was zeroed.")
    quantity_at_count = quantity_field()
    difference = quantity_field()
    unit_cost = cost_field()
    variance_amount = money_field(help_text="difference x unit cost, to the cent.")
    movement = models.ForeignKey(
        "products.StockMovement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.difference} of {self.product_id} in {self.stocktake_id}"


class SupplierReturn(TimeStampedModel):
    """Goods sent back to a supplier (expired, damaged, wrong); the credit the shop expects for them."""

    supplier = models.ForeignKey("products.Supplier", on_delete=models.PROTECT, related_name="returns")
    location = models.ForeignKey("products.Location", on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    credit_expected_amount = money_field(help_text="Sum of the lines' credit at cost.")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"SR-{self.pk}"


class SupplierReturnLine(models.Model):
    supplier_return = models.ForeignKey(SupplierReturn, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(
        "products.Batch", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quantity = quantity_field()
    reason = models.CharField(max_length=255)
    unit_cost = cost_field()
    credit_amount = money_field(help_text="quantity x unit cost, to the cent.")
    movement = models.ForeignKey("products.StockMovement", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="supplier_return_line_positive")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of {self.product_id} back to supplier"


class StockTransfer(TimeStampedModel):
    """Stock on the road between two locations: it left the source and is still owned and valued."""

    class Status(models.TextChoices):
        IN_TRANSIT = "in_transit", "In transit"
        RECEIVED = "received", "Received"

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_TRANSIT, db_index=True)
    from_location = models.ForeignKey("products.Location", on_delete=models.PROTECT, related_name="+")
    to_location = models.ForeignKey("products.Location", on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"TR-{self.pk}"


class StockTransferLine(models.Model):
    """One batch (or plain stock) of one product on the road, with what arrived of it."""

    transfer = models.ForeignKey(StockTransfer, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(
        "products.Batch", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quantity_sent = quantity_field()
    quantity_received = quantity_field(null=True, blank=True)
    unit_cost = cost_field(help_text="Cost of what left the source: the value on the road.")
    out_movement = models.ForeignKey("products.StockMovement", on_delete=models.PROTECT, related_name="+")
    in_movement = models.ForeignKey(
        "products.StockMovement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity_sent__gt=0), name="transfer_line_sent_positive"),
            models.CheckConstraint(
                condition=Q(quantity_received__isnull=True) | Q(quantity_received__gte=0),
                name="transfer_line_received_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity_sent} of {self.product_id} on {self.transfer_id}"

    @property
    def discrepancy(self):
        """Sent but not arrived (None while on the road)."""
        return None if self.quantity_received is None else self.quantity_sent - self.quantity_received
