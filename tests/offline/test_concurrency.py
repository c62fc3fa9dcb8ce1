"""Two tills resuming the same parked cart at once (PostgreSQL, real row locks): exactly one gets it."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from offline import services
from offline.models import ParkedCart
from products.models import Location
from shared.errors import DomainError
from tests.factories import UserFactory
from tests.offline.factories import park_cart
from tests.shop import make_product

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_resume_cart_racing_two_tills_exactly_one_wins():
    Location.objects.get_or_create(is_default=True, defaults={"name": "Main shop"})
    manager = UserFactory(role="manager")
    cart = park_cart(manager, [(make_product(manager, "RACE", qty="5"), "1")])
    cashiers = [UserFactory(), UserFactory()]
    started = threading.Barrier(2)

    def resume(user):
        started.wait()
        try:
            return services.resume_cart(user=user, cart_id=cart.pk).closed_by_id
        except DomainError as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(resume, cashiers))

    winners = [o for o in outcomes if o != "CART_NOT_PARKED"]
    assert len(winners) == 1 and outcomes.count("CART_NOT_PARKED") == 1, outcomes
    assert ParkedCart.objects.get().closed_by_id == winners[0]
