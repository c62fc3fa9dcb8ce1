"""Phone numbers: validated with phonenumbers, stored in E.164, compared normalised."""

import pytest

from customers import selectors, services
from customers.models import Customer
from customers.phones import normalize_phone
from shared.errors import DomainError

pytestmark = pytest.mark.django_db
CREATE = """mutation($input: CreateCustomerInput!) { createCustomer(input: $input) {
  success errors { field code } customer { phone }
} }"""


@pytest.mark.parametrize(
    "typed", ["08031110001", "0803 111 0001", "0803-111-0001", "+234 803 111 0001", "+2348031110001"]
)
def test_normalize_phone_local_and_international_spellings_give_e164(typed):
    assert normalize_phone(typed) == "+2348031110001"


def test_normalize_phone_other_country_with_its_code_is_kept():
    assert normalize_phone("+1 202 555 0143") == "+12025550143"


def test_normalize_phone_region_comes_from_the_setting(settings):
    settings.POS_PHONE_REGION = "GB"

    assert normalize_phone("020 7946 0018") == "+442079460018"


@pytest.mark.parametrize("typed", ["abc", "0803", "12", "0803 111 0001 0001 99"])
def test_normalize_phone_invalid_refused_on_phone(typed):
    with pytest.raises(DomainError) as refused:
        normalize_phone(typed)

    assert (refused.value.code, refused.value.field) == ("INVALID", "phone")


def test_normalize_phone_blank_is_no_phone():
    assert normalize_phone("  ") == ""


def test_create_customer_stores_e164(cashier):
    customer = services.create_customer(user=cashier, name="Ada", phone=" 0803 111 0001 ")

    customer.refresh_from_db()
    assert customer.phone == "+2348031110001"


def test_update_customer_invalid_phone_refused_and_nothing_changed(cashier):
    customer = services.create_customer(user=cashier, name="Ada", phone="08031110001")

    with pytest.raises(DomainError) as refused:
        services.update_customer(user=cashier, customer_id=customer.pk, phone="abc", name="Ada O.")

    assert (refused.value.code, refused.value.field) == ("INVALID", "phone")
    customer.refresh_from_db()
    assert (customer.name, customer.phone) == ("Ada", "+2348031110001")


def test_search_finds_an_e164_phone_typed_the_local_way(cashier):
    ada = services.create_customer(user=cashier, name="Ada", phone="08031110001")
    services.create_customer(user=cashier, name="Bola", phone="08059990002")

    assert [c.pk for c in selectors.list_customers(search="0803 111 0001")] == [ada.pk]
    assert [c.pk for c in selectors.list_customers(search="0803111")] == [ada.pk]


def test_graphql_create_customer_phone_abc_refused(as_cashier):
    result = as_cashier(CREATE, {"input": {"name": "Ada", "phone": "abc"}}).payload("createCustomer")

    assert result["success"] is False
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("phone", "INVALID")]
    assert Customer.objects.count() == 0


def test_graphql_create_customer_returns_e164(as_cashier):
    result = as_cashier(CREATE, {"input": {"name": "Ada", "phone": "0803 111 0001"}}).payload(
        "createCustomer"
    )

    assert (result["success"], result["customer"]["phone"]) == (True, "+2348031110001")


def test_phone_migration_rewrites_valid_numbers_and_leaves_the_rest():
    import importlib

    from django.apps import apps

    from tests.factories import CustomerFactory

    migration = importlib.import_module("customers.migrations.0003_phones_e164")
    local = CustomerFactory(phone="0803 111 0001")
    odd = CustomerFactory(phone="ext. 12")
    none = CustomerFactory(phone="")

    migration.to_e164(apps, None)

    assert [Customer.objects.get(pk=c.pk).phone for c in (local, odd, none)] == [
        "+2348031110001",
        "ext. 12",
        "",
    ]
