"""Scanning: one code names at most one product (SKU and barcode share a name space, any case),
productByCode finds active products only, and every SKU has a label image."""

import importlib
import io

import pytest
import qrcode
from django.apps import apps as installed_apps
from django.db import IntegrityError, transaction
from django.test import Client
from graphql_jwt.shortcuts import get_token
from PIL import Image, ImageChops

from products import codes, services
from products.models import Product, ProductCode
from products.services import catalogue
from shared.errors import DomainError
from tests.products.factories import ProductFactory

RESULT = "success message errors { field code message }"
MIGRATION_0004 = importlib.import_module("products.migrations.0004_product_codes_and_unit_precision")
SCAN = "query($code: String!) { productByCode(code: $code) { sku } }"
CREATE_PRODUCT = f"""
mutation($input: CreateProductInput!) {{ createProduct(input: $input) {{ {RESULT} product {{ sku }} }} }}"""
UPDATE_PRODUCT = f"""
mutation($input: UpdateProductInput!) {{ updateProduct(input: $input) {{ {RESULT} product {{ sku barcode }} }} }}"""


def scan(client, code):
    found = client(SCAN, {"code": code}).payload("productByCode")
    return found and found["sku"]


def create(manager, sku, barcode=None, **values):
    return services.create_product(
        user=manager, sku=sku, name=f"Product {sku}", retail_price="1.00", barcode=barcode, **values
    )


def refusal(call):
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value.code, caught.value.field


# --- the name space ---------------------------------------------------------------------------


def test_create_product_barcode_equal_to_another_sku_in_any_case_is_refused(manager):
    create(manager, "cola-330")

    assert refusal(lambda: create(manager, "OTHER", barcode="COLA-330")) == ("CODE_IN_USE", "barcode")
    assert Product.objects.count() == 1


def test_create_product_sku_equal_to_another_barcode_is_refused(manager):
    create(manager, "COLA", barcode="5000112637922")

    assert refusal(lambda: create(manager, "5000112637922")) == ("CODE_IN_USE", "sku")


def test_create_product_sku_differing_only_in_case_is_a_duplicate(manager):
    create(manager, "Cola-330")

    assert refusal(lambda: create(manager, "COLA-330")) == ("DUPLICATE_SKU", "sku")


def test_create_product_non_ascii_sku_is_unique_in_any_case(manager):
    create(manager, "äpfel-1kg")

    assert refusal(lambda: create(manager, "ÄPFEL-1KG")) == ("DUPLICATE_SKU", "sku")


def test_archived_products_keep_their_codes(manager):
    old = create(manager, "OLD-COLA")
    services.archive_product(user=manager, product=old)

    assert refusal(lambda: create(manager, "NEW-COLA", barcode="old-cola")) == ("CODE_IN_USE", "barcode")


def test_update_product_barcode_onto_another_sku_is_refused_and_changes_nothing(manager):
    create(manager, "TEA")
    coffee = create(manager, "COFFEE", barcode="111")

    assert refusal(lambda: services.update_product(user=manager, product=coffee, barcode="tea")) == (
        "CODE_IN_USE",
        "barcode",
    )
    coffee.refresh_from_db()
    assert coffee.barcode == "111"
    assert set(ProductCode.objects.filter(product=coffee).values_list("code", "kind")) == {
        ("COFFEE", "sku"),
        ("111", "barcode"),
    }


def test_update_product_codes_follow_sku_and_barcode_changes(manager):
    product = create(manager, "A-1", barcode="222")

    services.update_product(user=manager, product=product, sku="a-2", barcode="")

    assert list(ProductCode.objects.values_list("code", "kind")) == [("A-2", "sku")]
    create(manager, "A-1", barcode="222")  # the old codes are free again


def test_a_product_may_carry_its_own_sku_as_barcode(manager):
    product = create(manager, "12345", barcode="12345")

    assert list(ProductCode.objects.filter(product=product).values_list("code", flat=True)) == ["12345"]


def test_the_database_refuses_a_code_twice_whoever_writes_it(manager):
    create(manager, "SODA")
    other = ProductFactory(codes=False)

    with pytest.raises(IntegrityError), transaction.atomic():
        ProductCode.objects.create(product=other, code="SODA", kind=ProductCode.Kind.BARCODE)


def test_create_product_graphql_code_in_use_is_a_payload_error(as_manager, manager):
    create(manager, "JUICE")

    payload = as_manager(
        CREATE_PRODUCT,
        {"input": {"sku": "OTHER", "name": "Other", "retailPrice": "1.00", "barcode": "juice"}},
    ).payload("createProduct")

    assert payload["success"] is False
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("barcode", "CODE_IN_USE")]
    assert "already the SKU of Product JUICE" in payload["errors"][0]["message"]


def test_update_product_graphql_sku_onto_another_barcode_is_refused(as_manager, manager):
    create(manager, "MILK", barcode="4006381333931")
    bread = create(manager, "BREAD")

    payload = as_manager(
        UPDATE_PRODUCT, {"input": {"productId": str(bread.pk), "sku": "4006381333931"}}
    ).payload("updateProduct")

    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("sku", "CODE_IN_USE")]


def test_sku_with_the_qr_prefix_is_refused(manager):
    assert refusal(lambda: create(manager, "pos:product:X")) == ("INVALID", "sku")


# --- productByCode ----------------------------------------------------------------------------


