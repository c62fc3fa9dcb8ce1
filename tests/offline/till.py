"""A simulated offline till: rings sales up locally (its own sequence and receipt numbers, prices from
its last catalogue copy) and hands them over with syncSales, as docs/OFFLINE.md tells a till to."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from offline import services
from sales.services import PaymentRequest, SaleLineRequest, SaleRequest
from shared.money import q


@dataclass
class SimulatedTill:
    device: object
    prefix: str
    prices: dict[int, Decimal]  # product id -> the retail price the till knows
    sequence: int = 0
    catalogue_version: str = ""  # the catalogueVersion of the last catalogue page it applied
    outbox: list[services.SyncSaleRequest] = field(default_factory=list)

    def sell(
        self,
        lines: list[tuple[object, str]],
        *,
        sold_at: datetime | None = None,
        customer=None,
        on_account: bool = False,
        unit_prices: dict[int, Decimal] | None = None,
    ) -> services.SyncSaleRequest:
        """Ring a sale up offline (tax-free products: the total is the sum of the lines)."""
        self.sequence += 1
        prices = {**self.prices, **(unit_prices or {})}
        items = [
            SaleLineRequest(product_id=p.pk, quantity=Decimal(qty), unit_price=prices[p.pk])
            for p, qty in lines
        ]
        total = sum((q(line.unit_price * line.quantity) for line in items), Decimal("0"))
        method = "credit" if on_account else "cash"
        request = services.SyncSaleRequest(
            client_id=uuid.uuid4(),
            device_sequence=self.sequence,
            sold_at=sold_at or timezone.now() - timedelta(minutes=1),
            device_receipt_number=f"{self.prefix}-{self.sequence:06d}",
            catalogue_version=self.catalogue_version,
            sale=SaleRequest(
                items=items,
                payments=[PaymentRequest(method=method, amount=total)],
                customer_id=customer.pk if customer else None,
            ),
        )
        self.outbox.append(request)
        return request

    def sync(self, user, sales=None, *, batch: int = 100) -> list[services.SyncBatchResult]:
        pending = list(self.outbox if sales is None else sales)
        return [
            services.sync_sales(user=user, device=self.device, sales=pending[i : i + batch])
            for i in range(0, len(pending), batch)
        ]
