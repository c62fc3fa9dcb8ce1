from decimal import Decimal

import pytest

from customers import services as customer_services
from shared.errors import DomainError
from tests.returns.test_services import sell
from tests.sales.helpers import world_state
from tests.tills.factories import make_register, open_shift
from tills import selectors, services
from tills.models import CashMovement, Register, Shift, ShiftPosting
from tills.services import Denomination

pytestmark = pytest.mark.django_db
D = Decimal


def till_state():
    return {
        "registers": sorted(Register.objects.values_list("pk", "retired_at", "last_z_number")),
        "shifts": sorted(Shift.objects.values_list("pk", "status", "z_number", "counted_cash")),
        "postings": ShiftPosting.objects.count(),
        "movements": CashMovement.objects.count(),
        **world_state(),
    }


def refused(call, **kwargs) -> str:
    before = till_state()
    with pytest.raises(DomainError) as exc:
        call(**kwargs)
    assert till_state() == before
    return exc.value.errors[0].code


def test_open_shift_second_on_register_refused_shift_already_open(cashier, manager, shop):
    register = make_register(manager)
    open_shift(cashier, register)

    code = refused(services.open_shift, user=manager, register_id=register.pk, opening_float=D("0"))

    assert code == "SHIFT_ALREADY_OPEN"


def test_open_shift_cashier_with_open_shift_refused(cashier, manager, shop):
    open_shift(cashier, make_register(manager, "Till 1"))
    other = make_register(manager, "Till 2")

    code = refused(services.open_shift, user=cashier, register_id=other.pk, opening_float=D("0"))

    assert code == "CASHIER_HAS_OPEN_SHIFT"


def test_open_shift_retired_register_refused(cashier, manager, shop):
    register = make_register(manager)
    services.retire_register(user=manager, register_id=register.pk)

    code = refused(services.open_shift, user=cashier, register_id=register.pk, opening_float=D("0"))

    assert code == "REGISTER_RETIRED"


def test_open_shift_denominations_not_adding_up_refused(cashier, manager, shop):
    register = make_register(manager)

    code = refused(
        services.open_shift,
        user=cashier,
        register_id=register.pk,
        opening_float=D("200.00"),
        denominations=[Denomination(D("100.00"), 1), Denomination(D("50.00"), 1)],
    )

    assert code == "DENOMINATION_MISMATCH"


def test_retire_register_with_open_shift_refused(cashier, manager, shop):
    register = make_register(manager)
    open_shift(cashier, register)

    assert (
        refused(services.retire_register, user=manager, register_id=register.pk) == "REGISTER_HAS_OPEN_SHIFT"
    )


def test_create_register_duplicate_active_name_refused(manager, shop):
    make_register(manager, "Till 1")

    assert refused(services.create_register, user=manager, name="till 1") == "UNIQUE"


def test_close_shift_twice_refused_shift_closed(cashier, manager, shop):
    shift = open_shift(cashier, make_register(manager), "50.00")
    services.close_shift(user=cashier, shift_id=shift.pk, counted_cash=D("50.00"))

    code = refused(services.close_shift, user=cashier, shift_id=shift.pk, counted_cash=D("50.00"))

    assert code == "SHIFT_CLOSED"


def test_close_shift_denominations_not_adding_up_refused(cashier, manager, shop):
    shift = open_shift(cashier, make_register(manager), "50.00")

    code = refused(
        services.close_shift,
        user=cashier,
        shift_id=shift.pk,
        counted_cash=D("50.00"),
        denominations=[Denomination(D("20.00"), 2)],
    )

    assert code == "DENOMINATION_MISMATCH"


def test_close_shift_of_another_cashier_refused(cashier, manager, shop):
    from tests.factories import UserFactory

    shift = open_shift(cashier, make_register(manager))
    other = UserFactory()

    assert (
        refused(services.close_shift, user=other, shift_id=shift.pk, counted_cash=D("0")) == "NOT_YOUR_SHIFT"
    )


