"""Enumerations of the sales app (importable without touching the database)."""

from __future__ import annotations

from django.db.models import TextChoices


class SaleType(TextChoices):
    RETAIL = "retail", "Retail"
    WHOLESALE = "wholesale", "Wholesale"


class SaleStatus(TextChoices):
    COMPLETED = "completed", "Completed"
    VOIDED = "voided", "Voided"
    PARTIALLY_RETURNED = "partially_returned", "Partially returned"
    RETURNED = "returned", "Returned"


class PaymentMethod(TextChoices):
    CASH = "cash", "Cash"
    TRANSFER = "transfer", "Transfer"
    CARD = "card", "Card"
    CREDIT = "credit", "Credit (on account)"
    STORE_CREDIT = "store_credit", "Store credit"
    PART_PAYMENT = "part_payment", "Part payment"
    # Value of goods handed back in the same exchange; only returns.exchange may tender it.
    EXCHANGE = "exchange", "Exchanged goods"


# Spellings clients may send for a method; stored as the canonical value.
PAYMENT_METHOD_ALIASES: dict[str, PaymentMethod] = {"credit_card": PaymentMethod.CARD}

# Money the shop receives at the till (counts towards `amount_paid`).
MONEY_RECEIVED_NOW: frozenset[PaymentMethod] = frozenset(
    {PaymentMethod.CASH, PaymentMethod.TRANSFER, PaymentMethod.CARD, PaymentMethod.PART_PAYMENT}
)
