"""Query budgets of the tills lists: a page costs the same for 2 and 10 rows."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory
from tests.tills.factories import make_register, open_shift
from tills import services

pytestmark = pytest.mark.django_db
REGISTERS = (
    "query { registers(first: 20) { totalCount edges { node { name isRetired location { name } } } } }"
)
SHIFTS = """query { shifts(first: 20) { totalCount edges { node { status openingFloat zNumber
  register { name location { name } } cashier { username } closedBy { username } } } } }"""


def count(client, query, name):
    with CaptureQueriesContext(connection) as captured:
        client(query).payload(name)
    return len(captured)


def make_closed_shifts(manager, n):
    for _ in range(n):
        cashier = UserFactory()
        shift = open_shift(cashier, make_register(manager, f"Till {cashier.username}"), "0.00")
        services.close_shift(user=cashier, shift_id=shift.pk, counted_cash=Decimal("0.00"))


def test_registers_and_shifts_pages_cost_the_same_for_2_and_10_rows(as_manager, manager, shop):
    make_closed_shifts(manager, 2)
    few = (count(as_manager, REGISTERS, "registers"), count(as_manager, SHIFTS, "shifts"))
    make_closed_shifts(manager, 8)
    many = (count(as_manager, REGISTERS, "registers"), count(as_manager, SHIFTS, "shifts"))

    # Pinned: auth user, count, page (registers joined to their location; shifts to register,
    # location, cashier, closer and approver).
    assert few == many == (3, 3)
