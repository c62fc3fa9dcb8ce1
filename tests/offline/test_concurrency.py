"""PostgreSQL only: two tills resuming one parked cart, and catalogue sync against an open writer."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, transaction

from offline import catalogue, services
from offline.models import ParkedCart
from products.models import Location, Product
from shared.errors import DomainError
from tests.factories import UserFactory
from tests.offline.factories import park_cart
from tests.shop import make_product

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_resume_cart_racing_two_tills_exactly_one_wins():
    Location.objects.get_or_create(is_default=True, defaults={"name": "Main shop"})
    manager = UserFactory(role="manager")
    cart = park_cart(manager, [(make_product(manager, "RACE", qty="5"), "1")])
    cashiers = [UserFactory(), UserFactory()]
    started = threading.Barrier(2)

    def resume(user):
        started.wait()
        try:
            return services.resume_cart(user=user, cart_id=cart.pk).closed_by_id
        except DomainError as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(resume, cashiers))

    winners = [o for o in outcomes if o != "CART_NOT_PARKED"]
    assert len(winners) == 1 and outcomes.count("CART_NOT_PARKED") == 1, outcomes
    assert ParkedCart.objects.get().closed_by_id == winners[0]


def _sync_to_end(since):
    seen = []
    while True:
        page = catalogue.catalogue_changes(since=since, first=100)
        seen += [(p.sku, p.retail_price) for p in page.products]
        since = page.next_cursor
        if not page.has_more:
            return seen, since


def test_catalogue_sync_with_writer_open_during_a_page_skips_nothing():
    """A writer that logged first but commits last must not be skipped by a cursor that moved past
    a later writer's row (the failure of a plain auto-increment cursor)."""
    Location.objects.get_or_create(is_default=True, defaults={"name": "Main shop"})
    manager = UserFactory(role="manager")
    slow, fast = make_product(manager, "SLOW"), make_product(manager, "FAST")
    _seen, cursor = _sync_to_end(None)
    slow_has_written, release = threading.Event(), threading.Event()

    def slow_writer():
        try:
            with transaction.atomic():
                Product.objects.filter(pk=slow.pk).update(retail_price=Decimal("11.00"))
                slow_has_written.set()
                assert release.wait(10)
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(slow_writer)
        assert slow_has_written.wait(10)
        Product.objects.filter(pk=fast.pk).update(retail_price=Decimal("22.00"))  # commits at once
        during, cursor = _sync_to_end(cursor)
        release.set()
        pending.result()
    after, _cursor = _sync_to_end(cursor)

    # The page read while the slow writer was open holds back everything after its transaction.
    assert during == []
    assert sorted(after) == [("FAST", Decimal("22.00")), ("SLOW", Decimal("11.00"))]
