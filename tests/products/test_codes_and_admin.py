"""Label images (QR / barcode) for staff, scanning them back, the demo seed, check_ledgers and admin."""

import io
from decimal import Decimal

import pytest
import qrcode
from django.core.management import CommandError, call_command
from django.test import Client
from graphql_jwt.shortcuts import get_token
from PIL import Image, ImageChops

from products import codes
from products.models import Location, Product, StockLevel
from tests.products.factories import ProductFactory

SCAN = "query($code: String!) { productByCode(code: $code) { sku } }"


def png(response) -> Image.Image:
    assert response["Content-Type"] == "image/png"
    return Image.open(io.BytesIO(response.content))


def test_qr_code_png_encodes_the_payload_that_product_by_code_finds(cashier, as_cashier):
    product = ProductFactory(sku="PARA-500")
    client = Client()

    response = client.get(f"/products/{product.pk}/qr.png", HTTP_AUTHORIZATION=f"JWT {get_token(cashier)}")

    assert response.status_code == 200
    served = png(response).convert("1")
    expected = qrcode.make("POS:PRODUCT:PARA-500", box_size=8, border=2).get_image().convert("1")
    assert served.size == expected.size
    assert ImageChops.difference(served, expected).getbbox() is None  # pixel-identical: same payload
    found = as_cashier(SCAN, {"code": product.qr_payload}).payload("productByCode")
    assert found == {"sku": "PARA-500"}


@pytest.mark.parametrize(
    "barcode,kind,text",
    [
        ("4006381333931", "ean13", "4006381333931"),
        ("4006381333932", "code128", "4006381333932"),
        ("ABC-123", "code128", "ABC-123"),
        (None, "code128", "SKU-X"),
    ],
)
def test_barcode_symbology_and_scan_back(as_cashier, admin_user, barcode, kind, text):
    product = ProductFactory(sku="SKU-X", barcode=barcode)
    client = Client()
    client.force_login(admin_user)

    response = client.get(f"/products/{product.pk}/barcode.png")

    assert response.status_code == 200
    assert png(response).size[0] > 100
    assert codes.barcode_spec(product) == (kind, text)
    assert as_cashier(SCAN, {"code": text}).payload("productByCode") == {"sku": "SKU-X"}


def test_ean13_check_digit_validation():
    assert codes.is_valid_ean13("5449000000996")
    assert not codes.is_valid_ean13("5449000000997")
    assert not codes.is_valid_ean13("544900000099")
    assert not codes.is_valid_ean13("544900000099X")


def test_label_images_refuse_anonymous_and_bad_tokens(db):
    product = ProductFactory()
    client = Client()

    anonymous = client.get(f"/products/{product.pk}/qr.png")
    forged = client.get(f"/products/{product.pk}/barcode.png", HTTP_AUTHORIZATION="JWT not.a.token")

    assert anonymous.status_code == 401 and forged.status_code == 401
    assert anonymous["Content-Type"] == "application/json"


def test_label_images_for_session_staff_and_unknown_product(cashier):
    client = Client()
    client.force_login(cashier)

    assert client.get("/products/999999/qr.png").status_code == 404
    assert client.post(f"/products/{ProductFactory().pk}/qr.png").status_code == 405


def test_demo_seed_is_idempotent_and_matches_the_api_example(db):
    from products import demo, selectors

    Location.objects.get_or_create(is_default=True, defaults={"name": "Main shop"})
    out = io.StringIO()

    demo.seed(out)
    demo.seed(out)

    first = Product.objects.order_by("pk").first()
    assert Product.objects.count() == 15
    assert not first.track_batches and first.retail_price == Decimal("10.00")
    assert StockLevel.objects.get(product=first, location__is_default=True).quantity >= 100
    assert set(Location.objects.values_list("name", flat=True)) == {"Main shop", "Store room"}
    assert selectors.list_expiring_batches(within_days=30).exists()
    assert "already present" in out.getvalue()
    call_command("check_ledgers", stdout=io.StringIO())


def test_check_ledgers_command_fails_on_a_tampered_level(shop, stocked):
    product = stocked("5")
    StockLevel.objects.filter(product=product).update(quantity=Decimal("4"))

    with pytest.raises(CommandError, match="1 ledger mismatch"):
        call_command("check_ledgers", stdout=io.StringIO(), stderr=io.StringIO())


def test_admin_pages_render_for_admin(admin_user, shop, stocked, medicine):
    product = stocked("5")
    client = Client()
    client.force_login(admin_user)

    for url in (
        "/admin/products/product/",
        f"/admin/products/product/{product.pk}/change/",
        "/admin/products/stockmovement/",
        "/admin/products/product/import/",
        "/admin/products/product/export/",
        "/admin/products/batch/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/products/stockmovement/add/").status_code == 403
