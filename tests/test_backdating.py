"""shared.clock (a pinnable clock) and shared.backdating (documents written as of a past moment)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from products.models import Category
from shared import clock
from shared.backdating import backdated, shop_time
from tests.products.factories import CategoryFactory

PAST = datetime(2024, 7, 1, 9, 30, tzinfo=UTC)


def test_clock_now_outside_a_pin_is_the_real_time():
    before = timezone.now()

    now = clock.now()

    assert before <= now <= timezone.now()


def test_clock_pinned_answers_the_pinned_moment_and_restores_after():
    with clock.pinned(PAST):
        inside = (clock.now(), clock.localdate())

    assert inside == (PAST, date(2024, 7, 1))
    assert clock.now() > PAST


def test_clock_pinned_naive_datetime_is_refused():
    naive = datetime(2024, 7, 1, 9, 30)  # noqa: DTZ001 - the point of the test

    with pytest.raises(ValueError), clock.pinned(naive):
        pass


def test_backdated_restamps_rows_written_in_the_block_only(db):
    earlier = CategoryFactory(name="Written before")

    with backdated(PAST):
        inside = CategoryFactory(name="Written inside")

    inside.refresh_from_db()
    earlier.refresh_from_db()
    assert (inside.created_at, inside.updated_at) == (PAST, PAST)
    assert earlier.created_at > PAST


def test_backdated_rows_touched_in_the_block_get_its_time_as_updated_at(db):
    category = CategoryFactory(name="Old")

    with backdated(PAST):
        Category.objects.get(pk=category.pk).save()

    category.refresh_from_db()
    assert category.updated_at == PAST and category.created_at > PAST


def test_backdated_future_moment_is_refused(db):
    with pytest.raises(ValueError), backdated(timezone.now() + timedelta(days=1)):
        pass


def test_shop_time_is_the_shop_local_wall_clock():
    moment = shop_time(date(2024, 6, 1), 8, 15)

    assert timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") == "2024-06-01 08:15"
