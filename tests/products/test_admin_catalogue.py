"""Catalogue writes in the admin (change form, CSV import, adds, archive) go through products.services."""

from decimal import Decimal
from unittest import mock

import pytest
import tablib

from products import services
from products.admin import ProductResource
from products.models import Category, Location, Product
from tests.products.admin_helpers import admin_form_data
from tests.products.factories import ProductFactory

pytestmark = pytest.mark.django_db
D = Decimal
COLUMNS = ProductResource.Meta.fields


def csv_row(product, **overrides) -> tablib.Dataset:
    values = {name: getattr(product, name) for name in COLUMNS}
    values.update(category=product.category.name if product.category else "", supplier="", attributes="{}")
    values.update(overrides)
    return tablib.Dataset([values[name] for name in COLUMNS], headers=list(COLUMNS))


def test_csv_import_cannot_switch_off_batch_tracking_with_movements(manager, medicine):
    result = ProductResource().import_data(csv_row(medicine, track_batches=0), dry_run=False, user=manager)

    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert invalid.error_dict["track_batches"] == [
        "Batch tracking cannot change once the product has stock movements."
    ]
    assert Product.objects.get(pk=medicine.pk).track_batches is True


def test_csv_import_price_change_goes_through_update_product(manager, shop):
    product = ProductFactory(sku="TEA-1", retail_price=D("10.00"))

    with mock.patch.object(services, "update_product", wraps=services.update_product) as update:
        result = ProductResource().import_data(
            csv_row(product, retail_price="12.50"), dry_run=False, user=manager
        )

    assert not result.has_errors() and not result.has_validation_errors()
    assert Product.objects.get(pk=product.pk).retail_price == D("12.50")
    assert update.call_args.kwargs["retail_price"] == D("12.50")
    assert set(update.call_args.kwargs) == {"user", "product", "retail_price"}


def test_csv_import_preview_changes_nothing(manager, shop):
    product = ProductFactory(sku="TEA-2", retail_price=D("10.00"))

    result = ProductResource().import_data(
        csv_row(product, retail_price="12.50"), dry_run=True, use_transactions=True, user=manager
    )

    assert not result.has_errors() and not result.has_validation_errors()
    assert Product.objects.get(pk=product.pk).retail_price == D("10.00")


def test_csv_import_new_product_goes_through_create_product(manager, shop):
    template = ProductFactory.build(sku="NEW-1", name="New tea", category=Category.objects.create(name="Tea"))

    with mock.patch.object(services, "create_product", wraps=services.create_product) as create:
        result = ProductResource().import_data(csv_row(template, barcode=""), dry_run=False, user=manager)

    assert not result.has_errors() and not result.has_validation_errors()
    assert Product.objects.get(sku="NEW-1").name == "New tea"
    assert create.call_count == 1


ADD = "/admin/products/product/add/"


def product_form(client, **values):
    defaults = {"sku": "JUICE-1", "name": "Orange juice", "retail_price": "3.50", "wholesale_price": "3.00"}
    return admin_form_data(client, ADD, **{**defaults, **values})


def test_product_add_in_admin_goes_through_create_product(client, manager):
    client.force_login(manager)

    with mock.patch.object(services, "create_product", wraps=services.create_product) as create:
        response = client.post(ADD, product_form(client, sku="  JUICE-1 "))

    assert response.status_code == 302
    product = Product.objects.get()
    assert (product.sku, product.retail_price, product.barcode) == ("JUICE-1", D("3.50"), None)
    assert create.call_count == 2  # the form's rolled-back check, then the write


def test_product_add_with_taken_sku_shows_error_on_sku_and_saves_nothing(client, manager):
    ProductFactory(sku="JUICE-1")
    client.force_login(manager)

    response = client.post(ADD, product_form(client))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["sku"]
    assert Product.objects.count() == 1


def test_product_archive_action_and_no_delete(client, manager, shop, stocked):
    product = stocked("5")
    client.force_login(manager)

    response = client.post(
        "/admin/products/product/",
        {"action": "archive_selected", "_selected_action": [product.pk]},
        follow=True,
    )
    again = client.post(
        "/admin/products/product/",
        {"action": "archive_selected", "_selected_action": [product.pk]},
        follow=True,
    )

    assert f"{product.name} archived." in response.content.decode()
    assert f"{product.name}: {product.name} is already archived." in again.content.decode()
    assert Product.objects.get(pk=product.pk).is_active is False
    assert client.post(f"/admin/products/product/{product.pk}/delete/", {"post": "yes"}).status_code == 403


def test_category_add_duplicate_name_any_case_shows_service_error(client, manager):
    Category.objects.create(name="Drinks")
    client.force_login(manager)

    response = client.post("/admin/products/category/add/", {"name": "drinks", "description": ""})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"] == ["A category named drinks already exists."]
    assert Category.objects.count() == 1


def test_location_add_as_default_moves_the_flag_through_service(client, manager, shop):
    client.force_login(manager)

    response = client.post(
        "/admin/products/location/add/",
        {"name": "Warehouse", "kind": "warehouse", "address": "", "is_default": "on"},
    )

    assert response.status_code == 302
    assert list(Location.objects.filter(is_default=True).values_list("name", flat=True)) == ["Warehouse"]


def test_stock_levels_are_listed_read_only(client, manager, stocked):
    product = stocked("5")
    client.force_login(manager)

    listing = client.get("/admin/products/stocklevel/")

    assert product.name in listing.content.decode()
    assert client.get("/admin/products/stocklevel/add/").status_code == 403
