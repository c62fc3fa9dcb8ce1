"""Turn reorder suggestions into draft purchase orders, one per supplier."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction

from purchasing.error_codes import PurchasingErrorCode as Code
from purchasing.models import PurchaseOrder
from purchasing.reorder import reorder_suggestions
from purchasing.services.common import MAX_LINES, require_manager
from purchasing.services.orders import OrderLineRequest, create_purchase_order, location_or_default
from shared.dates import check_days
from shared.errors import DomainError


@transaction.atomic
def draft_purchase_orders_from_suggestions(
    *,
    user,
    location_id: int | None = None,
    supplier_id: int | None = None,
    days: int = 30,
    cover_days: int = 14,
) -> list[PurchaseOrder]:
    """Draft one purchase order per supplier from the location's reorder suggestions (managers).

    Lines are costed at each product's moving average; a manager edits the drafts before ordering.
    """
    require_manager(user, "draft purchase orders")
    check_days(days, field="days", maximum=3650)
    check_days(cover_days, field="coverDays", maximum=3650)
    location = location_or_default(location_id)
    by_supplier = defaultdict(list)
    for suggestion in reorder_suggestions(
        location_id=location.pk, supplier_id=supplier_id, days=days, cover_days=cover_days
    ):
        by_supplier[suggestion.product.supplier_id].append(suggestion)
    if not by_supplier:
        raise DomainError(Code.NOTHING_TO_REORDER, "Nothing needs reordering here.", field="locationId")
    orders = []
    for supplier, suggestions in sorted(by_supplier.items()):
        for start in range(0, len(suggestions), MAX_LINES):
            orders.append(
                create_purchase_order(
                    user=user,
                    supplier_id=supplier,
                    location_id=location.pk,
                    lines=[
                        OrderLineRequest(s.product.pk, s.suggested_quantity, s.unit_cost)
                        for s in suggestions[start : start + MAX_LINES]
                    ],
                    note="Drafted from reorder suggestions.",
                )
            )
    return orders
