"""Customer account services: every rule, every error code, nothing changed on refusal."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from customers import selectors, services
from customers.checks import find_ledger_mismatches
from customers.models import Customer, CustomerLedgerEntry, CustomerPayment
from shared.errors import DomainError
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
D = Decimal


def charge(user, customer, amount, ref_id=1):
    return services.charge_to_account(
        user=user,
        customer_id=customer.pk,
        amount=D(amount),
        reference_type="sale",
        reference_id=ref_id,
        reference=f"S-{ref_id}",
    )


def snapshot(customer):
    customer.refresh_from_db()
    return customer.balance, CustomerLedgerEntry.objects.filter(customer=customer).count()


def test_charge_raises_balance_and_writes_ledger(cashier):
    customer = CustomerFactory(credit_limit=D("100.00"))

    entry = charge(cashier, customer, "30.00")

    customer.refresh_from_db()
    assert customer.balance == D("30.00")
    assert (entry.amount, entry.balance_after, entry.entry_type) == (D("30.00"), D("30.00"), "sale_charge")
    assert (entry.reference_type, entry.reference_id, entry.reference) == ("sale", 1, "S-1")


def test_charge_over_credit_limit_refused_with_available_amount(cashier):
    customer = CustomerFactory(credit_limit=D("100.00"))
    charge(cashier, customer, "70.00")
    before = snapshot(customer)

    with pytest.raises(DomainError) as refused:
        charge(cashier, customer, "30.01")

    assert refused.value.code == "CREDIT_LIMIT_EXCEEDED"
    assert "30.00 more" in refused.value.message
    assert snapshot(customer) == before


def test_charge_exactly_to_the_limit_is_allowed(cashier):
    customer = CustomerFactory(credit_limit=D("50.00"))

    charge(cashier, customer, "50.00")

    assert snapshot(customer)[0] == D("50.00")


@pytest.mark.parametrize("status,code", [("blocked", "CUSTOMER_BLOCKED"), ("archived", "CUSTOMER_ARCHIVED")])
def test_charge_refused_for_blocked_or_archived(cashier, status, code):
    customer = CustomerFactory(credit_limit=D("100.00"), status=status)

    with pytest.raises(DomainError) as refused:
        charge(cashier, customer, "1.00")

    assert refused.value.code == code
    assert snapshot(customer) == (D("0.00"), 0)


@pytest.mark.parametrize("amount", ["0", "-5.00", "1.001"])
def test_charge_invalid_amount_refused(cashier, amount):
    customer = CustomerFactory(credit_limit=D("100.00"))

    with pytest.raises(DomainError) as refused:
        charge(cashier, customer, amount)

    assert refused.value.code == "INVALID"
    assert snapshot(customer) == (D("0.00"), 0)


def test_payment_larger_than_debt_kept_as_credit_when_asked(cashier):
    customer = CustomerFactory(credit_limit=D("100.00"))
    charge(cashier, customer, "40.00")

    payment = services.record_payment(
        user=cashier,
        customer_id=customer.pk,
        amount=D("50.00"),
        method="cash",
        reference="R1",
        keep_excess_as_credit=True,
    )

    customer.refresh_from_db()
    assert customer.balance == D("-10.00")
    assert payment.ledger_entry.amount == D("-50.00")
    assert payment.ledger_entry.reference_id == payment.pk
    assert selectors.get_customer(customer_id=customer.pk).balance == D("-10.00")


def test_record_payment_unknown_method_refused(cashier):
    customer = CustomerFactory()

    with pytest.raises(DomainError) as refused:
        services.record_payment(user=cashier, customer_id=customer.pk, amount=D("5.00"), method="bitcoin")

    assert refused.value.code == "INVALID"
    assert CustomerPayment.objects.count() == 0


def test_record_payment_unknown_customer_not_found(cashier):
    with pytest.raises(DomainError) as refused:
        services.record_payment(user=cashier, customer_id=999999, amount=D("5.00"), method="cash")

    assert refused.value.code == "NOT_FOUND"


def test_store_credit_spent_up_to_what_is_held(cashier):
    customer = CustomerFactory()
    services.record_payment(
        user=cashier, customer_id=customer.pk, amount=D("20.00"), method="cash", keep_excess_as_credit=True
    )

    services.apply_store_credit(
        user=cashier, customer_id=customer.pk, amount=D("15.00"), reference_type="sale", reference_id=7
    )
    before = snapshot(customer)
    with pytest.raises(DomainError) as refused:
        services.apply_store_credit(
            user=cashier, customer_id=customer.pk, amount=D("5.01"), reference_type="sale", reference_id=8
        )

    assert before[0] == D("-5.00")
    assert refused.value.code == "INSUFFICIENT_STORE_CREDIT"
    assert snapshot(customer) == before


def test_credit_account_lowers_balance(cashier):
    customer = CustomerFactory()

    entry = services.credit_account(
        user=cashier,
        customer_id=customer.pk,
        amount=D("3.50"),
        entry_type="overpayment_credit",
        reference_type="sale",
        reference_id=1,
    )

    assert entry.amount == D("-3.50")
    assert snapshot(customer)[0] == D("-3.50")


def test_adjust_balance_needs_manager_and_reason(cashier, manager):
    customer = CustomerFactory()

    with pytest.raises(DomainError) as not_manager:
        services.adjust_balance(user=cashier, customer_id=customer.pk, amount=D("5.00"), reason="typo")
    with pytest.raises(DomainError) as no_reason:
        services.adjust_balance(user=manager, customer_id=customer.pk, amount=D("5.00"), reason="  ")
    entry = services.adjust_balance(
        user=manager, customer_id=customer.pk, amount=D("-2.25"), reason="goodwill"
    )

    assert not_manager.value.code == "PERMISSION_DENIED"
    assert no_reason.value.code == "REQUIRED"
    assert (entry.amount, entry.note, snapshot(customer)) == (D("-2.25"), "goodwill", (D("-2.25"), 1))


def test_cashier_creates_customer_without_credit_but_not_with(cashier, manager):
    plain = services.create_customer(user=cashier, name="Ada", phone="08030000001")

    with pytest.raises(DomainError) as refused:
        services.create_customer(user=cashier, name="Bola", credit_limit=D("50.00"))
    with_credit = services.create_customer(user=manager, name="Bola", credit_limit=D("50.00"))

    assert plain.credit_limit == D("0.00") and plain.created_by == cashier
    assert refused.value.code == "PERMISSION_DENIED"
    assert with_credit.credit_limit == D("50.00")
    assert Customer.objects.count() == 2


def test_create_customer_requires_name_and_rejects_bad_email(cashier):
    with pytest.raises(Exception) as refused:
        services.create_customer(user=cashier, name="", email="nope")

    assert set(refused.value.message_dict) == {"name", "email"}
    assert Customer.objects.count() == 0


def test_create_customer_duplicate_phone_refused_in_any_spelling(cashier):
    services.create_customer(user=cashier, name="Ada", phone="0803 000 0001")

    with pytest.raises(DomainError) as refused:
        services.create_customer(user=cashier, name="Ada Two", phone="+234 803 000 0001")

    assert (refused.value.code, refused.value.errors[0].field) == ("DUPLICATE_CUSTOMER", "phone")
    assert Customer.objects.count() == 1


def test_update_customer_cannot_take_a_live_customers_phone(cashier):
    services.create_customer(user=cashier, name="Ada", phone="0803 000 0001")
    bola = services.create_customer(user=cashier, name="Bola", phone="0805 111 0001")

    with pytest.raises(DomainError) as refused:
        services.update_customer(user=cashier, customer_id=bola.pk, phone=" 08030000001 ")

    assert (refused.value.code, refused.value.errors[0].field) == ("DUPLICATE_CUSTOMER", "phone")
    bola.refresh_from_db()
    assert bola.phone == "+2348051110001"
    # Keeping one's own number (in any spelling), or taking an archived customer's, is fine.
    services.update_customer(user=cashier, customer_id=bola.pk, phone="0805 111 0001", name="Bola A.")


def test_cashier_can_edit_profile_but_not_limit_or_status(cashier):
    customer = CustomerFactory()

    services.update_customer(user=cashier, customer_id=customer.pk, name="New Name")
    with pytest.raises(DomainError) as limit:
        services.update_customer(user=cashier, customer_id=customer.pk, credit_limit=D("10.00"))
    with pytest.raises(DomainError) as block:
        services.update_customer(user=cashier, customer_id=customer.pk, status="blocked")

    customer.refresh_from_db()
    assert customer.name == "New Name"
    assert (limit.value.code, limit.value.field, block.value.code) == (
        "PERMISSION_DENIED",
        "creditLimit",
        "PERMISSION_DENIED",
    )
    assert (customer.credit_limit, customer.status) == (D("0.00"), "active")


def test_manager_blocks_and_sets_limit(manager):
    customer = CustomerFactory()

    services.update_customer(user=manager, customer_id=customer.pk, credit_limit=D("75.00"), status="blocked")

    customer.refresh_from_db()
    assert (customer.credit_limit, customer.status) == (D("75.00"), "blocked")


def test_archive_hides_from_list_but_keeps_history(cashier, manager):
    customer = CustomerFactory(credit_limit=D("10.00"))
    charge(cashier, customer, "5.00")

    services.archive_customer(user=manager, customer_id=customer.pk)

    assert list(selectors.list_customers()) == []
    assert [c.pk for c in selectors.list_customers(include_archived=True)] == [customer.pk]
    assert CustomerLedgerEntry.objects.filter(customer=customer).count() == 1


def test_delete_refused_with_history_allowed_without(cashier, manager):
    with_history = CustomerFactory(credit_limit=D("10.00"))
    charge(cashier, with_history, "1.00")
    without = CustomerFactory()

    with pytest.raises(DomainError) as refused:
        services.delete_customer(user=manager, customer_id=with_history.pk)
    services.delete_customer(user=manager, customer_id=without.pk)

    assert refused.value.code == "CUSTOMER_HAS_HISTORY"
    assert list(Customer.objects.values_list("pk", flat=True)) == [with_history.pk]


def test_statement_opening_plus_entries_equals_closing(cashier):
    customer = CustomerFactory(credit_limit=D("500.00"))
    old = charge(cashier, customer, "100.00", ref_id=1)
    CustomerLedgerEntry.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    charge(cashier, customer, "60.00", ref_id=2)
    services.record_payment(user=cashier, customer_id=customer.pk, amount=D("25.50"), method="transfer")
    today = timezone.localdate()

    statement = selectors.customer_statement(
        customer=customer, date_from=today - timedelta(days=7), date_to=today
    )

    assert statement.opening_balance == D("100.00")
    assert [e.amount for e in statement.entries] == [D("60.00"), D("-25.50")]
    assert (statement.total_charged, statement.total_credited) == (D("60.00"), D("25.50"))
    assert statement.closing_balance == D("134.50")
    customer.refresh_from_db()
    assert statement.closing_balance == customer.balance


def test_search_by_name_phone_email():
    ada = CustomerFactory(name="Ada Obi", phone="08031234567", email="ada@shop.test")
    CustomerFactory(name="Bola Ade", phone="07000000000")

    assert [c.pk for c in selectors.list_customers(search="obi")] == [ada.pk]
    assert [c.pk for c in selectors.list_customers(search="1234")] == [ada.pk]
    assert [c.pk for c in selectors.list_customers(search="ADA@SHOP")] == [ada.pk]


def test_debt_and_credit_filters(cashier):
    debtor = CustomerFactory(credit_limit=D("10.00"))
    charge(cashier, debtor, "4.00")
    creditor = CustomerFactory()
    services.record_payment(
        user=cashier, customer_id=creditor.pk, amount=D("4.00"), method="cash", keep_excess_as_credit=True
    )
    CustomerFactory()

    assert [c.pk for c in selectors.list_customers(has_debt=True)] == [debtor.pk]
    assert [c.pk for c in selectors.list_customers(has_credit=True)] == [creditor.pk]


def test_check_ledgers_detects_a_tampered_balance(cashier):
    customer = CustomerFactory(credit_limit=D("10.00"))
    charge(cashier, customer, "4.00")
    assert find_ledger_mismatches() == []

    Customer.objects.filter(pk=customer.pk).update(balance=D("3.00"))

    problems = find_ledger_mismatches()
    assert len(problems) == 1 and f"customer {customer.pk}" in problems[0]


def test_save_customer_profile_passes_on_only_changed_fields(cashier):
    customer = CustomerFactory(name="Ada", credit_limit=D("50.00"), status="blocked")

    saved = services.save_customer_profile(
        user=cashier, customer_id=customer.pk, name=" Ada Obi ", credit_limit="50.00", status="blocked"
    )

    assert (saved.name, saved.credit_limit, saved.status) == ("Ada Obi", D("50.00"), "blocked")


def test_save_customer_profile_changed_credit_limit_needs_manager(cashier):
    customer = CustomerFactory(name="Ada", credit_limit=D("50.00"))

    with pytest.raises(DomainError) as refused:
        services.save_customer_profile(
            user=cashier, customer_id=customer.pk, name="Ada Obi", credit_limit="60"
        )

    assert (refused.value.code, refused.value.field) == ("PERMISSION_DENIED", "creditLimit")
    customer.refresh_from_db()
    assert (customer.name, customer.credit_limit) == ("Ada", D("50.00"))


def test_save_customer_profile_new_blocked_customer_refused_for_cashier_creates_nothing(cashier):
    with pytest.raises(DomainError) as refused:
        services.save_customer_profile(user=cashier, customer_id=None, name="Ada", status="blocked")

    assert (refused.value.code, refused.value.field) == ("PERMISSION_DENIED", "status")
    assert not Customer.objects.exists()


def test_save_customer_profile_archive_by_manager_goes_through_archive(manager):
    customer = CustomerFactory()

    saved = services.save_customer_profile(user=manager, customer_id=customer.pk, status="archived")

    assert saved.status == "archived"
