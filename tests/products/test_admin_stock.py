"""The products admin as a back office: stock pages through products.services, stock column, filters."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from products.models import Batch, Product, StockLevel, StockMovement
from tests.products.admin_helpers import admin_form_data
from tests.products.factories import BatchProductFactory, ProductFactory

pytestmark = pytest.mark.django_db
D = Decimal
CHANGELIST = "/admin/products/product/"
RECEIVE = "/admin/products/product/receive-stock/"
ADJUST = "/admin/products/product/adjust-stock/"
TRANSFER = "/admin/products/product/transfer-stock/"
PRODUCT_LIST_QUERIES = 9


def level(product, location) -> Decimal:
    found = StockLevel.objects.filter(product=product, location=location).first()
    return found.quantity if found else D("0")


def form_errors(response) -> dict:
    return response.context["form"].errors


@pytest.fixture
def as_manager(client, manager):
    client.force_login(manager)
    return client


def test_receive_stock_page_with_batch_and_expiry_receives_through_service(as_manager, shop, today):
    product = BatchProductFactory(name="Amoxicillin")
    expiry = today + timedelta(days=90)

    page = as_manager.get(f"{RECEIVE}?product={product.pk}")
    response = as_manager.post(
        RECEIVE,
        {
            "product": product.pk,
            "location": shop.pk,
            "quantity": "12",
            "unit_cost": "2.50",
            "batch_number": "AMX-1",
            "expiry_date": expiry.isoformat(),
            "note": "Invoice 77",
        },
        follow=True,
    )

    assert page.status_code == 200 and page.context["form"]["product"].initial == product.pk
    assert b'value="Receive stock"' in page.content
    assert response.redirect_chain == [(f"{CHANGELIST}?q={product.sku}", 302)]
    assert [p.pk for p in response.context["cl"].result_list] == [product.pk]
    batch = Batch.objects.get(product=product)
    assert (batch.batch_number, batch.expiry_date, batch.quantity, batch.unit_cost) == (
        "AMX-1",
        expiry,
        D("12.000"),
        D("2.5000"),
    )
    assert level(product, shop) == D("12.000")
    movement = StockMovement.objects.get(product=product)
    assert (movement.movement_type, movement.reason, movement.user.username) == (
        "receipt",
        "Invoice 77",
        "manager",
    )
    assert "Received 12 of Amoxicillin at Main shop; 12 on hand there." in response.content.decode()


def test_receive_stock_batch_product_without_batch_number_shows_error_and_writes_nothing(as_manager, shop):
    product = BatchProductFactory()

    response = as_manager.post(
        RECEIVE, {"product": product.pk, "location": shop.pk, "quantity": "5", "unit_cost": "1.00"}
    )

    assert response.status_code == 200
    assert form_errors(response)["batch_number"] == [f"{product.name} needs a batch number."]
    assert not StockMovement.objects.exists() and level(product, shop) == 0


def test_receive_stock_bad_cost_shows_service_error_on_field(as_manager, shop):
    product = ProductFactory()

    response = as_manager.post(
        RECEIVE, {"product": product.pk, "location": shop.pk, "quantity": "5", "unit_cost": "1.23456"}
    )

    assert form_errors(response)["unit_cost"] == ["Costs can have at most four decimal places."]
    assert not StockMovement.objects.exists()


def test_adjust_stock_page_sets_counted_quantity_with_typed_reason(as_manager, shop, stocked):
    product = stocked("10")

    response = as_manager.post(
        ADJUST,
        {"product": product.pk, "location": shop.pk, "counted_quantity": "7", "reason": "Broken bottles"},
    )

    assert response.status_code == 302
    assert level(product, shop) == D("7.000")
    movement = StockMovement.objects.get(product=product, movement_type="adjustment")
    assert (movement.quantity, movement.reason) == (D("-3.000"), "Broken bottles")


def test_adjust_stock_without_reason_shows_required_on_reason_and_changes_nothing(as_manager, shop, stocked):
    product = stocked("10")

    response = as_manager.post(ADJUST, {"product": product.pk, "location": shop.pk, "delta": "-2"})

    assert form_errors(response)["reason"] == ["Give a reason for the adjustment."]
    assert level(product, shop) == D("10.000")


def test_adjust_stock_below_zero_is_refused_and_changes_nothing(as_manager, shop, stocked):
    product = stocked("3")

    response = as_manager.post(
        ADJUST, {"product": product.pk, "location": shop.pk, "delta": "-5", "reason": "count"}
    )

    assert response.status_code == 200 and form_errors(response)["delta"]
    assert level(product, shop) == D("3.000")
    assert StockMovement.objects.filter(movement_type="adjustment").count() == 0


def test_transfer_stock_page_moves_between_locations(as_manager, shop, store_room, stocked):
    product = stocked("10")

    response = as_manager.post(
        TRANSFER,
        {"product": product.pk, "from_location": shop.pk, "to_location": store_room.pk, "quantity": "4"},
        follow=True,
    )

    assert (level(product, shop), level(product, store_room)) == (D("6.000"), D("4.000"))
    assert "Moved 4 of" in response.content.decode()


def test_transfer_stock_more_than_on_hand_is_refused_and_moves_nothing(as_manager, shop, store_room, stocked):
    product = stocked("2")

    response = as_manager.post(
        TRANSFER,
        {"product": product.pk, "from_location": shop.pk, "to_location": store_room.pk, "quantity": "4"},
    )

    assert response.status_code == 200 and form_errors(response)["quantity"]
    assert (level(product, shop), level(product, store_room)) == (D("2.000"), D("0"))


def test_transfer_stock_same_location_shows_error_on_to_location(as_manager, shop, stocked):
    product = stocked("2")

    response = as_manager.post(
        TRANSFER, {"product": product.pk, "from_location": shop.pk, "to_location": shop.pk, "quantity": "1"}
    )

    assert form_errors(response)["to_location"] == ["Choose two different locations."]


@pytest.mark.parametrize("url", [RECEIVE, ADJUST, TRANSFER])
def test_stock_pages_refuse_cashier_even_with_staff_flag(client, cashier, shop, url):
    product = ProductFactory()
    User.objects.filter(pk=cashier.pk).update(is_staff=True)  # a role still below manager
    client.force_login(cashier)

    response = client.post(
        url, {"product": product.pk, "location": shop.pk, "quantity": "5", "unit_cost": "1"}
    )

    assert response.status_code == 403
    assert not StockMovement.objects.exists()


@pytest.mark.parametrize("url", [RECEIVE, ADJUST, TRANSFER])
def test_stock_pages_send_anonymous_to_login(client, url):
    response = client.get(url)

    assert response.status_code == 302 and response.url.startswith("/admin/login/")


def test_product_list_shows_stock_on_hand_and_links(as_manager, shop, stocked):
    product = stocked("10", sku="SOAP-1")

    response = as_manager.get(CHANGELIST)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<td class="field-stock_on_hand">10</td>' in html
    assert f"{RECEIVE}?product={product.pk}" in html
    assert 'id="receive-stock-link"' in html


def test_product_list_low_stock_filter(as_manager, shop, stocked):
    low = stocked("3", reorder_level=D("5"))
    stocked("30", reorder_level=D("5"))
    empty = ProductFactory(reorder_level=D("0"))

    response = as_manager.get(CHANGELIST, {"stock": "low"})

    assert {p.pk for p in response.context["cl"].result_list} == {low.pk, empty.pk}
    out = as_manager.get(CHANGELIST, {"stock": "out"})
    assert [p.pk for p in out.context["cl"].result_list] == [empty.pk]


def test_product_list_expiry_filter(as_manager, medicine, stocked):
    stocked("10")  # no batches at all
    later = BatchProductFactory()
    Batch.objects.create(
        product=later, location_id=medicine.batches.first().location_id, batch_number="L", quantity=D("1")
    )

    expired = as_manager.get(CHANGELIST, {"expiry": "expired"})
    soon = as_manager.get(CHANGELIST, {"expiry": "30"})

    assert [p.pk for p in expired.context["cl"].result_list] == [medicine.pk]
    assert [p.pk for p in soon.context["cl"].result_list] == [medicine.pk]


def test_batch_list_expiry_filter(as_manager, medicine):
    expired = as_manager.get("/admin/products/batch/", {"expiry": "expired"})
    soon = as_manager.get("/admin/products/batch/", {"expiry": "30"})

    assert [b.batch_number for b in expired.context["cl"].result_list] == ["OLD"]
    assert [b.batch_number for b in soon.context["cl"].result_list] == ["OLD", "SOON"]


def test_product_change_form_cannot_switch_off_batch_tracking_with_movements(as_manager, medicine):
    url = f"{CHANGELIST}{medicine.pk}/change/"

    refused = as_manager.post(url, admin_form_data(as_manager, url, track_batches=None))

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["track_batches"] == [
        "Batch tracking cannot change once the product has stock movements."
    ]
    assert Product.objects.get(pk=medicine.pk).track_batches is True

    saved = as_manager.post(url, admin_form_data(as_manager, url, retail_price="11.50"))

    assert saved.status_code == 302
    assert Product.objects.get(pk=medicine.pk).retail_price == D("11.50")


@pytest.mark.parametrize("rows", [2, 10])
def test_product_list_query_count_does_not_grow_with_rows(as_manager, shop, stocked, rows):
    for _ in range(rows):
        stocked("5")
    BatchProductFactory()
    as_manager.get(CHANGELIST)  # warm the session and content-type caches

    with CaptureQueriesContext(connection) as queries:
        response = as_manager.get(CHANGELIST)

    assert len(response.context["cl"].result_list) == rows + 1
    # session, user, two counts, the page of products (stock and expiry inline), the filter choices
    assert len(queries.captured_queries) == PRODUCT_LIST_QUERIES, [q["sql"] for q in queries.captured_queries]


def test_stock_page_post_without_csrf_token_is_refused(manager, shop):
    product = ProductFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)

    response = client.post(
        RECEIVE, {"product": product.pk, "location": shop.pk, "quantity": "5", "unit_cost": "1.00"}
    )

    assert response.status_code == 403
    assert not StockMovement.objects.exists()