def test_product_by_code_sku_in_any_case_and_qr_payload(as_cashier, manager):
    create(manager, "Cola-330", barcode="5000112637922")

    assert scan(as_cashier, "5000112637922") == "Cola-330"
    assert scan(as_cashier, "cola-330") == "Cola-330"
    assert scan(as_cashier, "COLA-330") == "Cola-330"
    assert scan(as_cashier, "POS:PRODUCT:cola-330") == "Cola-330"
    assert scan(as_cashier, "pos:product:Cola-330") == "Cola-330"


def test_product_by_code_non_ascii_sku_in_any_case(as_cashier, manager):
    create(manager, "Äpfel-1kg")

    assert scan(as_cashier, "äpfel-1kg") == "Äpfel-1kg"
    assert scan(as_cashier, "POS:PRODUCT:ÄPFEL-1KG") == "Äpfel-1kg"


def test_product_by_code_ignores_archived_products(as_cashier, manager):
    product = create(manager, "RETIRED", barcode="777")
    services.archive_product(user=manager, product=product)

    assert scan(as_cashier, "777") is None
    assert scan(as_cashier, "retired") is None
    assert scan(as_cashier, "POS:PRODUCT:RETIRED") is None


def test_product_by_code_barcode_is_exact(as_cashier, manager):
    create(manager, "WATER", barcode="Ab-12")

    assert scan(as_cashier, "Ab-12") == "WATER"
    assert scan(as_cashier, "AB-12") is None


def test_product_by_code_archived_legacy_twin_does_not_hide_the_active_product(as_cashier):
    # Legacy data from before the rule: an archived product's barcode equals an active SKU.
    ProductFactory(sku="OLD", barcode="12345", is_active=False, codes=False)
    ProductFactory(sku="12345", codes=False)

    assert scan(as_cashier, "12345") == "12345"


def test_migration_fills_codes_and_reports_conflicts(manager, capsys):
    create(manager, "KEEP", barcode="999")
    ProductFactory(sku="CLASH", barcode="keep", codes=False)
    ProductCode.objects.all().delete()

    MIGRATION_0004.set_precision_and_codes(installed_apps, None)

    assert sorted(ProductCode.objects.values_list("code", flat=True)) == ["999", "CLASH", "KEEP"]
    assert "'keep' of product" in capsys.readouterr().err


def test_migration_keeps_decimals_for_fractional_stock_and_weighed_units(manager, shop):
    loose = ProductFactory(sku="LOOSE", quantity_decimals=3)
    services.receive_stock(user=manager, product=loose, location=shop, quantity="1.5", unit_cost="1")
    whole = ProductFactory(sku="WHOLE", quantity_decimals=3)
    services.receive_stock(user=manager, product=whole, location=shop, quantity="2", unit_cost="1")
    ProductFactory(sku="FLOUR", unit="kg")
    Product.objects.update(quantity_decimals=0)  # as AddField(default=0) leaves them
    ProductCode.objects.all().delete()  # as CreateModel leaves it

    MIGRATION_0004.set_precision_and_codes(installed_apps, None)

    assert dict(Product.objects.values_list("sku", "quantity_decimals")) == {
        "LOOSE": 3,
        "WHOLE": 0,
        "FLOUR": 3,
    }


# --- label images -----------------------------------------------------------------------------


def test_barcode_png_for_a_non_ascii_sku_is_a_qr_of_the_sku(cashier, as_cashier):
    product = ProductFactory(sku="Äpfel-1kg")

    response = Client().get(
        f"/products/{product.pk}/barcode.png", HTTP_AUTHORIZATION=f"JWT {get_token(cashier)}"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Symbology"] == "qr"
    served = Image.open(io.BytesIO(response.content)).convert("1")
    expected = qrcode.make("Äpfel-1kg", box_size=8, border=2).get_image().convert("1")
    assert ImageChops.difference(served, expected).getbbox() is None
    assert scan(as_cashier, "Äpfel-1kg") == "Äpfel-1kg"


def test_qr_png_for_a_non_ascii_sku(cashier):
    product = ProductFactory(sku="草莓-01")

    response = Client().get(f"/products/{product.pk}/qr.png", HTTP_AUTHORIZATION=f"JWT {get_token(cashier)}")

    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.content)).size[0] > 50


def test_barcode_png_for_an_ascii_sku_stays_code128(cashier):
    product = ProductFactory(sku="PLAIN-1")

    response = Client().get(
        f"/products/{product.pk}/barcode.png", HTTP_AUTHORIZATION=f"JWT {get_token(cashier)}"
    )

    assert response.status_code == 200
    assert response["X-Symbology"] == "code128"
    assert codes.barcode_spec(product) == ("code128", "PLAIN-1")


def test_a_code_taken_between_check_and_write_is_refused_by_the_index(manager, monkeypatch):
    create(manager, "cola")
    real_check = catalogue._check_codes_free
    calls = []

    def late_check(**kwargs):
        calls.append(kwargs)
        if len(calls) > 1:  # the service's first check "ran before the other writer committed"
            real_check(**kwargs)

    monkeypatch.setattr(catalogue, "_check_codes_free", late_check)

    assert refusal(lambda: create(manager, "OTHER", barcode="COLA")) == ("CODE_IN_USE", "barcode")
    assert len(calls) == 2
    assert Product.objects.count() == 1
    assert ProductCode.objects.count() == 1