def test_close_shift_variance_beyond_tolerance_pending_until_manager_approves(
    cashier, manager, shop, settings
):
    settings.POS_SHIFT_VARIANCE_TOLERANCE = "5.00"
    shift = open_shift(cashier, make_register(manager), "100.00")
    sell(cashier, [(shop["soap"], "1")], [("cash", "10.00")])

    closed = services.close_shift(user=cashier, shift_id=shift.pk, counted_cash=D("104.99"))
    approved = services.approve_shift_close(user=manager, shift_id=shift.pk, note="Counted twice, accepted")

    assert (closed.status, closed.variance, closed.expected_cash) == (
        Shift.Status.PENDING_APPROVAL,
        D("-5.01"),
        D("110.00"),
    )
    assert (approved.status, approved.approved_by, approved.approval_note) == (
        Shift.Status.CLOSED,
        manager,
        "Counted twice, accepted",
    )


def test_close_shift_variance_at_tolerance_closes(cashier, manager, shop, settings):
    settings.POS_SHIFT_VARIANCE_TOLERANCE = "5.00"
    shift = open_shift(cashier, make_register(manager), "100.00")

    closed = services.close_shift(user=cashier, shift_id=shift.pk, counted_cash=D("105.00"))

    assert (closed.status, closed.variance) == (Shift.Status.CLOSED, D("5.00"))


def test_approve_shift_close_not_pending_refused(cashier, manager, shop):
    shift = open_shift(cashier, make_register(manager))

    code = refused(services.approve_shift_close, user=manager, shift_id=shift.pk, note="ok")

    assert code == "SHIFT_NOT_PENDING"


def test_close_shift_z_numbers_gapless_per_register(cashier, manager, shop):
    till_1, till_2 = make_register(manager, "Till 1"), make_register(manager, "Till 2")
    numbers = []
    for register in (till_1, till_2, till_1, till_1):
        shift = open_shift(cashier, register, "0.00")
        numbers.append(
            (
                register.name,
                services.close_shift(user=cashier, shift_id=shift.pk, counted_cash=D("0")).z_number,
            )
        )

    assert numbers == [("Till 1", 1), ("Till 2", 1), ("Till 1", 2), ("Till 1", 3)]
    assert Register.objects.get(pk=till_1.pk).last_z_number == 3


def test_record_cash_movement_cashier_pay_out_above_limit_needs_manager(cashier, manager, shop, settings):
    settings.POS_CASHIER_MAX_PAY_OUT = "100.00"
    shift = open_shift(cashier, make_register(manager), "500.00")
    common = {
        "shift_id": shift.pk,
        "kind": CashMovement.Kind.PAY_OUT,
        "amount": D("100.01"),
        "reason": "Supplier",
    }

    code = refused(services.record_cash_movement, user=cashier, **common)
    by_manager = services.record_cash_movement(user=manager, **common)
    at_limit = services.record_cash_movement(user=cashier, **{**common, "amount": D("100.00")})

    assert code == "PAY_OUT_NEEDS_MANAGER"
    assert (by_manager.amount, at_limit.amount) == (D("100.01"), D("100.00"))
    assert selectors.shift_summary(shift=shift).expected_cash == D("299.99")


def test_record_cash_movement_zero_amount_and_blank_reason_refused(cashier, manager, shop):
    shift = open_shift(cashier, make_register(manager))

    zero = refused(
        services.record_cash_movement, user=cashier, shift_id=shift.pk, kind="DROP", amount=D("0"), reason="x"
    )
    blank = refused(
        services.record_cash_movement, user=cashier, shift_id=shift.pk, kind="DROP", amount=D("1"), reason=" "
    )

    assert (zero, blank) == ("INVALID", "REQUIRED")


def test_create_sale_cashier_without_shift_where_register_exists_refused_no_open_shift(
    cashier, manager, shop
):
    make_register(manager)

    code = refused(sell, user=cashier, lines=[(shop["soap"], "1")], payments=[("cash", "10.00")])

    assert code == "NO_OPEN_SHIFT"


