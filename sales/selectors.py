from __future__ import annotations

from collections.abc import Collection
from datetime import date

from django.db.models import Prefetch, QuerySet

from customers import selectors as customer_selectors
from customers.selectors import CustomerPages
from sales.models import Payment, Sale, SaleItem, SaleItemBatch
from shared.dates import end_of_day_exclusive, start_of_day
from shared.graphql import decode_id
from shared.roles import Role, has_role

SALE_JOINS = frozenset({"customer", "location", "cashier", "voided_by"})
SALE_RELATIONS = frozenset({"items", "items.product", "items.batches", "payments", "returns"})


def _with_details(
    sales: QuerySet[Sale], joins: Collection[str] = SALE_JOINS, preload: Collection[str] = SALE_RELATIONS
) -> QuerySet[Sale]:
    """What the Sale type exposes, in a fixed number of queries whatever the page size.

    `joins` names the related rows joined into the sales' query and `preload` the per-sale relations
    fetched (one query each; "items.product" and "items.batches" ride on "items", and
    "returns.<lookup>" are relations of the returns). A list that shows transaction ids and totals
    needs neither.
    """
    prefetches = sale_prefetches(preload)
    sales = sales.select_related(*sorted(SALE_JOINS & set(joins))) if joins else sales
    return sales.prefetch_related(*prefetches)


def sale_prefetches(preload: Collection[str], prefix: str = "") -> list[Prefetch | str]:
    """The prefetches of `_with_details` for `preload`, from rows that reach sales by `prefix`
    (e.g. "sale__" from returns). "returns.<lookup>" preloads that lookup of the sale's returns."""
    prefetches: list[Prefetch | str] = []
    if "items" in preload:
        items = SaleItem.objects.order_by("line_number")
        if "items.product" in preload:
            items = items.select_related("product")
        if "items.batches" in preload:
            # Explicit order: the model's default (sale_item, pk) would join the sales table.
            batches = SaleItemBatch.objects.select_related("batch__location").order_by("pk")
            items = items.prefetch_related(Prefetch("batches", queryset=batches))
        prefetches.append(Prefetch(f"{prefix}items", queryset=items))
    if "payments" in preload:
        prefetches.append(Prefetch(f"{prefix}payments", queryset=Payment.objects.order_by("pk")))
    if "returns" in preload:
        prefetches.append(f"{prefix}returns")
        prefetches += sorted(
            f"{prefix}returns__{name.removeprefix('returns.')}"
            for name in preload
            if name.startswith("returns.")
        )
    return prefetches


def list_sales(
    *,
    user,
    date_from: date | None = None,
    date_to: date | None = None,
    customer_id: str | None = None,
    cashier_id: str | None = None,
    location_id: str | None = None,
    status: str | None = None,
    payment_method: str | None = None,
    transaction_id: str | None = None,
    device_receipt_number: str | None = None,
    joins: Collection[str] = SALE_JOINS,
    preload: Collection[str] = SALE_RELATIONS,
    columns: Collection[str] | None = None,
    customer_pages: CustomerPages | None = None,
) -> QuerySet[Sale]:
    """Sales newest first; cashiers see only their own. Days are shop-local (TIME_ZONE).

    `joins` and `preload`: what to load along (see `_with_details`); `columns`: the sales' columns
    to load when not all (shared.graphql.selected_columns). `customer_pages`: the pages of
    each sale's customer's ledger and sales the list shows; the customers are then read in a query
    of their own with those pages (customers.selectors.customer_prefetch) instead of joined.
    """
    sales = Sale.objects.all() if columns is None else Sale.objects.only(*columns)
    if not has_role(user, Role.MANAGER):
        sales = sales.filter(cashier=user)
    if date_from:
        sales = sales.filter(created_at__gte=start_of_day(date_from))
    if date_to:
        sales = sales.filter(created_at__lt=end_of_day_exclusive(date_to))
    if customer_id:
        sales = sales.filter(customer_id=decode_id(customer_id, "Customer"))
    if cashier_id:
        sales = sales.filter(cashier_id=decode_id(cashier_id, "User"))
    if location_id:
        sales = sales.filter(location_id=decode_id(location_id, "Location"))
    if status:
        sales = sales.filter(status=getattr(status, "value", status))
    if payment_method:
        sales = sales.filter(payments__method=payment_method).distinct()
    if transaction_id:
        sales = sales.filter(transaction_id__iexact=transaction_id.strip())
    if device_receipt_number:
        sales = sales.filter(device_receipt_number=device_receipt_number.strip())
    if not customer_pages:
        return _with_details(sales, joins, preload).order_by("-created_at", "-pk")
    sales = _with_details(sales, set(joins) - {"customer"}, preload)
    sales = sales.prefetch_related(
        customer_selectors.customer_prefetch(through="customer", pages=customer_pages)
    )
    return sales.order_by("-created_at", "-pk")


def get_sale(*, sale_id: int) -> Sale | None:
    return _with_details(Sale.objects.filter(pk=sale_id)).first()


_SALE_JOINS_BY_FIELD = {
    "customer": "customer",
    "customerBalance": "customer",
    "location": "location",
    "cashier": "cashier",
    "voidedBy": "voided_by",
}


def sale_loads(sale_fields: Collection[str], item_fields: Collection[str] = ()) -> tuple[set[str], set[str]]:
    """The `joins` and `preload` (see `_with_details`) for a Sale shown with `sale_fields` (GraphQL
    names, e.g. from `shared.graphql.selected_fields`) and its items with `item_fields`."""
    joins = {join for name, join in _SALE_JOINS_BY_FIELD.items() if name in sale_fields}
    preload = {name for name in ("items", "payments", "returns") if name in sale_fields}
    if "items" in preload:
        preload |= {f"items.{name}" for name in ("product", "batches") if name in item_fields}
    return joins, preload


def find_sale(
    *,
    identifier: str | int | None,
    joins: Collection[str] = SALE_JOINS,
    preload: Collection[str] = SALE_RELATIONS,
) -> Sale | None:
    """A sale by raw id, Relay global id, transaction id (e.g. S2026-000123) or, failing those, the
    number an offline till printed (`device_receipt_number`; the newest if two devices share one).

    Not scoped to the caller: any staff member may open one sale (reprint a receipt, start a
    return). Lists are scoped in `list_sales`. `joins` and `preload`: what to load along.
    """
    if identifier is None:
        return None
    raw = str(identifier).strip()
    sales = _with_details(Sale.objects.all(), joins, preload)
    if raw.isdigit():
        return sales.filter(pk=int(raw)).first()
    pk = decode_id(raw, "Sale")
    if pk is not None:
        return sales.filter(pk=pk).first()
    return (
        sales.filter(transaction_id__iexact=raw).first()
        or sales.filter(device_receipt_number=raw).order_by("-pk").first()
    )
