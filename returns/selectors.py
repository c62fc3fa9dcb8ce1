from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from customers import selectors as customer_selectors
from customers.selectors import CustomerPages
from returns.models import Return, ReturnItem
from sales import selectors as sale_selectors
from sales.choices import SaleStatus
from sales.models import Sale, SaleItem
from shared.dates import end_of_day_exclusive, start_of_day
from shared.graphql import decode_id
from shared.money import QTY_STEP

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
    prefetched: Collection[str] = (),
) -> QuerySet[Return]:
    """What the Return type exposes, in a fixed number of queries whatever the page size.

    The sale comes with what a returns screen shows of it (cashier, location, customer), and each
    line's sale item with its product and batch draws, shaped as the Sale type shapes them.
    `joins` (RETURN_JOINS keys) and `preload` ("items") narrow that to what a query selects;
    "sale.<relation>" and "exchange_sale.<relation>" preload relations of those sales as the sales
    selectors name them ("sale.items", "sale.items.product", "sale.payments"). `prefetched`: joined
    paths the caller prefetches instead (a join would stop the prefetch).
    """
    related = [
        path
        for name in sorted(set(joins) & set(RETURN_JOINS))
        for path in RETURN_JOINS[name]
        if path not in prefetched
    ]
    if related:
        returns = returns.select_related(*related)
    for sale_field in ("sale", "exchange_sale"):
        shown = {name.removeprefix(f"{sale_field}.") for name in preload if name.startswith(f"{sale_field}.")}
        returns = returns.prefetch_related(*sale_selectors.sale_prefetches(shown, prefix=f"{sale_field}__"))
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
    customer_pages: CustomerPages | None = None,
    sale_customer_pages: CustomerPages | None = None,
) -> QuerySet[Return]:
    """Returns newest first; `status="pending"` is the manager's to-do list.

    `joins` and `preload`: what to load along (see `_with_details`). `customer_pages`: the pages of
    each return's customer's ledger and sales the list shows (customers.selectors.customer_prefetch);
    `sale_customer_pages`: the same for the customer of each return's sale.
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
    # A customer whose pages are shown is prefetched with them, not joined (customer_prefetch).
    pages = {"customer": customer_pages, "sale__customer": sale_customer_pages}
    pages = {through: asked for through, asked in pages.items() if asked}
    returns = _with_details(returns, joins, preload, prefetched=pages)
    returns = returns.prefetch_related(
        *(
            customer_selectors.customer_prefetch(through=through, pages=asked)
            for through, asked in pages.items()
        )
    )
    return returns.order_by("-created_at", "-pk")


def get_return(*, return_id: int) -> Return | None:
    return _with_details(Return.objects.filter(pk=return_id)).first()


def find_return(*, identifier: str) -> Return | None:
    """By raw id, Relay global id or return number."""
    pk = decode_id(identifier, "Return")
    if pk is not None:
        return get_return(return_id=pk)
    return _with_details(Return.objects.filter(return_number__iexact=str(identifier).strip())).first()


_QTY = DecimalField(max_digits=15, decimal_places=3)
_NO_QTY = Decimal("0.000")


@dataclass(frozen=True)
class ReturnableLine:
    """One sale line and how much of it can still be returned."""

    sale_item: SaleItem
    returned: Decimal | None  # approved returns (None: not read)
    pending: Decimal | None  # requested, not yet decided (None: not read)
    returnable: Decimal | None  # what create_return accepts now (None: not read)


@dataclass(frozen=True)
class ReturnableSale:
    sale: Sale
    lines: tuple[ReturnableLine, ...]


def get_returnable_sale(
    *,
    identifier: str,
    joins: Collection[str] = sale_selectors.SALE_JOINS,
    preload: Collection[str] = sale_selectors.SALE_RELATIONS,
    with_lines: bool = True,
    with_claims: bool = True,
) -> ReturnableSale | None:
    """A sale (by receipt number, raw or Relay id) with what each line can still be returned.

    Returnable is what `create_return` accepts now: sold minus pending and approved claims, and
    nothing of a voided sale. A fixed number of queries whatever the number of lines: the sale with
    the details in `joins` and `preload` (sales selectors; the items too `with_lines`) and, `with_claims`,
    one aggregate of the claims per line. Without claims a line's quantities other than sold are None.
    """
    preload = {"items", *preload} if with_lines else preload
    sale = sale_selectors.find_sale(identifier=identifier, joins=joins, preload=preload)
    if sale is None:
        return None
    if not with_lines:
        return ReturnableSale(sale=sale, lines=())
    if not with_claims:
        lines = (
            ReturnableLine(sale_item=item, returned=None, pending=None, returnable=None)
            for item in sale.items.all()
        )
        return ReturnableSale(sale=sale, lines=tuple(lines))
    claims = {
        row["sale_item_id"]: row
        for row in ReturnItem.objects.filter(sale_item__sale_id=sale.pk)
        .values("sale_item_id")
        .order_by("sale_item_id")
        .annotate(
            returned=Coalesce(
                Sum("quantity", filter=Q(return_request__status=Return.Status.APPROVED)),
                Value(_NO_QTY),
                output_field=_QTY,
            ),
            pending=Coalesce(
                Sum("quantity", filter=Q(return_request__status=Return.Status.PENDING)),
                Value(_NO_QTY),
                output_field=_QTY,
            ),
        )
    }

    def claimed(item: SaleItem, status: str) -> Decimal:
        # SQLite sums decimals through floating point: back to three places before any comparison.
        row = claims.get(item.pk)
        return Decimal(str(row[status])).quantize(QTY_STEP) if row else _NO_QTY

    voided = sale.status == SaleStatus.VOIDED
    lines = []
    for item in sale.items.all():
        returned, pending = claimed(item, "returned"), claimed(item, "pending")
        left = max(item.quantity - returned - pending, _NO_QTY)
        lines.append(
            ReturnableLine(
                sale_item=item, returned=returned, pending=pending, returnable=_NO_QTY if voided else left
            )
        )
    return ReturnableSale(sale=sale, lines=tuple(lines))
