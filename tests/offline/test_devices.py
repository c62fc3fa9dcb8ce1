"""Device registration, revocation and the X-POS-Device credential check."""

import hashlib

import pytest

from offline import services
from offline.error_codes import OfflineErrorCode
from offline.models import Device
from products.selectors import get_default_location
from products.services import catalogue as product_catalogue
from shared.errors import DomainError
from tests.offline.factories import register_device
from tests.tills.factories import make_register
from tills import services as till_services

pytestmark = pytest.mark.django_db

REGISTER = """mutation($input: RegisterDeviceInput!) { registerDevice(input: $input) {
  success message errors { field code message } credential device { id name credentialPrefix isRevoked
  register { name } } } }"""
REVOKE = """mutation($input: RevokeDeviceInput!) { revokeDevice(input: $input) {
  success message errors { field code message } device { isRevoked revokedAt } } }"""
DEVICES = "query { devices(first: 20) { totalCount edges { node { name isRevoked register { name } } } } }"
CURRENT = "query { currentDevice { name register { name } } }"


def test_register_device_stores_only_the_hash_of_the_credential(manager, shop):
    register = make_register(manager)

    registered = register_device(manager, register=register)

    device = Device.objects.get()
    assert registered.credential.startswith("posdev_")
    assert device.credential_hash == hashlib.sha256(registered.credential.encode()).hexdigest()
    assert registered.credential not in (device.credential_hash, device.credential_prefix)
    assert registered.credential.startswith(device.credential_prefix)
    assert device.register == register


def test_register_device_twice_gives_different_credentials(manager, shop):
    first = register_device(manager, "A")
    second = register_device(manager, "B")

    assert first.credential != second.credential


def test_register_device_blank_name_is_required(manager, shop):
    with pytest.raises(DomainError) as exc:
        services.register_device(user=manager, name="  ")

    assert (exc.value.code, exc.value.field) == ("REQUIRED", "name")


def test_register_device_on_retired_register_is_refused(manager, shop):
    register = make_register(manager)
    till_services.retire_register(user=manager, register_id=register.pk)

    with pytest.raises(DomainError) as exc:
        services.register_device(user=manager, name="Tablet", register_id=register.pk)

    assert (exc.value.code, exc.value.field) == (OfflineErrorCode.REGISTER_RETIRED, "registerId")
    assert not Device.objects.exists()


def test_authenticate_device_known_credential_returns_device(manager, shop):
    registered = register_device(manager)

    assert services.authenticate_device(credential=registered.credential) == registered.device


@pytest.mark.parametrize(
    ("credential", "code"),
    [(None, "DEVICE_REQUIRED"), ("", "DEVICE_REQUIRED"), ("posdev_forged", "DEVICE_UNKNOWN")],
)
def test_authenticate_device_missing_or_unknown_is_refused(manager, shop, credential, code):
    register_device(manager)

    with pytest.raises(DomainError) as exc:
        services.authenticate_device(credential=credential)

    assert exc.value.code == code


def test_revoke_device_then_credential_is_refused_at_once(manager, shop):
    registered = register_device(manager)

    services.revoke_device(user=manager, device_id=registered.device.pk)

    with pytest.raises(DomainError) as exc:
        services.authenticate_device(credential=registered.credential)
    assert exc.value.code == OfflineErrorCode.DEVICE_REVOKED


def test_revoke_device_twice_is_refused(manager, shop):
    registered = register_device(manager)
    services.revoke_device(user=manager, device_id=registered.device.pk)
    revoked_at = Device.objects.get().revoked_at

    with pytest.raises(DomainError) as exc:
        services.revoke_device(user=manager, device_id=registered.device.pk)

    assert (exc.value.code, exc.value.field) == (OfflineErrorCode.DEVICE_ALREADY_REVOKED, "deviceId")
    assert Device.objects.get().revoked_at == revoked_at


def test_authenticate_device_of_retired_register_is_refused(manager, shop):
    register = make_register(manager)
    registered = register_device(manager, register=register)
    till_services.retire_register(user=manager, register_id=register.pk)

    with pytest.raises(DomainError) as exc:
        services.authenticate_device(credential=registered.credential)

    assert exc.value.code == OfflineErrorCode.DEVICE_REVOKED


# --- GraphQL ---------------------------------------------------------------------------------------


