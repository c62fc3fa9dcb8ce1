"""A small shop built through the real services, shared by checkout, returns and report tests."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from customers import services as customer_services
from products import selectors as product_selectors
from products.models import Batch, Location
from products.services import catalogue, stock
from tests.factories import CustomerFactory

D = Decimal


def make_product(user, sku, *, price="10.00", wholesale="8.00", tax="0", qty="50", cost="6.00", **extra):
    product = catalogue.create_product(
        user=user,
        sku=sku,
        name=extra.pop("name", f"Product {sku}"),
        retail_price=D(price),
        wholesale_price=D(wholesale),
        tax_rate=D(tax),
        **extra,
    )
    if qty and not product.track_batches:
        stock.receive_stock(user=user, product=product, location=None, quantity=D(qty), unit_cost=D(cost))
    return product


def build_shop(manager):
    """Products 'soap' (10.00, 50 in stock), 'rice' (25.00 wholesale 20.00, 7.5% tax), a batch-tracked
    'syrup' with an expired, a soon and a later batch, and customers with and without credit."""
    # The default location comes from a data migration; make sure it exists under --nomigrations too.
    Location.objects.get_or_create(is_default=True, defaults={"name": "Main shop"})
    soap = make_product(manager, "SOAP", name="Soap")
    rice = make_product(
        manager,
        "RICE",
        name="Rice 1kg",
        price="25.00",
        wholesale="20.00",
        tax="0.075",
        cost="15.00",
        quantity_decimals=3,  # sold loose by weight: the checkout tests sell 1.5 of it
    )
    syrup = make_product(manager, "SYRUP", name="Cough syrup", price="12.00", track_batches=True, qty=None)
    today = timezone.localdate()
    for number, expiry, qty, cost in [
        ("OLD", today + timedelta(days=1), "5", "4.00"),  # expires below, as if time passed
        ("SOON", today + timedelta(days=10), "3", "5.00"),
        ("LATER", today + timedelta(days=200), "10", "6.00"),
    ]:
        stock.receive_stock(
            user=manager,
            product=syrup,
            location=None,
            quantity=D(qty),
            unit_cost=D(cost),
            batch_number=number,
            expiry_date=expiry,
        )
    Batch.objects.filter(batch_number="OLD").update(expiry_date=today - timedelta(days=1))
    walk_in = None
    regular = CustomerFactory(name="Regular", credit_limit=D("100.00"))
    in_credit = CustomerFactory(name="In credit")
    customer_services.record_payment(
        user=manager, customer_id=in_credit.pk, amount=D("30.00"), method="cash", keep_excess_as_credit=True
    )
    return {
        "soap": soap,
        "rice": rice,
        "syrup": syrup,
        "walk_in": walk_in,
        "regular": regular,
        "in_credit": in_credit,
        "location": product_selectors.get_default_location(),
    }
