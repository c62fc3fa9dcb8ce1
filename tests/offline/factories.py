from decimal import Decimal

from offline import services


def register_device(manager, name: str = "Front till tablet", register=None) -> services.RegisteredDevice:
    return services.register_device(user=manager, name=name, register_id=register.pk if register else None)


def park_cart(user, products, *, register=None, customer=None, note: str = ""):
    return services.park_cart(
        user=user,
        lines=[services.CartLineInput(product_id=p.pk, quantity=Decimal(qty)) for p, qty in products],
        register_id=register.pk if register else None,
        customer_id=customer.pk if customer else None,
        note=note,
    )
