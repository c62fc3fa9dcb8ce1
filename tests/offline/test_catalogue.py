"""Catalogue sync: a full first sync pages through everything, then deltas carry every later change."""

from decimal import Decimal

import pytest

from customers import services as customer_services
from offline import catalogue
from offline.models import CatalogueChange
from products.models import Product
from products.services import catalogue as product_catalogue
from shared.errors import DomainError
from tests.factories import CustomerFactory
from tests.offline.factories import register_device
from tests.offline.factories import sync_all as _sync_all
from tests.shop import make_product

# Committed writes, as in production: on PostgreSQL a change is synced once its transaction has ended,
# so a test that wrote inside one open test transaction would never see its own changes synced.
pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal

SYNC = """query($since: String, $first: Int) { catalogueChanges(since: $since, first: $first) {
  nextCursor hasMore isFullSync deletedCustomerIds pricesIncludeTax
  products { id sku barcode retailPrice taxRate isActive }
  stockLevels { productId locationId quantity }
  customers { name allowedOnAccount isArchived } } }"""


def sync_all(since=None, first=3):
    return _sync_all(since, first)


def test_full_sync_pages_through_every_product_stock_level_and_customer(shop):
    pages, _cursor = sync_all(first=2)

    products = [p.pk for page in pages for p in page.products]
    levels = [s.pk for page in pages for s in page.stock_levels]
    customers = [c.pk for page in pages for c in page.customers]
    assert sorted(products) == sorted(Product.objects.values_list("pk", flat=True)) == products
    assert len(levels) == len(set(levels)) and len(levels) >= 3
    assert len(customers) == 2
    assert all(page.is_full_sync for page in pages)
    assert all(len(p.products) + len(p.stock_levels) + len(p.customers) <= 2 for p in pages)


def test_delta_after_full_sync_sends_only_what_changed_with_tombstones(manager, shop):
    _pages, cursor = sync_all()
    soap = shop["soap"]

    product_catalogue.update_product(user=manager, product=soap, retail_price=D("12.50"))
    product_catalogue.archive_product(user=manager, product=Product.objects.get(pk=shop["rice"].pk))
    page = catalogue.catalogue_changes(since=cursor)

    assert not page.is_full_sync and not page.has_more
    assert {(p.sku, p.retail_price, p.is_active) for p in page.products} == {
        (soap.sku, D("12.50"), True),
        (shop["rice"].sku, shop["rice"].retail_price, False),
    }
    assert page.stock_levels == [] and page.customers == []


def test_delta_with_nothing_new_keeps_the_cursor(shop):
    _pages, cursor = sync_all()

    page = catalogue.catalogue_changes(since=cursor)

    assert (page.products, page.has_more, page.next_cursor) == ([], False, cursor)


def test_delta_reports_deleted_rows_and_stock_changes(manager, shop):
    gone = CustomerFactory(name="Typo")
    _pages, cursor = sync_all()

    gone_pk = gone.pk
    gone.delete()
    make_product(manager, "NEW1", qty="4")
    page = catalogue.catalogue_changes(since=cursor)

    assert page.deleted_customer_ids == [gone_pk]
    assert [p.sku for p in page.products] == ["NEW1"]
    assert [s.quantity for s in page.stock_levels] == [D("4.000")]


def test_delta_pages_are_ordered_and_the_cursor_only_moves_forward(manager, shop):
    _pages, cursor = sync_all()
    for price in ("11.00", "12.00", "13.00", "14.00", "15.00"):
        product_catalogue.update_product(user=manager, product=shop["soap"], retail_price=D(price))

    pages, _last = sync_all(since=cursor, first=2)

    cursors = [catalogue.Cursor.decode(p.next_cursor) for p in pages]
    assert [(c.txid, c.row) for c in cursors] == sorted((c.txid, c.row) for c in cursors)
    assert len({(c.txid, c.row) for c in cursors}) == len(cursors)
    assert pages[-1].products[-1].retail_price == D("15.00")


def test_customer_credit_change_is_synced_as_allowed_on_account(manager, shop):
    _pages, cursor = sync_all()

    customer_services.archive_customer(user=manager, customer_id=shop["in_credit"].pk)
    page = catalogue.catalogue_changes(since=cursor)

    assert [(c.pk, c.status) for c in page.customers] == [(shop["in_credit"].pk, "archived")]


