"""The hand-worked test day of issue #14: every X and Z figure computed by hand, to the cent.

Cashier opens Till 1 with a float of 200.00 (2 x 100.00) and during the shift:
  S1  2 soap = 20.00, cash 50.00, change 30.00           cash +20.00
  S2  1 rice = 25.00 (7.5% tax included: 1.74), card      card +25.00
  S3  3 soap = 30.00, split cash 10.00 + card 20.00       cash +10.00, card +20.00
  S4  2 soap = 20.00 on the regular customer's account    on account +20.00
  P   the regular customer pays 15.00 of that in cash     cash +15.00
  R   1 soap of S1 returned, refunded in cash (manager    cash -10.00
      approves the cashier's request)
  X   a manager exchanges 2 soap of S3 (20.00) for 1 soap (10.00), the difference paid back in cash:
      refund -20.00 in exchanged goods, replacement sale 10.00 paid with them, 10.00 cash back
  S5  1 soap = 10.00 in cash, then voided by a manager    cash +10.00, then -10.00
  pay-in 50.00, pay-out 12.50 (window cleaner), drop 100.00 to the safe

Expected cash = 200 + 20 + 10 + 15 - 10 - 10 + 10 - 10 + 50 - 12.50 - 100 = 162.50; card 45.00.
Tax by rate (net of voids and refunds): soap at 0 % is taxed on 20 + 30 + 20 + 10 + 10 sold, less
10 voided, less 10 + 20 refunded = 50.00, tax 0.00; rice at 7.5 % on 25.00 - 1.74 = 23.26, tax 1.74.
The cashier counts 160.00 (100 + 50 + 2 x 5): variance -2.50, within tolerance, so CLOSED with Z 1.
"""

from decimal import Decimal

import pytest

from customers import services as customer_services
from returns import exchange as exchange_services
from returns import services as return_services
from sales import services as sale_services
from sales.services import SaleLineRequest
from shared.errors import DomainError
from tests.returns.test_services import ask, sell
from tests.tills.factories import make_register, open_shift
from tills import selectors, services
from tills.models import CashMovement, Shift
from tills.services import Denomination

pytestmark = pytest.mark.django_db
D = Decimal
REPORT = """query($id: ID!) { shiftReport(shiftId: $id) { isZ isBlind zNumber openingFloat expectedCash
  countedCash variance payIns payOuts drops
  sales { count total tax cash card onAccount exchange }
  voids { count total cash } refunds { count total cash exchange }
  accountPayments { count total cash } exchangeDifferences { count cash exchange }
  tenders { tender expected counted variance } taxByRate { rate taxable tax } } }"""


def run_the_day(cashier, manager, shop):
    soap, rice, regular = shop["soap"], shop["rice"], shop["regular"]
    register = make_register(manager)
    shift = open_shift(cashier, register, "200.00", [Denomination(D("100.00"), 2)])
    s1 = sell(cashier, [(soap, "2")], [("cash", "50.00")])
    sell(cashier, [(rice, "1")], [("card", "25.00")])
    s3 = sell(cashier, [(soap, "3")], [("cash", "10.00"), ("card", "20.00")])
    sell(cashier, [(soap, "2")], [("credit", "20.00")], customer_id=regular.pk)
    customer_services.record_payment(user=cashier, customer_id=regular.pk, amount=D("15.00"), method="cash")
    refund = ask(cashier, s1, [(soap, "1", True)])
    return_services.approve_return(user=manager, return_id=refund.pk)
    exchange_services.create_exchange(
        user=manager,
        sale_id=s3.pk,
        return_lines=[return_services.ReturnLineRequest(sale_item_id=s3.items.get().pk, quantity=D("2"))],
        new_items=[SaleLineRequest(product_id=soap.pk, quantity=D("1"))],
        payments=[],
    )
    s5 = sell(cashier, [(soap, "1")], [("cash", "10.00")])
    sale_services.void_sale(user=manager, sale_id=s5.pk, reason="Rang up twice")
    for kind, amount, reason in [
        (CashMovement.Kind.PAY_IN, "50.00", "Float top-up"),
        (CashMovement.Kind.PAY_OUT, "12.50", "Window cleaner"),
        (CashMovement.Kind.DROP, "100.00", "Safe drop"),
    ]:
        services.record_cash_movement(
            user=cashier, shift_id=shift.pk, kind=kind, amount=D(amount), reason=reason
        )
    return shift


