"""A few days of demo sales through the real checkout service (idempotent)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from customers.models import Customer
from products.models import Product
from sales import services
from sales.models import Sale
from sales.services import PaymentRequest, SaleLineRequest, SaleRequest
from shared.errors import DomainError

D = Decimal


def seed(stdout) -> None:
    if Sale.objects.exists():
        return
    cashier = User.objects.filter(role="cashier").first()
    products = list(Product.objects.filter(is_active=True, track_batches=False).order_by("pk")[:6])
    customers = list(Customer.objects.filter(status="active", credit_limit__gt=0).order_by("pk")[:3])
    if not cashier or len(products) < 3 or not customers:
        return
    carts = [
        ([(0, 2)], None, "cash"),
        ([(1, 1), (2, 3)], customers[0], "part_payment"),
        ([(0, 1), (3, 2)], None, "card"),
        ([(4, 1)], customers[1], "credit"),
        ([(2, 2), (5, 1)], None, "transfer"),
        ([(1, 4)], customers[2], "cash"),
    ]
    made = []
    for number, (lines, customer, method) in enumerate(carts * 2):
        items = [SaleLineRequest(product_id=products[i % len(products)].pk, quantity=D(q)) for i, q in lines]
        quote = services.price_sale(
            user=cashier,
            request=SaleRequest(items=items, payments=[], customer_id=customer and customer.pk),
        ).priced
        amount = quote.total if method != "part_payment" else (quote.total / 2).quantize(D("0.01"))
        try:
            result = services.create_sale(
                user=cashier,
                request=SaleRequest(
                    items=items,
                    payments=[PaymentRequest(method, amount)],
                    customer_id=customer and customer.pk,
                ),
            )
        except DomainError as exc:  # e.g. a demo customer at their limit: skip that cart
            stdout.write(f"  skipped a demo sale: {exc.message}")
            continue
        made.append(result.sale)
        # Spread the sales over the last few days so reports have something to show.
        Sale.objects.filter(pk=result.sale.pk).update(
            created_at=timezone.now() - timedelta(days=number % 4, hours=number)
        )
    stdout.write(f"  sales: {len(made)} over the last 4 days")
