"""Registers (tills), their shifts, and the shift's cash ledger.

A shift's figures are never kept as running totals: every effect on the drawer is a row
(`ShiftPosting` for documents posted by sales, returns and customer payments; `CashMovement` for
pay-ins, pay-outs and drops), and the X/Z figures are sums over them (tills.selectors).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from shared.models import TimeStampedModel

MONEY = {"max_digits": 12, "decimal_places": 2}


class Register(TimeStampedModel):
    """A till at a location. Retired registers keep their shifts and Z numbers."""

    location = models.ForeignKey("products.Location", on_delete=models.PROTECT, related_name="registers")
    name = models.CharField(max_length=80)
    receipt_header = models.CharField(max_length=500, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    last_z_number = models.PositiveIntegerField(
        default=0, help_text="The last Z number handed out (gapless; incremented under a row lock at close)."
    )

    class Meta:
        ordering = ["location", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "name"],
                condition=Q(retired_at__isnull=True),
                name="register_active_name_unique_per_location",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Shift(TimeStampedModel):
    """One cashier's turn at one register, from the opening float to the counted close."""

    class Status(models.TextChoices):
        OPEN = "OPEN", "Open"
        PENDING_APPROVAL = "PENDING_APPROVAL", "Closed, variance awaiting a manager"
        CLOSED = "CLOSED", "Closed"

    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="shifts")
    cashier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shifts")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    opened_at = models.DateTimeField()
    opening_float = models.DecimalField(**MONEY)
    opening_denominations = models.JSONField(default=list, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    counted_cash = models.DecimalField(**MONEY, null=True, blank=True)
    counted_denominations = models.JSONField(default=list, blank=True)
    counted_by_tender = models.JSONField(default=dict, blank=True)
    expected_cash = models.DecimalField(**MONEY, null=True, blank=True, help_text="Fixed at close.")
    variance = models.DecimalField(**MONEY, null=True, blank=True, help_text="counted - expected cash.")
    close_note = models.CharField(max_length=500, blank=True)
    z_number = models.PositiveIntegerField(null=True, blank=True)
    z_report = models.JSONField(null=True, blank=True, help_text="Every Z figure, fixed at close.")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["cashier", "status"], name="shift_cashier_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["register"], condition=Q(status="OPEN"), name="shift_one_open_per_register"
            ),
            models.UniqueConstraint(
                fields=["cashier"], condition=Q(status="OPEN"), name="shift_one_open_per_cashier"
            ),
            models.UniqueConstraint(
                fields=["register", "z_number"],
                condition=Q(z_number__isnull=False),
                name="shift_z_number_unique_per_register",
            ),
            models.CheckConstraint(
                condition=Q(opening_float__gte=0), name="shift_opening_float_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(status="OPEN")
                | Q(closed_at__isnull=False, z_number__isnull=False, counted_cash__isnull=False),
                name="shift_closed_has_count_and_z",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.register} / {self.cashier} ({self.status})"


class ShiftPosting(models.Model):
    """What one document did to a shift, per tender (signed: positive is money into the shop).

    Written by the services of sales, returns and customers through tills.services.post_to_shift;
    a void writes the negation of the sale's posting, so a closed Z never changes.
    """

    class Kind(models.TextChoices):
        SALE = "SALE", "Sale"
        VOID = "VOID", "Void"
        REFUND = "REFUND", "Refund"
        ACCOUNT_PAYMENT = "ACCOUNT_PAYMENT", "Payment on account"
        EXCHANGE_DIFFERENCE = "EXCHANGE_DIFFERENCE", "Exchange difference paid back"

    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="postings")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reference_type = models.CharField(max_length=16)
    reference_id = models.BigIntegerField()
    total = models.DecimalField(**MONEY, default=0, help_text="Document total (sale total, -refund).")
    discount = models.DecimalField(**MONEY, default=0)
    tax = models.DecimalField(**MONEY, default=0)
    cash = models.DecimalField(**MONEY, default=0, help_text="Cash into the drawer, net of change.")
    card = models.DecimalField(**MONEY, default=0)
    transfer = models.DecimalField(**MONEY, default=0)
    on_account = models.DecimalField(**MONEY, default=0, help_text="Charged to customer accounts.")
    store_credit = models.DecimalField(**MONEY, default=0, help_text="Store credit spent (+) or given (-).")
    exchange = models.DecimalField(**MONEY, default=0, help_text="Value of goods exchanged.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shift", "pk"]
        indexes = [
            models.Index(fields=["shift", "kind"], name="shift_posting_shift_kind"),
            models.Index(fields=["reference_type", "reference_id"], name="shift_posting_reference"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference_type} {self.reference_id}"


class CashMovement(models.Model):
    """Cash put into or taken out of the drawer that is not a sale: float top-up, paid-out, safe drop."""

    class Kind(models.TextChoices):
        PAY_IN = "PAY_IN", "Pay-in"
        PAY_OUT = "PAY_OUT", "Pay-out"
        DROP = "DROP", "Safe drop"

    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="cash_movements")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    amount = models.DecimalField(**MONEY)
    reason = models.CharField(max_length=500)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shift", "pk"]
        indexes = [models.Index(fields=["shift", "kind"], name="cash_movement_shift_kind")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="cash_movement_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class ShiftPostingTax(models.Model):
    """A posting's tax at one rate (signed like its posting), for the Z's tax by rate.

    `shift` repeats the posting's shift so the X/Z sums one indexed range, like the postings.
    """

    posting = models.ForeignKey(ShiftPosting, on_delete=models.CASCADE, related_name="taxes")
    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="+")
    rate = models.DecimalField(max_digits=6, decimal_places=4, help_text="Fraction, e.g. 0.0750 for 7.5 %.")
    taxable = models.DecimalField(**MONEY, help_text="Amount the tax was charged on, tax excluded.")
    tax = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["posting", "rate"]
        indexes = [models.Index(fields=["shift", "rate"], name="shift_posting_tax_shift_rate")]
        constraints = [
            models.UniqueConstraint(fields=["posting", "rate"], name="shift_posting_tax_one_row_per_rate")
        ]

    def __str__(self) -> str:
        return f"{self.rate}: {self.tax} on {self.taxable}"
