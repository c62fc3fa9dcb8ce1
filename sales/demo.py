"""The demo shop's sales history through the real checkout service (idempotent).

A few sales a day between 08:00 and 18:00: cash (with change), card and transfer paid in full,
customers' part payments and sales on account within their limits, store credit spent, wholesale
sales to wholesale customers, and now and then a sale a manager voids. Every sale is paid in full
or explicitly puts the rest on account, so it is valid under the stricter money rules as well.
"""

import random
from datetime import date
from decimal import ROUND_CEILING, Decimal

from accounts.models import User
from customers.models import Customer
from products.models import Product
from sales import services
from sales.models import Sale
from sales.services import PaymentRequest, SaleLineRequest, SaleRequest
from shared.backdating import backdated, shop_time
from shared.dates import local_today
from shared.errors import DomainError
from shared.money import q

D = Decimal
SALES_PER_DAY = [0, 1, 1, 2, 2, 3]  # Sundays: half
VOID_CHANCE = 0.01
VOID_REASONS = ["Rang up twice", "Customer changed their mind at the till", "Wrong customer"]
ON_ACCOUNT_HEADROOM = D("0.7")  # never take a customer past 70 % of their limit
FIRST_SALE = [("GRC-001", D("2")), ("DRK-001", D("3"))]  # S2024-000001: the README's return example


def replay_day(*, day: date, rng: random.Random) -> dict[str, int]:
    """Ring up the day's sales in time order; a few are voided by a manager two minutes later."""
    cashier = User.objects.filter(role="cashier").order_by("pk").first()
    manager = User.objects.filter(role="manager").order_by("pk").first()
    # Only what is on the shelf: a customer does not bring an out-of-stock item to the till.
    products = list(
        Product.objects.filter(
            is_active=True, stock_levels__location__is_default=True, stock_levels__quantity__gte=12
        ).order_by("pk")
    )
    customers = list(Customer.objects.filter(status="active").order_by("pk"))
    count = rng.choice(SALES_PER_DAY)
    if day.weekday() == 6:
        count //= 2
    slots = sorted(rng.sample(range(8 * 60, 18 * 60, 5), count))
    counts = {"sales": 0, "voids": 0, "refused carts": 0}
    first_ever = not Sale.objects.exists()
    for slot in slots:
        if first_ever:
            request = _first_sale()
            first_ever = False
        else:
            request = _cart(rng, products, customers)
        try:
            with backdated(shop_time(day, slot // 60, slot % 60)):
                sale = services.create_sale(user=cashier, request=_paid(rng, cashier, request)).sale
        except DomainError:  # e.g. a customer near their limit: that cart is left at the till
            counts["refused carts"] += 1
            continue
        counts["sales"] += 1
        if rng.random() < VOID_CHANCE:
            with backdated(shop_time(day, slot // 60, slot % 60 + 2)):
                services.void_sale(user=manager, sale_id=sale.pk, reason=rng.choice(VOID_REASONS))
            counts["voids"] += 1
    if (local_today() - day).days == 1:
        # Customer 1 leaves with something on account, as the README's examples expect.
        with backdated(shop_time(day, 18, 30)):
            request = SaleRequest(
                items=[SaleLineRequest(product_id=_product("GRC-002").pk, quantity=D("5"))],
                payments=[PaymentRequest("part_payment", D("20.00"))],
                customer_id=Customer.objects.order_by("pk").first().pk,
            )
            services.create_sale(user=cashier, request=request)
        counts["sales"] += 1
    return counts


def _product(sku: str) -> Product:
    return Product.objects.get(sku=sku)


def _first_sale() -> SaleRequest:
    items = [SaleLineRequest(product_id=_product(sku).pk, quantity=qty) for sku, qty in FIRST_SALE]
    return SaleRequest(items=items, payments=[PaymentRequest("cash", D("50.00"))])


def _cart(rng: random.Random, products: list[Product], customers: list[Customer]) -> SaleRequest:
    customer = rng.choice(customers) if customers and rng.random() < 0.3 else None
    wholesale = customer is not None and customer.customer_type == Customer.Type.WHOLESALE
    lines = []
    for product in rng.sample(products, rng.choice([1, 1, 2, 2, 3])):
        quantity = D(rng.randint(5, 12) if wholesale else rng.choice([1, 1, 1, 2, 2, 3]))
        if product.unit == "kg":
            quantity = quantity / 2
        lines.append(SaleLineRequest(product_id=product.pk, quantity=quantity))
    return SaleRequest(
        items=lines,
        payments=[],
        customer_id=customer and customer.pk,
        sale_type="wholesale" if wholesale else "retail",
    )


def _paid(rng: random.Random, cashier: User, request: SaleRequest) -> SaleRequest:
    """The cart with payments that settle it exactly, or that say what goes on account."""
    if request.customer_id is None and rng.random() < 0.6:  # cash: a note or two, change given
        prices = {
            p.pk: p.retail_price for p in Product.objects.filter(pk__in=[i.product_id for i in request.items])
        }
        estimate = sum(prices[i.product_id] * i.quantity for i in request.items) * D("1.1")
        tender = [PaymentRequest("cash", _rounded_up(estimate, D("10")))]
        return SaleRequest(items=request.items, payments=tender)
    total = services.price_sale(user=cashier, request=request).priced.total
    customer = request.customer_id and Customer.objects.get(pk=request.customer_id)
    payments = _payments(rng, total, customer) if customer else _walk_in(rng, total)
    return SaleRequest(
        items=request.items,
        payments=payments,
        customer_id=request.customer_id,
        sale_type=request.sale_type,
    )


def _walk_in(rng: random.Random, total: Decimal) -> list[PaymentRequest]:
    method = rng.choices(["cash", "card", "transfer"], weights=[20, 50, 30])[0]
    if method == "cash":
        return [PaymentRequest("cash", total)]
    if method == "card" and total > 10 and rng.random() < 0.2:  # split tender: some cash, the rest by card
        cash = _rounded_up(total / 2, D("5"))
        if cash < total:
            return [PaymentRequest("cash", cash), PaymentRequest("card", total - cash)]
    return [PaymentRequest(method, total)]


def _payments(rng: random.Random, total: Decimal, customer: Customer) -> list[PaymentRequest]:
    if customer.balance < 0:  # the shop holds credit for them: they spend it
        spent = min(-customer.balance, total)
        rest = [PaymentRequest("cash", total - spent)] if spent < total else []
        return [PaymentRequest("store_credit", spent), *rest]
    headroom = customer.credit_limit * ON_ACCOUNT_HEADROOM - customer.balance
    method = rng.choices(
        ["cash", "transfer", "card", "part_payment", "credit"], weights=[30, 20, 10, 25, 15]
    )[0]
    if method == "part_payment" and total > 1 and total / 2 <= headroom:
        return [PaymentRequest("part_payment", q(total * rng.choice([D("0.3"), D("0.5"), D("0.7")])))]
    if method == "credit" and total <= headroom:
        return [PaymentRequest("credit", total)]
    if method in ("part_payment", "credit", "cash"):
        return [PaymentRequest("cash", _rounded_up(total, D("5")))]
    return [PaymentRequest(method, total)]


def _rounded_up(amount: Decimal, step: Decimal) -> Decimal:
    return q((amount / step).to_integral_value(rounding=ROUND_CEILING) * step)
