"""Parked carts: park, list, resume once at a till of the same location, discard, expire."""

from datetime import timedelta
from decimal import Decimal

import pytest

from offline import selectors, services
from offline.error_codes import OfflineErrorCode
from offline.models import ParkedCart
from products.models import StockLevel
from shared import clock
from shared.errors import DomainError
from tests.factories import UserFactory
from tests.offline.factories import park_cart
from tests.products.factories import LocationFactory
from tests.tills.factories import make_register
from tills import services as till_services

pytestmark = pytest.mark.django_db
D = Decimal

PARK = """mutation($input: ParkCartInput!) { parkCart(input: $input) {
  success message errors { field code message }
  cart { id status note expiresAt customer { name } location { name } lines { position quantity product { sku } } }
} }"""
RESUME = """mutation($input: ResumeCartInput!) { resumeCart(input: $input) {
  success message errors { field code message } cart { status lines { quantity product { sku } } } } }"""
DISCARD = """mutation($input: DiscardCartInput!) { discardCart(input: $input) {
  success message errors { field code message } cart { status } } }"""
LIST = "query { parkedCarts(first: 20) { totalCount edges { node { id note } } } }"


def _stock(product):
    return list(StockLevel.objects.filter(product=product).values_list("quantity", flat=True))


def test_park_cart_keeps_lines_in_order_and_reserves_no_stock(cashier, manager, shop):
    soap, rice = shop["soap"], shop["rice"]
    before = (_stock(soap), _stock(rice))

    cart = park_cart(cashier, [(rice, "2"), (soap, "1.5")], customer=shop["regular"], note="back soon")

    assert [(line.product, line.quantity) for line in cart.lines.order_by("position")] == [
        (rice, D("2.000")),
        (soap, D("1.500")),
    ]
    assert (cart.status, cart.customer, cart.note) == (ParkedCart.Status.PARKED, shop["regular"], "back soon")
    assert cart.location == shop["location"]
    assert (_stock(soap), _stock(rice)) == before


def test_park_cart_without_lines_is_required(cashier, shop):
    with pytest.raises(DomainError) as exc:
        services.park_cart(user=cashier, lines=[])

    assert (exc.value.code, exc.value.field) == ("REQUIRED", "lines")


def test_park_cart_bad_lines_reports_every_line_and_saves_nothing(cashier, shop):
    lines = [
        services.CartLineInput(product_id=999999, quantity=D("1")),
        services.CartLineInput(product_id=shop["soap"].pk, quantity=D("0")),
        services.CartLineInput(product_id=shop["rice"].pk, quantity=D("1")),
    ]

    with pytest.raises(DomainError) as exc:
        services.park_cart(user=cashier, lines=lines)

    assert [(e.code, e.field) for e in exc.value.errors] == [
        ("NOT_FOUND", "lines.0.productId"),
        ("INVALID", "lines.1.quantity"),
    ]
    assert not ParkedCart.objects.exists()


def test_park_cart_archived_customer_is_refused(cashier, shop):
    customer = shop["regular"]
    customer.status = customer.Status.ARCHIVED
    customer.save()

    with pytest.raises(DomainError) as exc:
        park_cart(cashier, [(shop["soap"], "1")], customer=customer)

    assert (exc.value.code, exc.value.field) == ("INVALID", "customerId")
    assert not ParkedCart.objects.exists()


def test_resume_cart_at_other_till_of_same_location_closes_it(cashier, manager, shop):
    till_1, till_2 = make_register(manager, "Till 1"), make_register(manager, "Till 2")
    cart = park_cart(cashier, [(shop["soap"], "1")], register=till_1)
    other = UserFactory()

    resumed = services.resume_cart(user=other, cart_id=cart.pk, register_id=till_2.pk)

    assert (resumed.status, resumed.closed_by, resumed.resumed_register) == (
        ParkedCart.Status.RESUMED,
        other,
        till_2,
    )
    assert resumed.closed_at is not None


def test_resume_cart_twice_is_refused(cashier, shop):
    cart = park_cart(cashier, [(shop["soap"], "1")])
    services.resume_cart(user=cashier, cart_id=cart.pk)

    with pytest.raises(DomainError) as exc:
        services.resume_cart(user=cashier, cart_id=cart.pk)

    assert (exc.value.code, exc.value.field) == (OfflineErrorCode.CART_NOT_PARKED, "cartId")
    assert ParkedCart.objects.get().status == ParkedCart.Status.RESUMED


def test_resume_cart_at_till_of_other_location_is_refused(cashier, manager, shop):
    cart = park_cart(cashier, [(shop["soap"], "1")], register=make_register(manager, "Till 1"))
    far_till = make_register(manager, "Far till", location=LocationFactory())

    with pytest.raises(DomainError) as exc:
        services.resume_cart(user=cashier, cart_id=cart.pk, register_id=far_till.pk)

    assert (exc.value.code, exc.value.field) == (OfflineErrorCode.CART_WRONG_LOCATION, "registerId")
    assert ParkedCart.objects.get().status == ParkedCart.Status.PARKED


