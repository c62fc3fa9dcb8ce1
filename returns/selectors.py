from __future__ import annotations

from collections.abc import Collection
from datetime import date

from django.db.models import Prefetch, QuerySet

from returns.models import Return, ReturnItem
from shared.dates import end_of_day_exclusive, start_of_day
from shared.graphql import decode_id

# Per field of the Return type, the related rows joined into the returns' query.
RETURN_JOINS = {
    "sale": ("sale__cashier", "sale__location", "sale__customer"),
    "exchange_sale": ("exchange_sale",),
    "customer": ("customer",),
    "requested_by": ("requested_by",),
    "decided_by": ("decided_by",),
}
RETURN_RELATIONS = frozenset({"items"})


def _with_details(
    returns: QuerySet[Return],
    joins: Collection[str] = frozenset(RETURN_JOINS),
    preload: Collection[str] = RETURN_RELATIONS,
) -> QuerySet[Return]:
    """What the Return type exposes, in a fixed number of queries whatever the page size.

    The sale comes with what a returns screen shows of it (cashier, location, customer), and each
    line's sale item with its product and batch draws, shaped as the Sale type shapes them.
    `joins` (RETURN_JOINS keys) and `preload` ("items") narrow that to what a query selects.
    """
    related = [path for name in sorted(set(joins) & set(RETURN_JOINS)) for path in RETURN_JOINS[name]]
    if related:
        returns = returns.select_related(*related)
    if "items" not in preload:
        return returns
    items = (
        ReturnItem.objects.select_related("sale_item__product")
        .prefetch_related("sale_item__batches")
        .order_by("pk")
    )
    return returns.prefetch_related(Prefetch("items", queryset=items))


def list_returns(
    *,
    status: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    customer_id: int | None = None,
    sale_id: int | None = None,
    joins: Collection[str] = frozenset(RETURN_JOINS),
    preload: Collection[str] = RETURN_RELATIONS,
) -> QuerySet[Return]:
    """Returns newest first; `status="pending"` is the manager's to-do list.

    `joins` and `preload`: what to load along (see `_with_details`).
    """
    returns = Return.objects.all()
    if status:
        returns = returns.filter(status=status)
    if date_from:
        returns = returns.filter(created_at__gte=start_of_day(date_from))
    if date_to:
        returns = returns.filter(created_at__lt=end_of_day_exclusive(date_to))
    if customer_id:
        returns = returns.filter(customer_id=customer_id)
    if sale_id:
        returns = returns.filter(sale_id=sale_id)
    return _with_details(returns, joins, preload).order_by("-created_at", "-pk")


def get_return(*, return_id: int) -> Return | None:
    return _with_details(Return.objects.filter(pk=return_id)).first()


def find_return(*, identifier: str) -> Return | None:
    """By raw id, Relay global id or return number."""
    pk = decode_id(identifier, "Return")
    if pk is not None:
        return get_return(return_id=pk)
    return _with_details(Return.objects.filter(return_number__iexact=str(identifier).strip())).first()
