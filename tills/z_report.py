"""The Z report as printed: plain text for 42/48-column printers, HTML and CSV, from the figures fixed at close."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from enum import Enum

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from tills.models import Shift

KIND_LABELS = {
    "SALE": "Sales",
    "VOID": "Voids",
    "REFUND": "Refunds",
    "ACCOUNT_PAYMENT": "Payments on account",
    "EXCHANGE_DIFFERENCE": "Exchange differences",
}


class ZFormat(Enum):
    TEXT_42 = "text_42"
    TEXT_48 = "text_48"
    HTML = "html"
    CSV = "csv"


def _person(user) -> str:
    return "" if user is None else (user.get_full_name() or user.username)


def _percent(rate: str) -> str:
    return f"{(Decimal(rate) * 100).quantize(Decimal('0.01')).normalize():f}%"


def z_sections(shift: Shift) -> list[tuple[str, list[tuple[str, str]]]]:
    """The Z as titled sections of (label, value) rows; the one source of every rendering."""
    z = shift.z_report or {}
    kinds = z.get("kinds", {})
    when = "%Y-%m-%d %H:%M"
    header = [
        ("Register", shift.register.name),
        ("Z number", str(shift.z_number)),
        ("Opened", timezone.localtime(shift.opened_at).strftime(when)),
        ("Closed", timezone.localtime(shift.closed_at).strftime(when) if shift.closed_at else ""),
        ("Opening cashier", _person(shift.cashier)),
        ("Closing cashier", _person(shift.closed_by)),
        ("Status", shift.get_status_display()),
    ]
    documents = []
    for kind, label in KIND_LABELS.items():
        figures = kinds.get(kind, {})
        documents.append((f"{label} ({figures.get('count', 0)})", figures.get("total", "0.00")))
    sales = kinds.get("SALE", {})
    sales_rows = [
        ("Discounts", sales.get("discount", "0.00")),
        ("Tax", sales.get("tax", "0.00")),
        ("Cash (net of change)", sales.get("cash", "0.00")),
        ("Card", sales.get("card", "0.00")),
        ("Transfer", sales.get("transfer", "0.00")),
        ("Credit sales (on account)", sales.get("on_account", "0.00")),
        ("Store credit", sales.get("store_credit", "0.00")),
        ("Exchanged goods", sales.get("exchange", "0.00")),
    ]
    drawer = [
        ("Opening float", z.get("opening_float", "")),
        ("Pay-ins", z.get("pay_ins", "")),
        ("Pay-outs", z.get("pay_outs", "")),
        ("Drops", z.get("drops", "")),
    ]
    taxes = []
    for row in z.get("tax_by_rate", []):
        taxes.append((f"Taxable at {_percent(row['rate'])}", row["taxable"]))
        taxes.append((f"Tax at {_percent(row['rate'])}", row["tax"]))
    tenders = []
    for name, row in z.get("tenders", {}).items():
        tenders.append((f"{name.title()} expected", row["expected"]))
        tenders.append((f"{name.title()} counted", row["counted"] or "-"))
        tenders.append((f"{name.title()} variance", row["variance"] or "-"))
    return [
        ("", header),
        ("Documents", documents),
        ("Sales by tender", sales_rows),
        ("Tax by rate (net of voids and refunds)", taxes),
        ("Drawer", drawer),
        ("Expected and counted", tenders),
    ]


def render_z(shift: Shift, fmt: ZFormat) -> str:
    sections = z_sections(shift)
    if fmt == ZFormat.HTML:
        return render_to_string(
            "tills/z_report.html", {"shop_name": settings.SHOP_NAME, "shift": shift, "sections": sections}
        )
    if fmt == ZFormat.CSV:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["section", "item", "value"])
        for title, rows in sections:
            for label, value in rows:
                writer.writerow([title, label, value])
        return buffer.getvalue()
    width = 48 if fmt == ZFormat.TEXT_48 else 42
    out = [
        settings.SHOP_NAME[:width].center(width).rstrip(),
        f"Z REPORT {shift.z_number}".center(width).rstrip(),
    ]
    for title, rows in sections:
        out.append("-" * width)
        if title:
            out.append(title[:width])
        for label, value in rows:
            space = width - len(value) - 1
            out.append(f"{label[:space]:<{space}} {value}")
    out.append("-" * width)
    return "\n".join(out) + "\n"
