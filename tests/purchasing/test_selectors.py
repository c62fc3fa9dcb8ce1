import pytest

from purchasing import selectors
from tests.purchasing.factories import ordered

pytestmark = pytest.mark.django_db


def test_find_purchase_order_by_number_id_or_a_number_with_nul(manager, location):
    purchase_order = ordered(manager)

    assert selectors.find_purchase_order(identifier=purchase_order.number.lower()) == purchase_order
    assert selectors.find_purchase_order(identifier=str(purchase_order.pk)) == purchase_order
    # PostgreSQL text cannot hold NUL: such a "number" names nothing rather than failing
    assert selectors.find_purchase_order(identifier="PO\x002026") is None
