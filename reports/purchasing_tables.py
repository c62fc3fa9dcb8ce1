"""The purchasing reports as tables (CSV download, `manage.py report`), read through purchasing.reports."""

from __future__ import annotations

from collections.abc import Callable

from purchasing import reports
from reports.table_base import ReportError, Table, report_dates
from shared.dates import check_date_range
from shared.errors import DomainError
from shared.money import format_money, format_quantity


def _choice(params: dict, name: str, choices, default: str) -> str:
    value = (params.get(name) or default).upper()
    if value not in choices:
        raise ReportError(f"{name} must be one of {', '.join(choices)}.")
    return value


def _limit(params: dict) -> int:
    try:
        limit = int(params.get("limit") or 100)
    except ValueError:
        raise ReportError("limit must be a whole number.") from None
    if not 1 <= limit <= reports.MAX_ROWS:
        raise ReportError(f"limit must be between 1 and {reports.MAX_ROWS}.")
    return limit


def _checked_dates(params: dict, granularity: str | None = None):
    date_from, date_to = report_dates(params)
    try:
        check_date_range(date_from, date_to, granularity=granularity)
    except DomainError as exc:
        raise ReportError(exc.message) from None
    return date_from, date_to


def purchases_by_supplier(params) -> Table:
    granularity = _choice(params, "granularity", reports.TRUNC, "MONTH")
    date_from, date_to = _checked_dates(params, granularity)
    rows = [
        [
            str(r.start),
            r.supplier.name,
            str(r.orders),
            str(r.ordered_lines),
            format_money(r.ordered_value),
            str(r.received_lines),
            format_money(r.received_value),
            format_money(r.received_at_order_cost),
            format_money(r.landed_cost),
            format_money(r.price_variance),
        ]
        for r in reports.purchases_by_supplier(granularity=granularity, date_from=date_from, date_to=date_to)
    ]
    headers = [
        "Start",
        "Supplier",
        "Orders",
        "Lines ordered",
        "Ordered value",
        "Lines received",
        "Received value",
        "Received at PO cost",
        "Landed cost",
        "Price variance",
    ]
    return Table(f"Purchases by supplier and {granularity.lower()} {date_from} to {date_to}", headers, rows)


def stock_on_order(params) -> Table:
    rows = [
        [
            r.product.sku,
            r.product.name,
            r.location.name,
            format_quantity(r.quantity),
            format_money(r.value),
            str(r.expected_on or ""),
            str(r.purchase_orders),
        ]
        for r in reports.stock_on_order(limit=_limit(params))
    ]
    headers = ["SKU", "Product", "Location", "On order", "Value", "Expected", "Purchase orders"]
    return Table("Stock on order", headers, rows)


def supplier_price_history(params) -> Table:
    date_from, date_to = _checked_dates(params)
    rows = [
        [
            line.order_line.product.sku,
            line.order_line.product.name,
            line.receipt.purchase_order.supplier.name,
            line.receipt.created_at.date().isoformat(),
            line.receipt.purchase_order.number or "",
            format_quantity(line.quantity),
            f"{line.order_line.unit_cost:.4f}",
            f"{line.invoice_unit_cost:.4f}",
            f"{line.unit_cost:.4f}",
            format_money(line.price_variance_amount),
        ]
        for line in reports.supplier_price_history(date_from=date_from, date_to=date_to, limit=_limit(params))
    ]
    headers = [
        "SKU",
        "Product",
        "Supplier",
        "Received",
        "PO number",
        "Quantity",
        "PO unit cost",
        "Invoice unit cost",
        "Landed unit cost",
        "Price variance",
    ]
    return Table(f"Supplier price history {date_from} to {date_to}", headers, rows)


def _shrinkage(stocktakes_only: bool, title: str) -> Callable[[dict], Table]:
    def build(params) -> Table:
        date_from, date_to = _checked_dates(params)
        group_by = _choice(params, "group_by", reports.GROUPS, "PRODUCT")
        rows = [
            [
                r.label,
                format_quantity(r.quantity_lost),
                format_quantity(r.quantity_found),
                format_money(r.value_lost),
                format_money(r.value_found),
                format_money(r.net_value),
                str(r.movements),
            ]
            for r in reports.shrinkage(
                group_by=group_by,
                date_from=date_from,
                date_to=date_to,
                stocktakes_only=stocktakes_only,
                limit=_limit(params),
            )
        ]
        headers = [group_by.title(), "Lost", "Found", "Value lost", "Value found", "Net value", "Movements"]
        return Table(f"{title} by {group_by.lower()} {date_from} to {date_to}", headers, rows)

    return build


REPORTS: dict[str, Callable[[dict], Table]] = {
    "purchases-by-supplier": purchases_by_supplier,
    "stock-on-order": stock_on_order,
    "supplier-price-history": supplier_price_history,
    "shrinkage": _shrinkage(False, "Shrinkage"),
    "stocktake-variances": _shrinkage(True, "Stocktake variances"),
}
