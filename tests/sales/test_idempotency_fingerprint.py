"""A retry that reaches a newer server must still match the sale it repeats: the fingerprint of a
request is the same as the one earlier versions stored (built from `dataclasses.asdict`)."""

from dataclasses import asdict
from decimal import Decimal

from sales import idempotency
from sales.services import PaymentRequest, SaleLineRequest, SaleRequest, _fingerprint

D = Decimal


def test_fingerprint_equals_the_one_built_from_asdict():
    request = SaleRequest(
        items=[
            SaleLineRequest(product_id=7, quantity=D("2.500"), unit_price=D("3.10"), discount=D("0.5")),
            SaleLineRequest(product_id=9, quantity=D("1")),
        ],
        payments=[PaymentRequest(method="cash", amount=D("20.00"), reference="r-1")],
        customer_id=4,
        discount=D("1.00"),
        note="n",
        idempotency_key="till-1-0001",
    )
    stored = asdict(request)
    stored.pop("idempotency_key")

    assert _fingerprint(request) == idempotency.fingerprint(stored)
    assert idempotency.plain(request) == asdict(request)
