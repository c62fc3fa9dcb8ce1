"""How a sale reaches the cashier's shift (tills app): which columns of the posting it fills.

Money received now goes to its tender; `part_payment` is money handed over at the till, so it is
counted as cash in the drawer. Change comes out of cash. Credit, store credit and exchanged goods
are recorded for the Z report but never touch the drawer.
"""

from __future__ import annotations

from decimal import Decimal

from sales import pricing
from sales.choices import PaymentMethod
from shared.money import ZERO
from tills import services as till_services
from tills.models import Shift, ShiftPosting

REFERENCE_TYPE = "sale"
_CASH_METHODS = frozenset({PaymentMethod.CASH, PaymentMethod.PART_PAYMENT})


def _sum(priced: pricing.PricedSale, methods) -> Decimal:
    return sum((p.amount for p in priced.payments if p.method in methods), ZERO)


def post_sale(*, shift: Shift | None, user, sale_id: int, priced: pricing.PricedSale) -> None:
    """Write the sale's posting on its shift (nothing when the sale was made outside any shift)."""
    if shift is None:
        return
    till_services.post_to_shift(
        shift=shift,
        user=user,
        kind=ShiftPosting.Kind.SALE,
        reference_type=REFERENCE_TYPE,
        reference_id=sale_id,
        total=priced.total,
        discount=priced.discount_total,
        tax=priced.tax_total,
        tax_lines=[
            till_services.TaxLine(rate=line.tax_rate, taxable=line.total - line.tax, tax=line.tax)
            for line in priced.lines
        ],
        cash=_sum(priced, _CASH_METHODS) - priced.change,
        card=_sum(priced, {PaymentMethod.CARD}),
        transfer=_sum(priced, {PaymentMethod.TRANSFER}),
        on_account=priced.amount_on_account,
        store_credit=priced.credit_applied - priced.credit_created,
        exchange=_sum(priced, {PaymentMethod.EXCHANGE}),
    )