EXPECTED = {
    "openingFloat": "200.00",
    "payIns": "50.00",
    "payOuts": "12.50",
    "drops": "100.00",
    "sales": {
        "count": 6,  # S1, S2, S3, S4, the exchange's replacement, S5
        "total": "115.00",  # 20 + 25 + 30 + 20 + 10 + 10
        "tax": "1.74",  # 25.00 - q(25.00 / 1.075)
        "cash": "40.00",  # S1 20 (50 less 30 change) + S3 10 + S5 10
        "card": "45.00",
        "onAccount": "20.00",
        "exchange": "10.00",
    },
    "voids": {"count": 1, "total": "-10.00", "cash": "-10.00"},
    "refunds": {"count": 2, "total": "-30.00", "cash": "-10.00", "exchange": "-20.00"},
    "accountPayments": {"count": 1, "total": "15.00", "cash": "15.00"},
    "exchangeDifferences": {"count": 1, "cash": "-10.00", "exchange": "10.00"},
    "taxByRate": [
        {"rate": "0.0000", "taxable": "50.00", "tax": "0.00"},  # 90 sold - 10 voided - 30 refunded
        {"rate": "0.0750", "taxable": "23.26", "tax": "1.74"},  # S2: 25.00 - 1.74
    ],
}


def test_test_day_x_report_matches_hand_computation(cashier, manager, shop, gql):
    shift = run_the_day(cashier, manager, shop)

    x = gql(manager)(REPORT, {"id": str(shift.pk)}).payload("shiftReport")
    blind = gql(cashier)(REPORT, {"id": str(shift.pk)}).payload("shiftReport")

    assert {key: x[key] for key in EXPECTED} == EXPECTED
    assert (x["isZ"], x["isBlind"], x["zNumber"]) == (False, False, None)
    assert x["expectedCash"] == "162.50"
    assert (x["countedCash"], x["variance"]) == (None, None)
    assert x["tenders"] == [
        {"tender": "cash", "expected": "162.50", "counted": None, "variance": None},
        {"tender": "card", "expected": "45.00", "counted": None, "variance": None},
        {"tender": "transfer", "expected": "0.00", "counted": None, "variance": None},
    ]
    # Blind: the cashier sees what was sold but not what the drawer should hold.
    assert blind["isBlind"] is True and blind["expectedCash"] is None
    assert [t["expected"] for t in blind["tenders"]] == [None, None, None]
    assert blind["sales"] == EXPECTED["sales"]


def test_test_day_z_report_is_fixed_at_close_and_matches_hand_computation(cashier, manager, shop, gql):
    shift = run_the_day(cashier, manager, shop)

    closed = services.close_shift(
        user=cashier,
        shift_id=shift.pk,
        counted_cash=D("160.00"),
        denominations=[Denomination(D("100.00"), 1), Denomination(D("50.00"), 1), Denomination(D("5.00"), 2)],
        counted_by_tender={"card": D("45.00")},
        note="Short by a coin or two",
    )
    z = gql(cashier)(REPORT, {"id": str(shift.pk)}).payload("shiftReport")

    assert (closed.status, closed.z_number) == (Shift.Status.CLOSED, 1)
    assert (closed.expected_cash, closed.counted_cash, closed.variance) == (
        D("162.50"),
        D("160.00"),
        D("-2.50"),
    )
    assert {key: z[key] for key in EXPECTED} == EXPECTED
    assert (z["isZ"], z["isBlind"], z["zNumber"]) == (True, False, 1)
    assert (z["expectedCash"], z["countedCash"], z["variance"]) == ("162.50", "160.00", "-2.50")
    assert z["tenders"] == [
        {"tender": "cash", "expected": "162.50", "counted": "160.00", "variance": "-2.50"},
        {"tender": "card", "expected": "45.00", "counted": "45.00", "variance": "0.00"},
        {"tender": "transfer", "expected": "0.00", "counted": None, "variance": None},
    ]
    # The Z is what the rows sum to.
    assert selectors.shift_summary(shift=closed).expected_cash == closed.expected_cash


