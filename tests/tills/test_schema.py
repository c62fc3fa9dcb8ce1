import pytest

from tests.tills.factories import make_register, open_shift
from tills.models import CashMovement, Register, Shift

pytestmark = pytest.mark.django_db
PAYLOAD = "success message errors { field code message }"
CREATE_REGISTER = f"""mutation($input: CreateRegisterInput!) {{ createRegister(input: $input) {{ {PAYLOAD}
  register {{ id name isRetired location {{ name }} }} }} }}"""
RETIRE_REGISTER = f"""mutation($input: RetireRegisterInput!) {{ retireRegister(input: $input) {{ {PAYLOAD}
  register {{ isRetired }} }} }}"""
OPEN_SHIFT = f"""mutation($input: OpenShiftInput!) {{ openShift(input: $input) {{ {PAYLOAD}
  shift {{ id status openingFloat openingDenominations {{ value count }} cashier {{ username }} }} }} }}"""
MOVE = f"""mutation($input: RecordCashMovementInput!) {{ recordCashMovement(input: $input) {{ {PAYLOAD}
  cashMovement {{ kind amount reason }} }} }}"""
CLOSE = f"""mutation($input: CloseShiftInput!) {{ closeShift(input: $input) {{ {PAYLOAD}
  shift {{ status zNumber countedCash variance }} }} }}"""
APPROVE = f"""mutation($input: ApproveShiftCloseInput!) {{ approveShiftClose(input: $input) {{ {PAYLOAD}
  shift {{ status approvalNote }} }} }}"""
REGISTERS = "query { registers(first: 10) { totalCount edges { node { name isRetired } } } }"
SHIFTS = "query { shifts(first: 10) { totalCount edges { node { status cashier { username } } } } }"


def test_create_register_manager_creates_at_default_location(as_manager, shop):
    result = as_manager(CREATE_REGISTER, {"input": {"name": "Till 1"}}).payload("createRegister")

    assert result["success"] is True, result
    assert result["register"]["name"] == "Till 1" and result["register"]["isRetired"] is False
    assert result["register"]["location"]["name"] == shop["location"].name


def test_create_register_cashier_forbidden_and_nothing_created(as_cashier, shop):
    response = as_cashier(CREATE_REGISTER, {"input": {"name": "Till 1"}})

    assert response.error_codes() == ["FORBIDDEN"] and response.data["createRegister"] is None
    assert Register.objects.count() == 0


def test_create_register_unknown_location_not_found(as_manager, shop):
    result = as_manager(CREATE_REGISTER, {"input": {"name": "T", "locationId": "999"}}).payload(
        "createRegister"
    )

    assert result["errors"] == [
        {"field": "locationId", "code": "NOT_FOUND", "message": "Location not found."}
    ]
    assert Register.objects.count() == 0


def test_retire_register_manager_retires_and_cashier_forbidden(as_manager, as_cashier, manager, shop):
    register = make_register(manager)

    forbidden = as_cashier(RETIRE_REGISTER, {"input": {"registerId": str(register.pk)}})
    result = as_manager(RETIRE_REGISTER, {"input": {"registerId": str(register.pk)}}).payload(
        "retireRegister"
    )
    again = as_manager(RETIRE_REGISTER, {"input": {"registerId": str(register.pk)}}).payload("retireRegister")

    assert forbidden.error_codes() == ["FORBIDDEN"]
    assert result["register"]["isRetired"] is True
    assert again["errors"][0]["code"] == "REGISTER_RETIRED"


def test_open_shift_cashier_opens_with_denominations(as_cashier, manager, shop):
    register = make_register(manager)

    result = as_cashier(
        OPEN_SHIFT,
        {
            "input": {
                "registerId": str(register.pk),
                "openingFloat": "150.00",
                "denominations": [{"value": "100.00", "count": 1}, {"value": "50.00", "count": 1}],
            }
        },
    ).payload("openShift")

    assert result["success"] is True, result
    assert result["shift"]["status"] == "OPEN" and result["shift"]["openingFloat"] == "150.00"
    assert result["shift"]["openingDenominations"] == [
        {"value": "100.00", "count": 1},
        {"value": "50.00", "count": 1},
    ]
    assert result["shift"]["cashier"]["username"] == "cashier"


def test_open_shift_anonymous_unauthenticated(anon, manager, shop):
    register = make_register(manager)

    response = anon(OPEN_SHIFT, {"input": {"registerId": str(register.pk), "openingFloat": "0.00"}})

    assert response.error_codes() == ["UNAUTHENTICATED"] and Shift.objects.count() == 0


def test_open_shift_denomination_mismatch_in_payload(as_cashier, manager, shop):
    register = make_register(manager)

    result = as_cashier(
        OPEN_SHIFT,
        {
            "input": {
                "registerId": str(register.pk),
                "openingFloat": "10.00",
                "denominations": [{"value": "5.00", "count": 1}],
            }
        },
    ).payload("openShift")

    assert result["success"] is False
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("denominations", "DENOMINATION_MISMATCH")]
    assert Shift.objects.count() == 0


