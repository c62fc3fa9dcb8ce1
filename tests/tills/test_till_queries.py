"""zReport and currentShift: what the till reads of shifts through GraphQL (issue 18)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory
from tests.tills.factories import make_register, open_shift
from tills import services

pytestmark = pytest.mark.django_db
Z = "query($id: ID!, $format: ZReportFormat) { zReport(shiftId: $id, format: $format) }"


def closed_shift(cashier, manager, counted="195.00"):
    shift = open_shift(cashier, make_register(manager), "200.00")
    services.record_cash_movement(
        user=cashier, shift_id=shift.pk, kind="PAY_OUT", amount=Decimal("5.00"), reason="Milk"
    )
    return services.close_shift(user=cashier, shift_id=shift.pk, counted_cash=Decimal(counted))


def test_z_report_cashier_gets_own_closed_shift_as_html_and_text(as_cashier, cashier, manager, shop):
    shift = closed_shift(cashier, manager, counted="190.00")

    html = as_cashier(Z, {"id": str(shift.pk)}).payload("zReport")
    text = as_cashier(Z, {"id": str(shift.pk), "format": "TEXT_42"}).payload("zReport")

    assert html.startswith("<!doctype html>") and "Z report 1" in html
    assert "<td>Pay-outs</td><td>5.00</td>" in html
    assert "<td>Cash variance</td><td>-5.00</td>" in html
    assert "Z REPORT 1" in text and all(len(row) <= 42 for row in text.splitlines())


def test_z_report_open_shift_has_no_z_yet(as_cashier, cashier, manager, shop):
    shift = open_shift(cashier, make_register(manager))

    assert as_cashier(Z, {"id": str(shift.pk)}).payload("zReport") is None


def test_z_report_other_cashiers_shift_not_found_manager_sees_it(gql, as_manager, cashier, manager, shop):
    shift = closed_shift(cashier, manager)

    other = gql(UserFactory())(Z, {"id": str(shift.pk)})
    managers = as_manager(Z, {"id": str(shift.pk)}).payload("zReport")

    assert other.data["zReport"] is None and other.error_codes() == ["NOT_FOUND"]
    assert "Z report 1" in managers


def test_z_report_anonymous_refused(anon, cashier, manager, shop):
    shift = closed_shift(cashier, manager)

    response = anon(Z, {"id": str(shift.pk)})

    assert response.error_codes() == ["UNAUTHENTICATED"] and response.data["zReport"] is None


def test_z_report_costs_two_queries(as_cashier, cashier, manager, shop):
    shift = closed_shift(cashier, manager)

    with CaptureQueriesContext(connection) as captured:
        as_cashier(Z, {"id": str(shift.pk)}).payload("zReport")

    # The auth user, then the shift joined to its register, cashier and closer; the Z is stored.
    assert len(captured) == 2


CURRENT = (
    "{ currentShift { id status openingFloat register { name location { name } } cashier { username } } }"
)


def test_current_shift_is_the_callers_own_open_shift(as_cashier, as_manager, cashier, manager, shop):
    shift = open_shift(cashier, make_register(manager), "150.00")

    with CaptureQueriesContext(connection) as captured:
        mine = as_cashier(CURRENT).payload("currentShift")
    queries = len(captured)  # read now: the next request resets the connection's query log
    managers = as_manager(CURRENT).payload("currentShift")
    services.close_shift(user=cashier, shift_id=shift.pk, counted_cash=Decimal("150.00"))
    after_close = as_cashier(CURRENT).payload("currentShift")

    assert mine["status"] == "OPEN" and mine["openingFloat"] == "150.00"
    assert mine["register"] == {"name": "Till 1", "location": {"name": shop["location"].name}}
    assert queries == 2  # the auth user, the shift joined to register, location and cashier
    assert managers is None  # another user's open shift is not the manager's
    assert after_close is None


def test_current_shift_anonymous_refused(anon, shop):
    response = anon(CURRENT)

    assert response.error_codes() == ["UNAUTHENTICATED"] and response.data["currentShift"] is None
