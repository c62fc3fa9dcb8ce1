"""Sales documents: the sale header, its lines, the batches each line drew from, and its payments.

Every money figure is computed by `sales.pricing` and stored as-is; nothing here re-derives it.
The migration is generated once the products and customers apps (FK targets) are merged.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper

from sales.choices import PaymentMethod, SaleStatus, SaleType
from shared.models import QuickLoadModel, TimeStampedModel

MONEY = {"max_digits": 12, "decimal_places": 2}
QUANTITY = {"max_digits": 12, "decimal_places": 3}
RATE = {"max_digits": 6, "decimal_places": 4}
UNIT_COST = {"max_digits": 14, "decimal_places": 4}


def _non_negative(prefix: str, *fields: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(condition=Q(**{f"{name}__gte": 0}), name=f"{prefix}_{name}_non_negative")
        for name in fields
    ]


class SaleSequence(models.Model):
    """The last transaction number handed out in a year (one row per year, locked to increment)."""

    year = models.PositiveIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Sale(TimeStampedModel):
    # Unique and searchable through Meta (a unique CharField would add a LIKE index nothing uses).
    transaction_id = models.CharField(
        max_length=20, help_text="Human-readable, per-year sequential id, e.g. S2026-000123."
    )
    sale_type = models.CharField(max_length=10, choices=SaleType.choices, default=SaleType.RETAIL)
    status = models.CharField(max_length=20, choices=SaleStatus.choices, default=SaleStatus.COMPLETED)
    # Indexed by (customer, created_at) and (cashier, created_at) in Meta, which serve their joins too.
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sales",
        db_index=False,
    )
    location = models.ForeignKey("products.Location", on_delete=models.PROTECT, related_name="sales")
    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sales", db_index=False
    )

    # Snapshot of the PRICES_INCLUDE_TAX setting the sale was priced with (receipts, returns).
    prices_include_tax = models.BooleanField()
    sale_discount_amount = models.DecimalField(
        **MONEY, default=0, help_text="The sale-level discount sent; spread over the lines' `discount`."
    )
    subtotal = models.DecimalField(**MONEY)
    discount_total = models.DecimalField(**MONEY)
    tax_total = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    amount_paid = models.DecimalField(**MONEY, help_text="Money received now, before change.")
    change = models.DecimalField(**MONEY, default=0)
    amount_on_account = models.DecimalField(
        **MONEY, default=0, help_text="Charged to the customer's account."
    )
    credit_applied = models.DecimalField(**MONEY, default=0, help_text="Customer's store credit spent.")
    credit_created = models.DecimalField(**MONEY, default=0, help_text="Overpayment kept as store credit.")
    note = models.CharField(max_length=500, blank=True)

    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # unique: Meta
    # The number an offline till printed before the server knew the sale (syncSales); the sale's
    # created_at is then the till's soldAt (offline.services.sync).
    device_receipt_number = models.CharField(max_length=40, blank=True)
    request_fingerprint = models.CharField(
        max_length=64, blank=True, help_text="sha256 hex of the canonical createSale input."
    )

    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("void_sale", "Can void a sale")]
        # Every sale writes each of these twice (its INSERT, then the number's UPDATE): only what a
        # read uses. Plain btrees, not Django's extra LIKE index for unique or indexed CharFields;
        # UPPER(transaction_id) serves the case-insensitive lookup by number (receipts, returns).
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="sale_customer_created"),
            models.Index(fields=["cashier", "-created_at"], name="sale_cashier_created"),
            models.Index(Upper("transaction_id"), name="sale_transaction_id_upper"),
            models.Index(fields=["status"], name="sale_status"),
            models.Index(fields=["device_receipt_number"], name="sale_device_receipt_number"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["transaction_id"], name="sale_transaction_id_unique"),
            models.UniqueConstraint(fields=["idempotency_key"], name="sale_idempotency_key_unique"),
            *_non_negative(
                "sale",
                "sale_discount_amount",
                "subtotal",
                "discount_total",
                "tax_total",
                "total",
                "amount_paid",
                "change",
                "amount_on_account",
                "credit_applied",
                "credit_created",
            ),
            models.CheckConstraint(
                condition=Q(discount_total__lte=F("subtotal")), name="sale_discount_within_subtotal"
            ),
            models.CheckConstraint(condition=Q(change__lte=F("amount_paid")), name="sale_change_within_paid"),
            models.CheckConstraint(
                condition=Q(amount_on_account=0) | Q(customer__isnull=False),
                name="sale_on_account_needs_customer",
            ),
            models.CheckConstraint(
                condition=Q(credit_applied=0, credit_created=0) | Q(customer__isnull=False),
                name="sale_credit_needs_customer",
            ),
            models.CheckConstraint(
                condition=~Q(status=SaleStatus.VOIDED) | Q(voided_at__isnull=False, voided_by__isnull=False),
                name="sale_voided_has_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return self.transaction_id


class SaleItem(QuickLoadModel):
    # Indexed by the (sale, line_number) unique constraint.
    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="items", db_index=False)
    line_number = models.PositiveIntegerField(help_text="1-based position in the sale's `items` input.")
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="sale_items")
    quantity = models.DecimalField(**QUANTITY)
    unit_price = models.DecimalField(**MONEY, help_text="Price charged per unit.")
    catalogue_unit_price = models.DecimalField(
        **MONEY, help_text="Catalogue price by sale type at sale time."
    )
    is_price_override = models.BooleanField(default=False)
    line_discount = models.DecimalField(**MONEY, default=0, help_text="Discount sent on this line.")
    discount = models.DecimalField(
        **MONEY, default=0, help_text="Line discount plus the line's share of the sale discount."
    )
    tax_rate = models.DecimalField(**RATE, help_text="Fraction, e.g. 0.0750 for 7.5 %.")
    tax = models.DecimalField(**MONEY)
    subtotal = models.DecimalField(**MONEY, help_text="unit_price x quantity, rounded to the cent.")
    total = models.DecimalField(**MONEY, help_text="What the customer pays for the line, tax included.")
    unit_cost = models.DecimalField(
        **UNIT_COST, help_text="Weighted cost per unit drawn, for profit reports."
    )

    class Meta:
        ordering = ["sale", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["sale", "line_number"], name="sale_item_line_number_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sale_item_quantity_positive"),
            *_non_negative(
                "sale_item",
                "unit_price",
                "catalogue_unit_price",
                "line_discount",
                "discount",
                "tax_rate",
                "tax",
                "subtotal",
                "total",
                "unit_cost",
            ),
            models.CheckConstraint(
                condition=Q(discount__lte=F("subtotal")), name="sale_item_discount_within_subtotal"
            ),
            models.CheckConstraint(
                condition=Q(line_discount__lte=F("discount")), name="sale_item_line_discount_within_discount"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sale_id} #{self.line_number}"


class SaleItemBatch(QuickLoadModel):
    """What one sale line drew from stock: one row per batch (batch is null for untracked stock)."""

    sale_item = models.ForeignKey(SaleItem, on_delete=models.CASCADE, related_name="batches")
    batch = models.ForeignKey(
        "products.Batch", on_delete=models.PROTECT, null=True, blank=True, related_name="sale_item_draws"
    )
    quantity = models.DecimalField(**QUANTITY)
    unit_cost = models.DecimalField(**UNIT_COST)

    class Meta:
        ordering = ["sale_item", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sale_item_batch_quantity_positive"),
            models.CheckConstraint(
                condition=Q(unit_cost__gte=0), name="sale_item_batch_unit_cost_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sale_item_id}: {self.quantity} from batch {self.batch_id}"


class Payment(QuickLoadModel):
    # Indexed by payment_sale_method_amount.
    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="payments", db_index=False)
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    amount = models.DecimalField(**MONEY, help_text="Amount tendered (cash before change).")
    reference = models.CharField(max_length=100, blank=True, help_text="Card slip or transfer reference.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sale", "pk"]
        indexes = [
            models.Index(fields=["method", "created_at"], name="payment_method_created"),
            # Reports sum payments per (sale, method) in sale order from this index alone (an
            # index-only scan with no sort); amount is a key column rather than INCLUDE so the index
            # is the same on every database.
            models.Index(fields=["sale", "method", "amount"], name="payment_sale_method_amount"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_non_negative"),
            models.CheckConstraint(condition=Q(method__in=PaymentMethod.values), name="payment_method_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.amount}"


# --- Daily summaries (sales.summaries writes them, reports read them) --------------------------------
# Kept in the same transaction as the sale, void or return that changes them, so they are always
# current; `check_ledgers` proves them equal to the detail and `rebuild_summaries` recomputes them.
# `day` is the document's local date in settings.TIME_ZONE. Sums of unrounded products (cost, the
# refund's tax share) keep more places than money so that rounding the period's sum gives the cent
# the detail gives.
SUM_MONEY = {"max_digits": 16, "decimal_places": 2}
SUM_QUANTITY = {"max_digits": 16, "decimal_places": 3}
SUM_COST = {"max_digits": 22, "decimal_places": 7}
SUM_SHARE = {"max_digits": 24, "decimal_places": 10}


class DailySales(models.Model):
    """Per day x location x sale type: the sales' header figures, and the refunds approved that day
    against sales of that location and type."""

    day = models.DateField()
    location = models.ForeignKey("products.Location", on_delete=models.PROTECT, related_name="+")
    sale_type = models.CharField(max_length=10, choices=SaleType.choices)
    sale_count = models.IntegerField(default=0)
    total = models.DecimalField(**SUM_MONEY, default=0)
    discount_total = models.DecimalField(**SUM_MONEY, default=0)
    tax_total = models.DecimalField(**SUM_MONEY, default=0)
    on_account_amount = models.DecimalField(**SUM_MONEY, default=0)
    on_account_count = models.IntegerField(default=0)
    cost_amount = models.DecimalField(**SUM_COST, default=0, help_text="Lines' unit cost x quantity.")
    return_count = models.IntegerField(default=0)
    refund_amount = models.DecimalField(**SUM_MONEY, default=0)
    refund_tax = models.DecimalField(**SUM_SHARE, default=0, help_text="Refunds' share of their lines' tax.")
    restocked_cost = models.DecimalField(**SUM_COST, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "location", "sale_type"], name="daily_sales_key"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.location_id} {self.sale_type}"


class DailyProductSales(models.Model):
    """Per day x location x product: what the lines sold (on the sale's day) and what came back (on
    the return's approval day)."""

    day = models.DateField()
    location = models.ForeignKey("products.Location", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**SUM_QUANTITY, default=0)
    line_count = models.IntegerField(default=0)
    sale_count = models.IntegerField(default=0, help_text="Sales with the product on at least one line.")
    subtotal = models.DecimalField(**SUM_MONEY, default=0, help_text="Gross: price x quantity.")
    discount = models.DecimalField(**SUM_MONEY, default=0)
    tax = models.DecimalField(**SUM_MONEY, default=0)
    total = models.DecimalField(**SUM_MONEY, default=0, help_text="Paid for the lines, tax included.")
    cost_amount = models.DecimalField(**SUM_COST, default=0)
    returned_quantity = models.DecimalField(**SUM_QUANTITY, default=0)
    returned_amount = models.DecimalField(**SUM_MONEY, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "location", "product"], name="daily_product_sales_key"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.location_id} {self.product_id}"


class DailyTenderSales(models.Model):
    """Per day x location x tender: money taken (change given on cash) and refunds paid back, on the
    row of the return's refund method."""

    day = models.DateField()
    location = models.ForeignKey("products.Location", on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=20)
    amount = models.DecimalField(**SUM_MONEY, default=0)
    sale_count = models.IntegerField(default=0, help_text="Sales using the tender at least once.")
    change_amount = models.DecimalField(**SUM_MONEY, default=0)
    refund_amount = models.DecimalField(**SUM_MONEY, default=0)
    refund_count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "location", "method"], name="daily_tender_sales_key"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.location_id} {self.method}"