def test_record_cash_movement_and_closed_shift_refused(as_cashier, cashier, manager, shop):
    shift = open_shift(cashier, make_register(manager), "10.00")
    variables = {"input": {"shiftId": str(shift.pk), "kind": "DROP", "amount": "5.00", "reason": "Safe"}}

    result = as_cashier(MOVE, variables).payload("recordCashMovement")
    as_cashier(CLOSE, {"input": {"shiftId": str(shift.pk), "countedCash": "5.00"}})
    late = as_cashier(MOVE, variables).payload("recordCashMovement")

    assert result["cashMovement"] == {"kind": "DROP", "amount": "5.00", "reason": "Safe"}
    assert late["errors"][0]["code"] == "SHIFT_CLOSED"
    assert CashMovement.objects.filter(shift=shift).count() == 1


def test_close_shift_blind_payload_then_manager_approves(
    as_cashier, as_manager, cashier, manager, shop, settings
):
    settings.POS_SHIFT_VARIANCE_TOLERANCE = "1.00"
    shift = open_shift(cashier, make_register(manager), "10.00")

    closed = as_cashier(
        CLOSE, {"input": {"shiftId": str(shift.pk), "countedCash": "8.00", "note": "?"}}
    ).payload("closeShift")
    by_cashier = as_cashier(APPROVE, {"input": {"shiftId": str(shift.pk), "note": "fine"}})
    approved = as_manager(APPROVE, {"input": {"shiftId": str(shift.pk), "note": "Coin jar"}}).payload(
        "approveShiftClose"
    )

    assert closed["success"] is True
    assert closed["shift"] == {
        "status": "PENDING_APPROVAL",
        "zNumber": 1,
        "countedCash": "8.00",
        "variance": "-2.00",
    }
    assert by_cashier.error_codes() == ["FORBIDDEN"]
    assert approved["shift"] == {"status": "CLOSED", "approvalNote": "Coin jar"}


def test_shift_report_other_cashiers_shift_not_found(gql, cashier, manager, shop):
    from tests.factories import UserFactory

    shift = open_shift(cashier, make_register(manager))

    response = gql(UserFactory())(
        "query($id: ID!) { shiftReport(shiftId: $id) { isZ } }", {"id": str(shift.pk)}
    )

    assert response.data["shiftReport"] is None and response.error_codes() == ["NOT_FOUND"]


def test_registers_and_shifts_lists_scoped(as_cashier, as_manager, gql, cashier, manager, shop):
    from tests.factories import UserFactory

    open_shift(cashier, make_register(manager, "Till 1"))
    open_shift(UserFactory(), make_register(manager, "Till 2"))

    registers = as_cashier(REGISTERS).payload("registers")
    own = as_cashier(SHIFTS).payload("shifts")
    everyone = as_manager(SHIFTS).payload("shifts")

    assert [e["node"]["name"] for e in registers["edges"]] == ["Till 1", "Till 2"]
    assert own["totalCount"] == 1 and own["edges"][0]["node"]["cashier"]["username"] == "cashier"
    assert everyone["totalCount"] == 2


VARIANCE = """query($from: Date!, $to: Date!) { cashVarianceByCashier(dateFrom: $from, dateTo: $to) {
  username shiftCount variance short over pendingCount } }"""


def test_cash_variance_by_cashier_sums_shorts_and_overs_worst_first(
    as_manager, as_cashier, cashier, manager, shop
):
    from decimal import Decimal

    from django.utils import timezone

    from tests.factories import UserFactory
    from tills import services

    steady = UserFactory(username="steady")
    till_1, till_2 = make_register(manager, "Till 1"), make_register(manager, "Till 2")
    for user, register, counted in [
        (cashier, till_1, "7.00"),  # short 3.00
        (cashier, till_1, "11.50"),  # over 1.50
        (steady, till_2, "10.00"),
    ]:
        shift = open_shift(user, register, "10.00")
        services.close_shift(user=user, shift_id=shift.pk, counted_cash=Decimal(counted))
    today = timezone.localdate().isoformat()

    rows = as_manager(VARIANCE, {"from": today, "to": today}).payload("cashVarianceByCashier")
    forbidden = as_cashier(VARIANCE, {"from": today, "to": today})

    assert rows == [
        {
            "username": "cashier",
            "shiftCount": 2,
            "variance": "-1.50",
            "short": "3.00",
            "over": "1.50",
            "pendingCount": 0,
        },
        {
            "username": "steady",
            "shiftCount": 1,
            "variance": "0.00",
            "short": "0.00",
            "over": "0.00",
            "pendingCount": 0,
        },
    ]
    assert forbidden.error_codes() == ["FORBIDDEN"]


def test_shift_admin_page_shows_the_z_report(admin_user, cashier, manager, shop):
    from decimal import Decimal

    from django.test import Client

    from tills import services

    shift = open_shift(cashier, make_register(manager), "10.00")
    services.close_shift(user=cashier, shift_id=shift.pk, counted_cash=Decimal("10.00"))
    client = Client()
    client.force_login(admin_user)

    page = client.get(f"/admin/tills/shift/{shift.pk}/change/")

    assert page.status_code == 200
    assert "Z REPORT 1" in page.content.decode()