def test_test_day_after_close_nothing_posts_and_the_z_never_changes(cashier, manager, shop):
    shift = run_the_day(cashier, manager, shop)
    late = sell(cashier, [(shop["soap"], "1")], [("cash", "10.00")])  # inside the shift, voided after close
    services.close_shift(user=cashier, shift_id=shift.pk, counted_cash=D("172.50"))
    z_before = Shift.objects.get(pk=shift.pk).z_report

    with pytest.raises(DomainError) as refused_sale:
        sell(cashier, [(shop["soap"], "1")], [("cash", "10.00")])
    with pytest.raises(DomainError) as refused_movement:
        services.record_cash_movement(
            user=cashier, shift_id=shift.pk, kind=CashMovement.Kind.PAY_IN, amount=D("1.00"), reason="late"
        )
    with pytest.raises(DomainError) as refused_void:
        sale_services.void_sale(user=manager, sale_id=late.pk, reason="after close")

    assert refused_sale.value.errors[0].code == "NO_OPEN_SHIFT"
    assert refused_movement.value.errors[0].code == "SHIFT_CLOSED"
    assert refused_void.value.errors[0].code == "NO_OPEN_SHIFT"
    shift = Shift.objects.get(pk=shift.pk)
    assert shift.z_report == z_before
    assert selectors.shift_summary(shift=shift).expected_cash == D("172.50")
    assert late.__class__.objects.get(pk=late.pk).status == "completed"


def test_void_of_a_closed_shifts_sale_posts_to_the_voiders_open_shift(cashier, manager, shop):
    register = make_register(manager)
    first = open_shift(cashier, register, "0.00")
    sale = sell(cashier, [(shop["soap"], "1")], [("cash", "10.00")])
    services.close_shift(user=cashier, shift_id=first.pk, counted_cash=D("10.00"))
    second = open_shift(manager, register, "0.00")

    sale_services.void_sale(user=manager, sale_id=sale.pk, reason="Customer changed mind")

    assert selectors.shift_summary(shift=first).expected_cash == D("10.00")
    assert Shift.objects.get(pk=first.pk).z_report["expected_cash"] == "10.00"
    assert selectors.shift_summary(shift=second).expected_cash == D("-10.00")
    assert selectors.shift_summary(shift=second).kind("VOID").count == 1


def test_test_day_check_ledgers_reconciles_then_catches_a_tampered_z(cashier, manager, shop):
    from tills.checks import find_ledger_mismatches

    shift = run_the_day(cashier, manager, shop)
    services.close_shift(user=cashier, shift_id=shift.pk, counted_cash=D("162.50"))
    clean = find_ledger_mismatches()
    Shift.objects.filter(pk=shift.pk).update(expected_cash=D("150.00"), variance=D("12.50"))

    assert clean == []
    assert find_ledger_mismatches() == [
        f"shift {shift.pk} (Z 1 of Till 1): expected cash 150.00 != rows 162.50",
    ]


def test_test_day_z_page_text_html_and_csv(cashier, manager, shop):
    from django.test import Client
    from graphql_jwt.shortcuts import get_token

    shift = run_the_day(cashier, manager, shop)
    services.close_shift(user=cashier, shift_id=shift.pk, counted_cash=D("160.00"))
    auth = {"HTTP_AUTHORIZATION": f"JWT {get_token(manager)}"}

    text = Client().get("/reports/z/1/?format=text_42", **auth)
    html = Client().get("/reports/z/1/", **auth)
    csv_page = Client().get(f"/reports/z/1/?format=csv&register={shift.register_id}", **auth)
    by_cashier = Client().get("/reports/z/1/", HTTP_AUTHORIZATION=f"JWT {get_token(cashier)}")
    missing = Client().get("/reports/z/2/", **auth)

    lines = text.content.decode().splitlines()
    assert all(len(line) <= 42 for line in lines)
    assert "Sales (6)" + " " * (42 - len("Sales (6)") - len("115.00")) + "115.00" in lines
    assert "Cash expected" + " " * (42 - len("Cash expected") - len("162.50")) + "162.50" in lines
    assert "Cash variance" + " " * (42 - len("Cash variance") - len("-2.50")) + "-2.50" in lines
    assert "<td>Drops</td><td>100.00</td>" in html.content.decode()
    assert "Expected and counted,Cash counted,160.00" in csv_page.content.decode()
    assert "Tax at 7.5%" + " " * (42 - len("Tax at 7.5%") - len("1.74")) + "1.74" in lines
    assert "Taxable at 0%" + " " * (42 - len("Taxable at 0%") - len("50.00")) + "50.00" in lines
    assert "<td>Taxable at 7.5%</td><td>23.26</td>" in html.content.decode()
    assert "Tax by rate (net of voids and refunds),Tax at 0%,0.00" in csv_page.content.decode()
    assert (by_cashier.status_code, missing.status_code) == (403, 404)