def test_register_device_mutation_returns_credential_once(as_manager, manager, shop):
    register = make_register(manager, "Till 7")

    payload = as_manager(REGISTER, {"input": {"name": "Tablet", "registerId": str(register.pk)}}).payload(
        "registerDevice"
    )

    assert payload["success"] is True, payload
    assert payload["credential"].startswith(payload["device"]["credentialPrefix"])
    assert payload["device"]["register"] == {"name": "Till 7"}
    listed = as_manager(DEVICES).payload("devices")
    assert "credential" not in str(listed)
    assert listed["totalCount"] == 1


def test_register_device_mutation_as_cashier_is_forbidden(as_cashier, shop):
    response = as_cashier(REGISTER, {"input": {"name": "Tablet"}})

    assert response.error_codes() == ["FORBIDDEN"]
    assert not Device.objects.exists()


def test_register_device_mutation_unknown_register_is_not_found(as_manager, shop):
    payload = as_manager(REGISTER, {"input": {"name": "Tablet", "registerId": "999999"}}).payload(
        "registerDevice"
    )

    assert payload["success"] is False
    assert payload["errors"][0]["code"] == "NOT_FOUND"
    assert payload["errors"][0]["field"] == "registerId"
    assert payload["credential"] is None
    assert not Device.objects.exists()


def test_revoke_device_mutation_hides_device_from_list_and_refuses_it(
    as_manager, gql, cashier, manager, shop
):
    registered = register_device(manager)

    payload = as_manager(REVOKE, {"input": {"deviceId": str(registered.device.pk)}}).payload("revokeDevice")

    assert payload["success"] is True
    assert payload["device"]["isRevoked"] is True
    assert as_manager(DEVICES).payload("devices")["totalCount"] == 0
    response = gql(cashier)(CURRENT, HTTP_X_POS_DEVICE=registered.credential)
    assert response.error_codes() == ["DEVICE_REVOKED"]
    assert response.data["currentDevice"] is None


def test_revoke_device_mutation_as_cashier_is_forbidden(as_cashier, manager, shop):
    registered = register_device(manager)

    response = as_cashier(REVOKE, {"input": {"deviceId": str(registered.device.pk)}})

    assert response.error_codes() == ["FORBIDDEN"]
    assert Device.objects.get().revoked_at is None


def test_devices_list_as_cashier_is_forbidden(as_cashier, shop):
    assert as_cashier(DEVICES).error_codes() == ["FORBIDDEN"]


def test_current_device_cashier_on_registered_device_sees_it(as_cashier, manager, shop):
    registered = register_device(manager, "Tablet", register=make_register(manager, "Till 2"))

    device = as_cashier(CURRENT, HTTP_X_POS_DEVICE=registered.credential).payload("currentDevice")

    assert device == {"name": "Tablet", "register": {"name": "Till 2"}}


@pytest.mark.parametrize(("header", "code"), [(None, "DEVICE_REQUIRED"), ("posdev_nope", "DEVICE_UNKNOWN")])
def test_current_device_without_valid_header_is_refused_with_code(as_cashier, manager, shop, header, code):
    register_device(manager)
    headers = {"HTTP_X_POS_DEVICE": header} if header else {}

    response = as_cashier(CURRENT, **headers)

    assert response.error_codes() == [code]


def test_current_device_credential_without_login_is_unauthenticated(anon, manager, shop):
    registered = register_device(manager)

    response = anon(CURRENT, HTTP_X_POS_DEVICE=registered.credential)

    assert response.error_codes() == ["UNAUTHENTICATED"]


def test_current_device_sale_location_is_its_registers_location(as_cashier, manager, shop):
    back_room = product_catalogue.create_location(name="Back room")
    register = make_register(manager, "Till 3", location=back_room)
    registered = register_device(manager, "Tablet", register=register)

    device = as_cashier(
        "query { currentDevice { saleLocationId } }", HTTP_X_POS_DEVICE=registered.credential
    ).payload("currentDevice")

    assert device == {"saleLocationId": str(back_room.pk)}


def test_current_device_without_register_sells_from_the_default_location(as_cashier, manager, shop):
    registered = register_device(manager, "Tablet")

    device = as_cashier(
        "query { currentDevice { saleLocationId } }", HTTP_X_POS_DEVICE=registered.credential
    ).payload("currentDevice")

    assert device == {"saleLocationId": str(get_default_location().pk)}
