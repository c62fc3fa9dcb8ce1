from django.conf import settings
from django.db import models
from django.db.models import Q

from shared.models import QuickLoadModel, TimeStampedModel

MONEY = {"max_digits": 12, "decimal_places": 2}
QUANTITY = {"max_digits": 12, "decimal_places": 3}


class Return(TimeStampedModel):
    """A request to take goods back against a sale; a manager approves or rejects it once."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    class RefundMethod(models.TextChoices):
        CASH = "cash", "Cash"
        ORIGINAL = "original", "Original payment method"
        STORE_CREDIT = "store_credit", "Store credit"
        EXCHANGE = "exchange", "Exchanged for other goods"

    return_number = models.CharField(max_length=32, unique=True)
    sale = models.ForeignKey("sales.Sale", on_delete=models.PROTECT, related_name="returns")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="returns"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    refund_method = models.CharField(max_length=16, choices=RefundMethod.choices)
    refund_total = models.DecimalField(**MONEY, help_text="What the returned goods were paid, to the cent.")
    debt_reduction_amount = models.DecimalField(
        **MONEY, default=0, help_text="Part of the refund that reduced the sale's debt."
    )
    credit_refund_amount = models.DecimalField(**MONEY, default=0, help_text="Part refunded as store credit.")
    cash_refund_amount = models.DecimalField(
        **MONEY, default=0, help_text="Part paid back (cash or original method)."
    )
    exchange_amount = models.DecimalField(
        **MONEY, default=0, help_text="Part spent on the replacement sale of an exchange."
    )
    exchange_sale = models.ForeignKey(
        "sales.Sale", on_delete=models.PROTECT, null=True, blank=True, related_name="exchanged_from"
    )
    note = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True, db_index=True)
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="return_status_created")]
        constraints = [
            models.CheckConstraint(condition=Q(refund_total__gte=0), name="return_refund_total_non_negative"),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="return_decided_has_who_and_when",
            ),
        ]

    def __str__(self):
        return self.return_number


class ReturnItem(QuickLoadModel):
    return_request = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="items")
    sale_item = models.ForeignKey("sales.SaleItem", on_delete=models.PROTECT, related_name="return_items")
    quantity = models.DecimalField(**QUANTITY)
    reason = models.CharField(max_length=255, blank=True)
    restock = models.BooleanField(default=True, help_text="Back on the shelf; otherwise written off.")
    refund_amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="return_item_quantity_positive"),
            models.CheckConstraint(condition=Q(refund_amount__gte=0), name="return_item_refund_non_negative"),
        ]
