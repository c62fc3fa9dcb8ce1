"""Who sold an offline sale and which shift it posts to: the one open on the till's register at soldAt."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from offline import services
from offline.models import SyncException
from sales.models import Sale
from shared.roles import Role
from tests.factories import UserFactory
from tests.offline.factories import make_till
from tests.tills.factories import make_register, open_shift
from tills import services as till_services
from tills.models import Shift, ShiftPosting

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def front(manager, shop):
    return make_register(manager, "Front")


@pytest.fixture
def till(manager, shop, front):
    return make_till(manager, shop, register=front, products=("soap",))


def _opened(shift, hours_ago):
    Shift.objects.filter(pk=shift.pk).update(opened_at=timezone.now() - timedelta(hours=hours_ago))
    shift.refresh_from_db()
    return shift


def _close(shift, manager):
    return till_services.close_shift(user=manager, shift_id=shift.pk, counted_cash=shift.opening_float)


def _posted_shift(sale):
    return ShiftPosting.objects.get(reference_type="sale", reference_id=sale.pk).shift


def test_synced_sale_names_its_cashier_and_the_syncing_user_by_default(cashier, manager, shop, till):
    other = UserFactory(role=Role.CASHIER, username="ada")
    till.sell([(shop["soap"], "1")])
    named = till.sell([(shop["soap"], "1")])
    till.outbox[-1] = replace(named, cashier_id=other.pk)
    open_shift(cashier, make_register(manager, "Back"))

    (result,) = till.sync(cashier)

    first, second = (o.sale_sync for o in result.outcomes)
    assert (first.sale.cashier, second.sale.cashier) == (cashier, other)
    assert (first.synced_by, second.synced_by) == (cashier, cashier)


def test_unknown_cashier_is_refused_and_records_nothing(cashier, manager, shop, till):
    request = till.sell([(shop["soap"], "1")])
    till.outbox[-1] = replace(request, cashier_id=999999)
    open_shift(cashier, make_register(manager, "Back"))

    (result,) = till.sync(cashier)

    assert [(e.code, e.field) for e in result.outcomes[0].errors] == [("NOT_FOUND", "sales.0.cashierId")]
    assert Sale.objects.count() == 0


def test_sale_posts_to_the_shift_open_at_sold_at_on_the_devices_register(cashier, manager, shop, till, front):
    ada = UserFactory(role=Role.CASHIER, username="ada")
    at_front = _opened(open_shift(ada, front), hours_ago=3)
    own = open_shift(cashier, make_register(manager, "Back"))  # the syncing cashier's own shift
    till.sell([(shop["soap"], "2")], sold_at=timezone.now() - timedelta(hours=1))

    (result,) = till.sync(cashier)

    sale = result.outcomes[0].sale_sync.sale
    assert _posted_shift(sale) == at_front != own
    assert result.outcomes[0].exceptions == []


def test_sale_of_a_shift_closed_since_posts_to_the_syncing_users_shift_and_leaves_the_z_alone(
    cashier, manager, shop, till, front
):
    ada = UserFactory(role=Role.CASHIER, username="ada")
    earlier = _opened(open_shift(ada, front), hours_ago=5)
    earlier = _close(earlier, manager)
    Shift.objects.filter(pk=earlier.pk).update(closed_at=timezone.now() - timedelta(hours=2))
    z_before = Shift.objects.get(pk=earlier.pk).z_report
    own = open_shift(cashier, front)
    till.sell([(shop["soap"], "2")], sold_at=timezone.now() - timedelta(hours=3))

    (result,) = till.sync(cashier)

    outcome = result.outcomes[0]
    assert outcome.outcome == "SYNCED_WITH_EXCEPTIONS"
    assert _posted_shift(outcome.sale_sync.sale) == own
    (exception,) = outcome.exceptions
    assert exception.kind == "SHIFT_CLOSED"
    assert exception.details["closed_shift_id"] == earlier.pk
    assert exception.details["posted_shift_id"] == own.pk
    assert exception.details["closed_z_number"] == earlier.z_number
    closed = Shift.objects.get(pk=earlier.pk)
    assert closed.z_report == z_before and not ShiftPosting.objects.filter(shift=closed).exists()

    services.resolve_sync_exception(user=manager, exception_id=exception.pk, resolution="ACCEPTED")
    assert SyncException.objects.get().status == "RESOLVED"


def test_sale_made_outside_any_shift_of_the_register_posts_to_the_syncing_users_shift_unflagged(
    cashier, manager, shop, till, front
):
    own = _opened(open_shift(cashier, front), hours_ago=1)
    till.sell([(shop["soap"], "1")], sold_at=timezone.now() - timedelta(hours=2))

    (result,) = till.sync(cashier)

    assert result.outcomes[0].outcome == "SYNCED"
    assert _posted_shift(result.outcomes[0].sale_sync.sale) == own
