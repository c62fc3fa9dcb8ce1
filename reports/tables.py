"""Every report as a table (headers + rows of strings): one shape for CSV, the CLI and the dashboard."""

from __future__ import annotations

from collections.abc import Callable

from reports import purchasing_tables
from reports.selectors import (
    customer_debt,
    product_performance,
    profit,
    revenue_periods,
    sales_breakdowns,
    sales_figures,
    stock,
)
from reports.table_base import ReportError, Table
from reports.table_base import report_dates as _dates
from shared.money import format_money, format_quantity

__all__ = ["REPORTS", "ReportError", "Table", "build"]


def sales_stats(params) -> Table:
    date_from, date_to = _dates(params)
    s = sales_figures.sales_stats_summary(date_from=date_from, date_to=date_to)
    rows = [
        ["Total sales", format_money(s.total_sales)],
        ["Transactions", str(s.total_transactions)],
        ["Average sale", format_money(s.average_sale_value)],
        [
            "Put on customer accounts",
            f"{format_money(s.customer_debt_incurred.value)} ({s.customer_debt_incurred.count} sales)",
        ],
        ["Refunds", format_money(s.total_refunds)],
        ["Net sales", format_money(s.net_sales)],
        ["Gross profit", format_money(s.gross_profit)],
        ["Discounts", format_money(s.total_discounts)],
        ["Tax", format_money(s.total_tax)],
    ]
    rows += [[f"Paid by {m.method}", format_money(m.value)] for m in s.by_payment_method]
    return Table(f"Sales {date_from} to {date_to}", ["Figure", "Value"], rows)


def revenue_by_period(params) -> Table:
    date_from, date_to = _dates(params)
    granularity = (params.get("granularity") or "DAY").upper()
    if granularity not in revenue_periods.TRUNC:
        raise ReportError("granularity must be DAY, WEEK or MONTH.")
    buckets = revenue_periods.revenue_by_period(granularity=granularity, date_from=date_from, date_to=date_to)
    rows = [
        [
            str(b.start),
            format_money(b.revenue),
            format_money(b.refunds),
            format_money(b.net),
            str(b.transactions),
        ]
        for b in buckets
    ]
    return Table(f"Revenue by {granularity.lower()}", ["Start", "Revenue", "Refunds", "Net", "Sales"], rows)


def profit_and_loss(params) -> Table:
    date_from, date_to = _dates(params)
    p = profit.profit_and_loss_summary(date_from=date_from, date_to=date_to)
    rows = [
        [
            label.replace("_", " ").capitalize(),
            format_money(value) if label != "margin_percent" else f"{value:.2f} %",
        ]
        for label, value in p.__dict__.items()
    ]
    return Table(f"Profit and loss {date_from} to {date_to}", ["Line", "Amount"], rows)


def top_products(params) -> Table:
    date_from, date_to = _dates(params)
    by = (params.get("by") or "REVENUE").upper()
    order = (params.get("order") or "BEST").upper()
    if by not in product_performance.TOP_BY or order not in ("BEST", "WORST"):
        raise ReportError("by must be QUANTITY, REVENUE, PROFIT or FREQUENCY; order BEST or WORST.")
    rows = [
        [
            r.product.sku,
            r.product.name,
            format_quantity(r.quantity),
            format_money(r.revenue),
            format_money(r.profit),
            str(r.frequency),
        ]
        for r in product_performance.top_products(
            by=by, order=order, limit=int(params.get("limit") or 10), date_from=date_from, date_to=date_to
        )
    ]
    return Table(
        f"{order.title()} products by {by.lower()}",
        ["SKU", "Product", "Quantity", "Revenue", "Profit", "Sales"],
        rows,
    )


def dead_stock(params) -> Table:
    days = int(params.get("days") or 90)
    rows = [
        [
            r.product.sku,
            r.product.name,
            format_quantity(r.quantity),
            format_money(r.value_at_cost),
            str(r.last_sold_at or "never"),
        ]
        for r in stock.dead_stock(days=days)
    ]
    return Table(
        f"No sale for {days} days", ["SKU", "Product", "On hand", "Value at cost", "Last sold"], rows
    )


def inventory_valuation(params) -> Table:
    data = stock.inventory_valuation()
    rows = [
        [
            "Total",
            data["total"].label,
            format_quantity(data["total"].quantity),
            format_money(data["total"].at_cost),
            format_money(data["total"].at_retail),
        ]
    ]
    for group in ("by_category", "by_location"):
        rows += [
            [
                group.replace("by_", ""),
                v.label,
                format_quantity(v.quantity),
                format_money(v.at_cost),
                format_money(v.at_retail),
            ]
            for v in data[group]
        ]
    # Owned but in no location: valued at the cost it left with (no retail figure on the road).
    rows.append(
        [
            "in transit",
            "Sent, not yet received",
            format_quantity(data["in_transit_quantity"]),
            format_money(data["in_transit_value"]),
            "",
        ]
    )
    return Table("Inventory valuation", ["Group", "Name", "Quantity", "At cost", "At retail"], rows)


def outstanding_debt(params) -> Table:
    d = customer_debt.outstanding_debt_summary(limit=int(params.get("limit") or 10))
    rows = [
        ["Total owed", format_money(d.total_owed)],
        ["Customers owing", str(d.customers_owing)],
        ["Credit held", format_money(d.total_credit_held)],
    ]
    rows += [[f"Aged {label} days", format_money(value)] for label, value in d.aging]
    rows += [[f"Debtor: {x.customer.name}", format_money(x.balance)] for x in d.largest_debtors]
    return Table("Outstanding customer debt", ["Figure", "Value"], rows)


def _groups(title: str, fetch) -> Callable[[dict], Table]:
    def build(params) -> Table:
        date_from, date_to = _dates(params)
        rows = [
            [g.label, format_money(g.value), str(g.count)]
            for g in fetch(date_from=date_from, date_to=date_to)
        ]
        return Table(f"{title} {date_from} to {date_to}", ["Name", "Sales value", "Sales"], rows)

    return build


def _methods(params) -> Table:
    date_from, date_to = _dates(params)
    rows = [
        [m.method, format_money(m.value), str(m.count)]
        for m in sales_figures.sales_by_payment_method(date_from=date_from, date_to=date_to)
    ]
    return Table(f"Payment methods {date_from} to {date_to}", ["Method", "Amount", "Sales"], rows)


REPORTS: dict[str, Callable[[dict], Table]] = {
    "sales-stats": sales_stats,
    "revenue-by-period": revenue_by_period,
    "profit-and-loss": profit_and_loss,
    "top-products": top_products,
    "dead-stock": dead_stock,
    "inventory-valuation": inventory_valuation,
    "outstanding-debt": outstanding_debt,
    "sales-by-payment-method": _methods,
    "sales-by-cashier": _groups("Sales by cashier", sales_breakdowns.sales_by_cashier),
    "sales-by-category": _groups("Sales by category", sales_breakdowns.sales_by_category),
    **purchasing_tables.REPORTS,
}


def build(name: str, params: dict) -> Table:
    if name not in REPORTS:
        raise ReportError(f"Unknown report {name!r}; choose one of: {', '.join(REPORTS)}.")
    return REPORTS[name](params)
