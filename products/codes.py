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


def _qr_png(text: str) -> bytes:
    # qrcode encodes any Unicode text (as UTF-8 bytes), so every SKU has a QR label.
    image = qrcode.make(text, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_png(product: Product) -> bytes:
    """PNG of the product's QR payload (POS:PRODUCT:<sku>)."""
    return _qr_png(product.qr_payload)


def _code128_can_encode(text: str) -> bool:
    """Code 128 carries printable ASCII only; anything else would make python-barcode raise."""
    return bool(text) and text.isascii() and text.isprintable()


def barcode_spec(product: Product) -> tuple[str, str]:
    """(symbology, text a scanner reads back).

    EAN-13 for a valid EAN-13 barcode, else Code 128 of the barcode or SKU; a code Code 128 cannot
    carry (a non-ASCII SKU) is drawn as a QR code of that same text, which any 2D till scanner
    reads back and `productByCode` finds.
    """
    if is_valid_ean13(product.barcode):
        return "ean13", product.barcode
    text = product.barcode or product.sku
    return ("code128" if _code128_can_encode(text) else "qr"), text


def barcode_png(product: Product) -> bytes:
    """PNG of the product's barcode (see `barcode_spec`)."""
    kind, text = barcode_spec(product)
    if kind == "qr":
        return _qr_png(text)
    # python-barcode takes EAN-13's 12 data digits and computes the check digit itself.
    symbol = barcode.get(kind, text[:12] if kind == "ean13" else text, writer=ImageWriter())
    buffer = io.BytesIO()
    symbol.write(buffer, options={"format": "PNG", "module_height": 12.0, "quiet_zone": 4.0})
    return buffer.getvalue()
