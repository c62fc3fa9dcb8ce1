"""Catalogue sync carries batches with expiry; pruning the change log expires old cursors, never skips."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from offline import catalogue, services
from offline.models import CatalogueChange, CataloguePruneMark
from products.models import Batch
from products.services import stock as stock_services
from products.services.catalogue import update_product
from shared import clock
from shared.errors import DomainError
from tests.offline.factories import register_device
from tests.offline.factories import sync_all as _sync_all

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


def sync_all(since=None, first=4):
    return _sync_all(since, first)


def test_full_sync_sends_every_batch_with_its_expiry(shop):
    pages, _cursor = sync_all()

    sent = {b.pk: (b.batch_number, b.expiry_date, b.quantity) for page in pages for b in page.batches}
    expected = {b.pk: (b.batch_number, b.expiry_date, b.quantity) for b in Batch.objects.all()}
    assert sent == expected and len(sent) == 3  # the syrup's expired, soon and later batches


def test_receiving_a_batch_and_deleting_one_are_sent_as_a_delta(manager, shop):
    _pages, cursor = sync_all()
    expiry = clock.now().date() + timedelta(days=400)
    stock_services.receive_stock(
        user=manager,
        product=shop["syrup"],
        location=None,
        quantity="6",
        unit_cost="4.00",
        batch_number="NEW-1",
        expiry_date=expiry,
    )
    empty = Batch.objects.create(
        product=shop["syrup"], location=Batch.objects.first().location, batch_number="GONE", quantity=0
    )
    gone = empty.pk
    empty.delete()

    page = catalogue.catalogue_changes(since=cursor)

    assert [(b.batch_number, b.expiry_date, b.quantity) for b in page.batches] == [("NEW-1", expiry, D("6"))]
    assert page.deleted_batch_ids == [gone]


BATCHES = """query($since: String) { catalogueChanges(since: $since, first: 100) { nextCursor hasMore
  batches { id productId locationId batchNumber expiryDate quantity } deletedBatchIds } }"""


def test_catalogue_changes_query_lists_batches_as_the_api_types_them(as_cashier, manager, shop):
    credential = register_device(manager).credential
    since, batches = None, []
    while True:
        page = as_cashier(BATCHES, {"since": since}, HTTP_X_POS_DEVICE=credential).payload("catalogueChanges")
        batches += page["batches"]
        since = page["nextCursor"]
        if not page["hasMore"]:
            break
    soon = Batch.objects.get(batch_number="SOON")
    sent = next(b for b in batches if b["id"] == str(soon.pk))
    assert D(sent.pop("quantity")) == soon.quantity
    assert sent == {
        "id": str(soon.pk),
        "productId": str(shop["syrup"].pk),
        "locationId": str(soon.location_id),
        "batchNumber": "SOON",
        "expiryDate": soon.expiry_date.isoformat(),
    }
    assert len(batches) == Batch.objects.count()


def _age_the_log(days):
    CatalogueChange.objects.update(logged_at=clock.now() - timedelta(days=days))


def test_pruning_deletes_old_rows_and_expires_only_cursors_before_the_mark(manager, shop):
    _pages, old_cursor = sync_all()
    update_product(user=manager, product=shop["soap"], retail_price=D("11.00"))
    _pages, recent_cursor = sync_all(since=old_cursor)
    logged = CatalogueChange.objects.count()
    _age_the_log(31)
    update_product(user=manager, product=shop["rice"], retail_price=D("26.00"))  # a fresh row

    result = services.prune_catalogue_changes(older_than=timedelta(days=30))

    assert result.deleted == logged and CatalogueChange.objects.count() == 1
    newest_pruned = catalogue.Cursor.decode(recent_cursor)
    assert result.mark >= (newest_pruned.txid, newest_pruned.row)
    assert (CataloguePruneMark.objects.get().txid, CataloguePruneMark.objects.get().row) == result.mark
    with pytest.raises(DomainError) as refused:
        catalogue.catalogue_changes(since=old_cursor)
    assert (refused.value.code, refused.value.field) == ("CURSOR_EXPIRED", "since")
    # The till at the newest position pruned misses nothing: it gets the one change left.
    page = catalogue.catalogue_changes(since=recent_cursor)
    assert [p.sku for p in page.products] == ["RICE"]
    # A first sync after pruning works and hands over a cursor that is not expired.
    pages, cursor = sync_all()
    assert {p.sku for page in pages for p in page.products} >= {"SOAP", "RICE", "SYRUP"}
    assert catalogue.catalogue_changes(since=cursor).products == []


def test_pruning_keeps_rows_inside_the_retention_and_is_idempotent(manager, shop):
    _pages, cursor = sync_all()
    kept = CatalogueChange.objects.count()

    assert services.prune_catalogue_changes(older_than=timedelta(days=30)).deleted == 0
    assert CatalogueChange.objects.count() == kept and not CataloguePruneMark.objects.exists()
    _age_the_log(40)
    first = services.prune_catalogue_changes(older_than=timedelta(days=30), chunk=2)
    again = services.prune_catalogue_changes(older_than=timedelta(days=30))
    assert first.deleted == kept and again.deleted == 0 and again.mark == first.mark
    # The cursor the full sync handed over sits at the mark: nothing after it was pruned.
    assert catalogue.catalogue_changes(since=cursor).products == []


def test_prune_command_reports_progress_and_refuses_zero_days(manager, shop, capsys):
    _age_the_log(45)
    call_command("prune_catalogue_changes", "--days", "30")
    out = capsys.readouterr().out
    assert "rows deleted" in out and "now expire" in out and CatalogueChange.objects.count() == 0
    with pytest.raises(CommandError):
        call_command("prune_catalogue_changes", "--days", "0")


CURSOR = """query($since: String) { catalogueChanges(since: $since) { nextCursor } }"""


def test_expired_cursor_is_a_coded_top_level_refusal(as_cashier, manager, shop):
    credential = register_device(manager).credential
    _pages, cursor = sync_all()
    update_product(user=manager, product=shop["soap"], retail_price=D("11.50"))
    _age_the_log(60)
    services.prune_catalogue_changes(older_than=timedelta(days=30))

    result = as_cashier(CURSOR, {"since": cursor}, HTTP_X_POS_DEVICE=credential)

    assert result.error_codes() == ["CURSOR_EXPIRED"]