TAXES = """query($id: ID!) { shiftReport(shiftId: $id) { isZ sales { tax } voids { tax } refunds { tax }
  accountPayments { tax } exchangeDifferences { tax } taxByRate { rate taxable tax } } }"""


def tax_total(report) -> Decimal:
    kinds = ("sales", "voids", "refunds", "accountPayments", "exchangeDifferences")
    return sum((D(report[kind]["tax"]) for kind in kinds), D("0"))


def test_test_day_tax_by_rate_adds_up_to_the_tax_total_in_the_x_and_the_z(cashier, manager, shop, gql):
    shift = run_the_day(cashier, manager, shop)
    x = gql(manager)(TAXES, {"id": str(shift.pk)}).payload("shiftReport")
    services.close_shift(user=cashier, shift_id=shift.pk, counted_cash=D("162.50"))
    z = gql(manager)(TAXES, {"id": str(shift.pk)}).payload("shiftReport")

    assert (x["isZ"], z["isZ"]) == (False, True)
    for report in (x, z):
        assert sum((D(row["tax"]) for row in report["taxByRate"]), D("0")) == tax_total(report) == D("1.74")
        assert report["taxByRate"] == EXPECTED["taxByRate"]


def test_tax_by_rate_refunds_in_parts_and_voids_give_back_exactly_the_tax_charged(
    cashier, manager, shop, gql
):
    """Rice (25.00, 7.5 % included) refunded one unit at a time: the refund's tax is the line's own
    tax shared cumulatively, q(5.23 x 1/3) = 1.74 then q(5.23 x 2/3) - 1.74 = 1.75, never recomputed."""
    from tills.checks import find_ledger_mismatches

    rice, soap = shop["rice"], shop["soap"]
    shift = open_shift(cashier, make_register(manager), "0.00")
    three = sell(cashier, [(rice, "3")], [("cash", "75.00")])  # tax q(75 x 0.075 / 1.075) = 5.23
    for _ in range(2):
        return_services.approve_return(user=manager, return_id=ask(cashier, three, [(rice, "1", True)]).pk)
    mixed = sell(cashier, [(rice, "1"), (soap, "1")], [("cash", "35.00")])  # rice tax 1.74, soap 0
    sale_services.void_sale(user=manager, sale_id=mixed.pk, reason="Wrong customer")

    x = gql(manager)(TAXES, {"id": str(shift.pk)}).payload("shiftReport")
    services.close_shift(user=cashier, shift_id=shift.pk, counted_cash=D("25.00"))
    z = gql(manager)(TAXES, {"id": str(shift.pk)}).payload("shiftReport")

    # sales 5.23 + 1.74, refunds -1.74 - 1.75, void -1.74: net 1.74 on 69.77 - 23.26 - 23.25 = 23.26
    assert (x["sales"]["tax"], x["refunds"]["tax"], x["voids"]["tax"]) == ("6.97", "-3.49", "-1.74")
    expected = [
        {"rate": "0.0000", "taxable": "0.00", "tax": "0.00"},  # soap sold, then voided
        {"rate": "0.0750", "taxable": "23.26", "tax": "1.74"},
    ]
    assert x["taxByRate"] == z["taxByRate"] == expected
    assert tax_total(x) == tax_total(z) == D("1.74")
    assert find_ledger_mismatches() == []


def test_check_ledgers_catches_a_tampered_tax_row(cashier, manager, shop):
    from tills.checks import find_ledger_mismatches
    from tills.models import ShiftPostingTax

    shift = run_the_day(cashier, manager, shop)
    services.close_shift(user=cashier, shift_id=shift.pk, counted_cash=D("162.50"))
    row = ShiftPostingTax.objects.get(shift=shift, rate=D("0.0750"))
    ShiftPostingTax.objects.filter(pk=row.pk).update(tax=D("1.00"))

    assert find_ledger_mismatches() == [
        f"shift {shift.pk} (Z 1 of Till 1): Z tax by rate != rows",
        f"shift posting {row.posting_id} (shift {shift.pk}): tax by rate 1.00 != tax 1.74",
    ]
