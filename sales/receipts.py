"""Receipts: plain text for 42/48-column thermal printers, and HTML for a browser or A4 printer."""

from __future__ import annotations

from enum import Enum

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from sales.models import Sale
from shared.money import format_money, format_quantity

METHOD_LABELS = {
    "cash": "Cash",
    "transfer": "Transfer",
    "card": "Card",
    "credit": "On account",
    "store_credit": "Store credit",
    "part_payment": "Part payment",
}


class ReceiptFormat(Enum):
    TEXT_42 = "text_42"
    TEXT_48 = "text_48"
    HTML = "html"


def render_receipt(sale: Sale, fmt: ReceiptFormat) -> str:
    if fmt == ReceiptFormat.HTML:
        return render_to_string("sales/receipt.html", receipt_context(sale))
    return render_text(sale, width=48 if fmt == ReceiptFormat.TEXT_48 else 42)


def receipt_context(sale: Sale) -> dict:
    local_time = timezone.localtime(sale.created_at)
    return {
        "sale": sale,
        "shop": {
            "name": settings.SHOP_NAME,
            "address": settings.SHOP_ADDRESS,
            "phone": settings.SHOP_PHONE,
            "currency": settings.SHOP_CURRENCY,
        },
        "when": local_time.strftime("%Y-%m-%d %H:%M"),
        "cashier": sale.cashier.get_full_name() or sale.cashier.username,
        "lines": [
            {
                "name": item.product.name,
                "quantity": format_quantity(item.quantity),
                "unit_price": format_money(item.unit_price),
                "discount": format_money(item.discount) if item.discount else "",
                "total": format_money(item.total),
            }
            for item in sale.items.all()
        ],
        "payments": [
            (METHOD_LABELS.get(p.method, p.method), format_money(p.amount)) for p in sale.payments.all()
        ],
        "totals": {
            "subtotal": format_money(sale.subtotal),
            "discount": format_money(sale.discount_total),
            "tax": format_money(sale.tax_total),
            "total": format_money(sale.total),
            "change": format_money(sale.change),
            "on_account": format_money(sale.amount_on_account),
            "credit_applied": format_money(sale.credit_applied),
            "credit_created": format_money(sale.credit_created),
        },
        "customer_balance": format_money(sale.customer.balance) if sale.customer_id else None,
        "tax_note": "Prices include tax" if sale.prices_include_tax else "Tax added to prices",
    }


def render_text(sale: Sale, *, width: int = 42) -> str:
    ctx = receipt_context(sale)
    rule = "-" * width
    out: list[str] = []

    def centre(text: str) -> None:
        if text:
            out.append(text[:width].center(width).rstrip())

    def pair(left: str, right: str) -> None:
        space = width - len(right) - 1
        out.append(f"{left[:space]:<{space}} {right}")

    centre(ctx["shop"]["name"])
    centre(ctx["shop"]["address"])
    centre(ctx["shop"]["phone"])
    out.append(rule)
    pair("Receipt", sale.transaction_id)
    if sale.device_receipt_number:
        pair("Till receipt", sale.device_receipt_number)
    pair("Date", ctx["when"])
    pair("Cashier", ctx["cashier"][: width // 2])
    if sale.customer_id:
        pair("Customer", sale.customer.name[: width // 2])
    if sale.status == "voided":
        centre("*** VOIDED ***")
    out.append(rule)
    for line in ctx["lines"]:
        out.append(line["name"][:width])
        pair(f"  {line['quantity']} x {line['unit_price']}", line["total"])
        if line["discount"]:
            pair("  discount", f"-{line['discount']}")
    out.append(rule)
    totals = ctx["totals"]
    pair("Subtotal", totals["subtotal"])
    if sale.discount_total:
        pair("Discount", f"-{totals['discount']}")
    pair(f"Tax ({ctx['tax_note'].lower()})", totals["tax"])
    pair(f"TOTAL {ctx['shop']['currency']}", totals["total"])
    out.append(rule)
    for label, amount in ctx["payments"]:
        pair(label, amount)
    if sale.change:
        pair("Change", totals["change"])
    if sale.credit_applied:
        pair("Store credit used", totals["credit_applied"])
    if sale.amount_on_account:
        pair("Put on account", totals["on_account"])
    if sale.credit_created:
        pair("Kept as credit", totals["credit_created"])
    if ctx["customer_balance"] is not None:
        pair("Account balance now", ctx["customer_balance"])
    out.append(rule)
    centre("Thank you!")
    return "\n".join(out) + "\n"