def test_every_write_to_a_logged_table_leaves_a_change_row(manager, shop):
    before = CatalogueChange.objects.count()

    Product.objects.filter(pk=shop["soap"].pk).update(name="Soap bar")

    assert CatalogueChange.objects.count() == before + 1
    assert CatalogueChange.objects.latest("id").object_id == shop["soap"].pk


@pytest.mark.postgres
def test_an_update_that_changes_nothing_is_not_logged_but_inserts_and_deletes_are(shop):
    soap = Product.objects.get(pk=shop["soap"].pk)
    before = CatalogueChange.objects.latest("id").id

    Product.objects.filter(pk=soap.pk).update(name=soap.name)
    after_noop = CatalogueChange.objects.latest("id").id
    typo = CustomerFactory(name="Typo")
    typo_pk = typo.pk
    typo.delete()

    assert after_noop == before
    logged = CatalogueChange.objects.filter(id__gt=before).order_by("id")
    assert list(logged.values_list("entity", "object_id")) == [("customer", typo_pk), ("customer", typo_pk)]


@pytest.mark.parametrize("since", ["garbage", "eyJ2IjoyfQ", "e30"])
def test_catalogue_changes_bad_cursor_is_invalid(shop, since):
    with pytest.raises(DomainError) as exc:
        catalogue.catalogue_changes(since=since)

    assert (exc.value.code, exc.value.field) == ("INVALID", "since")


@pytest.mark.parametrize("first", [0, 101])
def test_catalogue_changes_page_size_out_of_range_is_refused(shop, first):
    with pytest.raises(DomainError) as exc:
        catalogue.catalogue_changes(first=first)

    assert exc.value.code in ("OUT_OF_RANGE",)


# --- GraphQL ---------------------------------------------------------------------------------------


def test_catalogue_changes_query_on_registered_device_pages_to_the_end(as_cashier, manager, shop):
    credential = register_device(manager).credential

    since, seen = None, []
    for _ in range(20):
        page = as_cashier(SYNC, {"since": since, "first": 100}, HTTP_X_POS_DEVICE=credential).payload(
            "catalogueChanges"
        )
        seen += [p["sku"] for p in page["products"]]
        since = page["nextCursor"]
        if not page["hasMore"]:
            break

    assert sorted(seen) == sorted(Product.objects.values_list("sku", flat=True))
    soap = next(p for p in Product.objects.all() if p.sku == shop["soap"].sku)
    product_catalogue.update_product(user=manager, product=soap, retail_price=D("9.99"))
    delta = as_cashier(SYNC, {"since": since}, HTTP_X_POS_DEVICE=credential).payload("catalogueChanges")
    assert [(p["sku"], p["retailPrice"]) for p in delta["products"]] == [(soap.sku, "9.99")]
    assert delta["isFullSync"] is False


@pytest.mark.parametrize("include", [True, False])
def test_catalogue_changes_says_whether_prices_include_tax(as_cashier, manager, shop, settings, include):
    settings.PRICES_INCLUDE_TAX = include
    credential = register_device(manager).credential

    page = as_cashier(SYNC, {"first": 1}, HTTP_X_POS_DEVICE=credential).payload("catalogueChanges")

    assert page["pricesIncludeTax"] is include


def test_catalogue_changes_query_without_device_is_refused(as_cashier, shop):
    response = as_cashier(SYNC)

    assert response.error_codes() == ["DEVICE_REQUIRED"]
    assert response.data["catalogueChanges"] is None


def test_catalogue_changes_query_on_revoked_device_is_refused(as_cashier, manager, shop):
    from offline import services

    registered = register_device(manager)
    services.revoke_device(user=manager, device_id=registered.device.pk)

    response = as_cashier(SYNC, HTTP_X_POS_DEVICE=registered.credential)

    assert response.error_codes() == ["DEVICE_REVOKED"]


def test_catalogue_changes_query_anonymous_is_unauthenticated(anon, manager, shop):
    response = anon(SYNC, HTTP_X_POS_DEVICE=register_device(manager).credential)

    assert response.error_codes() == ["UNAUTHENTICATED"]


def test_catalogue_changes_query_bad_cursor_is_coded(as_cashier, manager, shop):
    response = as_cashier(SYNC, {"since": "nope"}, HTTP_X_POS_DEVICE=register_device(manager).credential)

    assert response.error_codes() == ["INVALID"]
