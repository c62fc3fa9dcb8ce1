"""shared.inserts: the same rows bulk_create would write, primary keys set, and refusals kept."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customers.models import CustomerLedgerEntry
from shared.inserts import insert
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def entry(customer, user, amount, **extra):
    return CustomerLedgerEntry(customer=customer, user=user, amount=amount, balance_after=amount, **extra)


def stored(pk):
    row = CustomerLedgerEntry.objects.filter(pk=pk).values().get()
    row.pop("id")
    row.pop("created_at")
    return row


def test_rows_equal_bulk_creates_with_keys_and_auto_times(manager):
    customer = CustomerFactory()
    before = timezone.now()
    ours = insert(
        [entry(customer, manager, Decimal("12.50"), reference="S1"), entry(customer, manager, Decimal("-3"))]
    )
    theirs = CustomerLedgerEntry.objects.bulk_create(
        [entry(customer, manager, Decimal("12.50"), reference="S1"), entry(customer, manager, Decimal("-3"))]
    )

    assert all(row.pk for row in ours) and ours[0].pk < ours[1].pk
    assert [stored(r.pk) for r in ours] == [stored(r.pk) for r in theirs]
    assert all(not row._state.adding for row in ours)
    created = CustomerLedgerEntry.objects.get(pk=ours[0].pk).created_at
    assert before <= created <= timezone.now()


def test_a_value_needing_conversion_is_converted_and_a_nan_is_refused(manager):
    customer = CustomerFactory()
    (row,) = insert([entry(customer, manager, "7.25")])  # a string where a Decimal belongs
    assert CustomerLedgerEntry.objects.get(pk=row.pk).amount == Decimal("7.25")

    with pytest.raises(ValidationError):
        insert([entry(customer, manager, Decimal("NaN"))])
    assert CustomerLedgerEntry.objects.count() == 1