def test_create_sale_shop_without_registers_sells_as_before(cashier, shop):
    sale = sell(cashier, [(shop["soap"], "1")], [("cash", "10.00")])

    assert sale.total == D("10.00") and ShiftPosting.objects.count() == 0


def test_create_sale_manager_without_shift_not_affected(manager, shop):
    make_register(manager)

    sale = sell(manager, [(shop["soap"], "1")], [("cash", "10.00")])

    assert sale.total == D("10.00") and ShiftPosting.objects.count() == 0


def test_create_sale_setting_off_cashier_sells_without_shift(cashier, manager, shop, settings):
    settings.POS_REQUIRE_OPEN_SHIFT = False
    make_register(manager)

    sale = sell(cashier, [(shop["soap"], "1")], [("cash", "10.00")])

    assert sale.total == D("10.00") and ShiftPosting.objects.count() == 0


def test_create_sale_register_at_another_location_does_not_require_shift(cashier, manager, shop):
    from products.models import Location

    make_register(manager, location=Location.objects.create(name="Warehouse", kind=Location.Kind.WAREHOUSE))

    assert sell(cashier, [(shop["soap"], "1")], [("cash", "10.00")]).total == D("10.00")


def test_create_sale_carries_the_open_shift_with_change_netted(cashier, manager, shop):
    shift = open_shift(cashier, make_register(manager), "20.00")

    sale = sell(cashier, [(shop["soap"], "1")], [("cash", "50.00")])

    posting = ShiftPosting.objects.get(reference_type="sale", reference_id=sale.pk)
    assert (posting.shift_id, posting.kind, posting.total, posting.cash) == (
        shift.pk,
        "SALE",
        D("10.00"),
        D("10.00"),
    )
    assert selectors.shift_summary(shift=shift).expected_cash == D("30.00")


def test_record_payment_cashier_without_shift_refused_no_open_shift(cashier, manager, shop):
    make_register(manager)
    customer = shop["regular"]
    sell(manager, [(shop["soap"], "2")], [("credit", "20.00")], customer_id=customer.pk)

    code = refused(
        customer_services.record_payment,
        user=cashier,
        customer_id=customer.pk,
        amount=D("5.00"),
        method="cash",
    )

    assert code == "NO_OPEN_SHIFT"


def test_record_payment_by_card_counts_for_the_card_tender_not_cash(cashier, manager, shop):
    shift = open_shift(cashier, make_register(manager), "0.00")
    customer = shop["regular"]
    sell(cashier, [(shop["soap"], "2")], [("credit", "20.00")], customer_id=customer.pk)

    customer_services.record_payment(user=cashier, customer_id=customer.pk, amount=D("5.00"), method="card")

    summary = selectors.shift_summary(shift=shift)
    assert (summary.expected_cash, summary.tender("card")) == (D("0.00"), D("5.00"))
    assert summary.kind("ACCOUNT_PAYMENT").count == 1


def test_shift_for_posting_takes_the_first_fallback_still_open_in_the_callers_order(manager, shop):
    from django.db import transaction

    from tests.factories import UserFactory

    older = open_shift(UserFactory(), make_register(manager, "Till 1"))
    newer = open_shift(UserFactory(), make_register(manager, "Till 2"))
    location_id = older.register.location_id

    with transaction.atomic():
        first = services.shift_for_posting(
            user=manager, location_id=location_id, fallback_shift_ids=[None, older.pk, newer.pk]
        )
        swapped = services.shift_for_posting(
            user=manager, location_id=location_id, fallback_shift_ids=[newer.pk, older.pk]
        )

    assert (first, swapped) == (older, newer)


def test_shift_for_refund_without_registers_costs_one_query(cashier, manager, shop):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from returns import till as returns_till

    sale = sell(cashier, [(shop["soap"], "1")], [("cash", "10.00")])

    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        shift = returns_till.shift_for_refund(user=manager, sale=sale, requested_by_id=cashier.pk)

    # Only "does this location have an active register": the fallback look-ups are skipped.
    assert shift is None and len(captured) == 1
