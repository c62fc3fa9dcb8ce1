"""What an offline sale keeps from its till (offline.services.sync calls this after create_sale)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction

from sales.models import Payment, Sale
from shared.errors import check_length


@dataclass(frozen=True)
class CataloguePrice:
    """The catalogue price (by the sale's type) and tax rate a till's catalogue held for one line:
    create_sale's `catalogue_prices` use it instead of today's (offline.prices finds it)."""

    unit_price: Decimal
    tax_rate: Decimal


@transaction.atomic
def stamp_offline_sale(*, sale: Sale, business_time: datetime, device_receipt_number: str) -> Sale:
    """Date the sale and its payments at the till's sale time and keep the till's receipt number.

    Reports, day filters and the sales list read `created_at`, so an offline sale lands on the day
    it was made, not the day it reached the server. Stock movements and ledger rows keep the time
    the server wrote them: their running balances are in the order they were applied.
    """
    number = check_length(device_receipt_number, limit=40, field="deviceReceiptNumber")
    Sale.objects.filter(pk=sale.pk).update(created_at=business_time, device_receipt_number=number)
    Payment.objects.filter(sale_id=sale.pk).update(created_at=business_time)
    sale.created_at = business_time
    sale.device_receipt_number = number
    for payment in sale.payments.all():
        payment.created_at = business_time
    return sale
