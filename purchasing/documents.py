"""The printable purchase order (HTML) and its CSV, from the same rows."""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from purchasing.models import PurchaseOrder
from shared.csv_safety import safe_row
from shared.money import format_money, format_quantity

CSV_HEADER = ["sku", "product", "quantity", "unit_cost", "line_total", "received"]


def _rows(purchase_order: PurchaseOrder) -> list[dict]:
    return [
        {
            "sku": line.product.sku,
            "name": line.product.name,
            "quantity": format_quantity(line.quantity),
            "unit_cost": format_money(line.unit_cost),
            "total": format_money(line.line_total),
            "received": format_quantity(line.received_quantity),
        }
        for line in purchase_order.lines.all()
    ]


def render_purchase_order_html(purchase_order: PurchaseOrder) -> str:
    return render_to_string(
        "purchasing/purchase_order.html",
        {
            "po": purchase_order,
            "title": purchase_order.number or f"Draft purchase order {purchase_order.pk}",
            "shop": {
                "name": settings.SHOP_NAME,
                "address": settings.SHOP_ADDRESS,
                "phone": settings.SHOP_PHONE,
            },
            "ordered_on": timezone.localtime(purchase_order.ordered_at).date()
            if purchase_order.ordered_at
            else None,
            "rows": _rows(purchase_order),
            "total": format_money(purchase_order.total),
        },
    )


def render_purchase_order_csv(purchase_order: PurchaseOrder) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for row in _rows(purchase_order):
        writer.writerow(
            safe_row(
                [row["sku"], row["name"], row["quantity"], row["unit_cost"], row["total"], row["received"]]
            )
        )
    return buffer.getvalue()
