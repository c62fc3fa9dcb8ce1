from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from shared.models import QuickLoadModel, TimeStampedModel

MONEY = {"max_digits": 12, "decimal_places": 2}


class Customer(TimeStampedModel):
    """A customer with a credit account. `balance` > 0: owes the shop; < 0: the shop holds credit."""

    class Type(models.TextChoices):
        RETAIL = "retail", "Retail"
        WHOLESALE = "wholesale", "Wholesale"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        BLOCKED = "blocked", "Blocked"
        ARCHIVED = "archived", "Archived"

    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    customer_type = models.CharField(max_length=10, choices=Type.choices, default=Type.RETAIL)
    credit_limit = models.DecimalField(**MONEY, default=0, help_text="Most the customer may owe.")
    # Written only by customers.services, under a row lock, together with its ledger entry.
    balance = models.DecimalField(**MONEY, default=0, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            models.Index(Upper("name"), name="customer_name_upper"),
            models.Index(fields=["phone"], name="customer_phone"),
            models.Index(Upper("email"), name="customer_email_upper"),
            models.Index(fields=["status", "name"], name="customer_status_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_limit__gte=0), name="customer_credit_limit_non_negative"
            ),
        ]

    def __str__(self):
        return self.name


class CustomerLedgerEntry(QuickLoadModel):
    """One change of what a customer owes. Append-only: corrections are new entries."""

    class EntryType(models.TextChoices):
        SALE_CHARGE = "sale_charge", "Sale charged to account"
        PAYMENT = "payment", "Payment"
        OVERPAYMENT_CREDIT = "overpayment_credit", "Overpayment kept as credit"
        STORE_CREDIT_USED = "store_credit_used", "Store credit used"
        REFUND_CREDIT = "refund_credit", "Refund as credit"
        ADJUSTMENT = "adjustment", "Manager adjustment"
        VOID_REVERSAL = "void_reversal", "Voided sale reversed"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="ledger_entries")
    entry_type = models.CharField(max_length=24, choices=EntryType.choices)
    amount = models.DecimalField(**MONEY, help_text="Signed: positive raises what the customer owes.")
    balance_after = models.DecimalField(**MONEY)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reference_type = models.CharField(max_length=16, blank=True)
    reference_id = models.BigIntegerField(null=True, blank=True)
    reference = models.CharField(max_length=64, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["customer", "pk"]
        verbose_name_plural = "customer ledger entries"
        indexes = [
            models.Index(fields=["customer", "created_at"], name="ledger_customer_created"),
            models.Index(fields=["reference_type", "reference_id"], name="ledger_reference"),
        ]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_not_zero")]

    def __str__(self):
        return f"{self.customer}: {self.amount:+} ({self.get_entry_type_display()})"


class CustomerPayment(QuickLoadModel):
    """Money a customer paid into their account (off a debt, or in advance)."""

    class Method(models.TextChoices):
        CASH = "cash", "Cash"
        TRANSFER = "transfer", "Transfer"
        CARD = "card", "Card"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(**MONEY)
    method = models.CharField(max_length=10, choices=Method.choices)
    reference = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=500, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ledger_entry = models.OneToOneField(CustomerLedgerEntry, on_delete=models.PROTECT, related_name="payment")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="customer_payment_amount_positive")
        ]
