"""QR code and barcode images for product labels."""

from __future__ import annotations

import io

import barcode
import qrcode
from barcode.writer import ImageWriter

from products.models import Product


def is_valid_ean13(code: str | None) -> bool:
    """True for 13 digits whose last digit is the EAN-13 check digit."""
    if not code or len(code) != 13 or not code.isdigit():
        return False
    digits = [int(c) for c in code]
    total = sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == digits[12]


def qr_png(product: Product) -> bytes:
    """PNG of the product's QR payload (POS:PRODUCT:<sku>)."""
    image = qrcode.make(product.qr_payload, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def barcode_spec(product: Product) -> tuple[str, str]:
    """(symbology, text a scanner reads back): EAN-13 for a valid EAN-13, else Code 128 of barcode or SKU."""
    if is_valid_ean13(product.barcode):
        return "ean13", product.barcode
    return "code128", product.barcode or product.sku


def barcode_png(product: Product) -> bytes:
    """PNG of the product's barcode (see `barcode_spec`)."""
    kind, text = barcode_spec(product)
    # python-barcode takes EAN-13's 12 data digits and computes the check digit itself.
    symbol = barcode.get(kind, text[:12] if kind == "ean13" else text, writer=ImageWriter())
    buffer = io.BytesIO()
    symbol.write(buffer, options={"format": "PNG", "module_height": 12.0, "quiet_zone": 4.0})
    return buffer.getvalue()