def test_resume_cart_at_retired_till_is_refused(cashier, manager, shop):
    till = make_register(manager, "Till 1")
    till_services.retire_register(user=manager, register_id=till.pk)
    cart = park_cart(cashier, [(shop["soap"], "1")])

    with pytest.raises(DomainError) as exc:
        services.resume_cart(user=cashier, cart_id=cart.pk, register_id=till.pk)

    assert exc.value.code == OfflineErrorCode.REGISTER_RETIRED
    cart.refresh_from_db()
    assert (cart.status, cart.closed_at) == (ParkedCart.Status.PARKED, None)


def test_cart_older_than_ttl_is_not_listed_nor_resumable(cashier, shop, settings):
    settings.POS_PARKED_CART_TTL_HOURS = 2
    with clock.pinned(clock.now() - timedelta(hours=2, minutes=1)):
        old = park_cart(cashier, [(shop["soap"], "1")], note="old")
    fresh = park_cart(cashier, [(shop["soap"], "1")], note="fresh")

    assert list(selectors.list_parked_carts()) == [fresh]
    with pytest.raises(DomainError) as exc:
        services.resume_cart(user=cashier, cart_id=old.pk)
    assert exc.value.code == OfflineErrorCode.CART_EXPIRED
    old.refresh_from_db()
    assert (old.status, old.closed_at) == (ParkedCart.Status.PARKED, None)


def test_discard_cart_by_other_cashier_is_refused_and_by_manager_allowed(cashier, manager, shop):
    cart = park_cart(cashier, [(shop["soap"], "1")])

    with pytest.raises(DomainError) as exc:
        services.discard_cart(user=UserFactory(), cart_id=cart.pk)
    assert exc.value.code == OfflineErrorCode.NOT_YOUR_CART
    cart.refresh_from_db()
    assert (cart.status, cart.closed_at) == (ParkedCart.Status.PARKED, None)

    discarded = services.discard_cart(user=manager, cart_id=cart.pk)
    assert (discarded.status, discarded.closed_by) == (ParkedCart.Status.DISCARDED, manager)
    with pytest.raises(DomainError) as exc:
        services.resume_cart(user=cashier, cart_id=cart.pk)
    assert exc.value.code == OfflineErrorCode.CART_NOT_PARKED


# --- GraphQL ---------------------------------------------------------------------------------------


def test_park_cart_mutation_round_trip(as_cashier, shop):
    variables = {
        "input": {
            "lines": [{"productId": str(shop["soap"].pk), "quantity": "2"}],
            "customerId": str(shop["regular"].pk),
            "note": "Blue bag",
        }
    }

    payload = as_cashier(PARK, variables).payload("parkCart")

    assert payload["success"] is True, payload
    cart = payload["cart"]
    assert (cart["status"], cart["note"], cart["customer"]) == ("PARKED", "Blue bag", {"name": "Regular"})
    assert cart["lines"] == [{"position": 1, "quantity": "2", "product": {"sku": shop["soap"].sku}}]
    assert cart["expiresAt"]
    assert as_cashier(LIST).payload("parkedCarts")["edges"][0]["node"]["note"] == "Blue bag"


def test_park_cart_mutation_anonymous_is_unauthenticated(anon, shop):
    response = anon(PARK, {"input": {"lines": [{"productId": str(shop["soap"].pk), "quantity": "1"}]}})

    assert response.error_codes() == ["UNAUTHENTICATED"]
    assert not ParkedCart.objects.exists()


def test_park_cart_mutation_unknown_product_is_payload_error(as_cashier, shop):
    payload = as_cashier(PARK, {"input": {"lines": [{"productId": "999999", "quantity": "1"}]}}).payload(
        "parkCart"
    )

    assert payload["success"] is False
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("lines.0.productId", "NOT_FOUND")]


def test_resume_and_discard_mutations(as_cashier, cashier, shop):
    resumed = park_cart(cashier, [(shop["soap"], "1")])
    dropped = park_cart(cashier, [(shop["rice"], "3")])

    resume = as_cashier(RESUME, {"input": {"cartId": str(resumed.pk)}}).payload("resumeCart")
    discard = as_cashier(DISCARD, {"input": {"cartId": str(dropped.pk)}}).payload("discardCart")
    again = as_cashier(RESUME, {"input": {"cartId": str(resumed.pk)}}).payload("resumeCart")

    assert resume["success"] and resume["cart"]["status"] == "RESUMED"
    assert resume["cart"]["lines"] == [{"quantity": "1", "product": {"sku": shop["soap"].sku}}]
    assert discard["success"] and discard["cart"]["status"] == "DISCARDED"
    assert (again["success"], again["errors"][0]["code"]) == (False, "CART_NOT_PARKED")
    assert as_cashier(LIST).payload("parkedCarts")["totalCount"] == 0


def test_parked_carts_anonymous_is_unauthenticated(anon, shop):
    assert anon(LIST).error_codes() == ["UNAUTHENTICATED"]
