from decimal import Decimal

from tills import services
from tills.models import Register, Shift


def make_register(manager, name: str = "Till 1", location=None) -> Register:
    return services.create_register(user=manager, name=name, location_id=location.pk if location else None)


def open_shift(cashier, register: Register, opening_float: str = "200.00", denominations=None) -> Shift:
    return services.open_shift(
        user=cashier,
        register_id=register.pk,
        opening_float=Decimal(opening_float),
        denominations=denominations,
    )
