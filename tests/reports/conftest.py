from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from returns import services as return_services
from returns.models import Return
from returns.services import ReturnLineRequest
from sales import services as sale_services
from sales.models import Sale
from sales.summary_rebuild import rebuild_summaries
from tests.returns.test_services import sell

D = Decimal
LAGOS = ZoneInfo("Africa/Lagos")
DAY = date(2026, 3, 10)


def at(sale, year, month, day, hour, minute=0):
    """Move a sale to another moment; the update bypasses the services, so rebuild the summaries."""
    Sale.objects.filter(pk=sale.pk).update(created_at=datetime(year, month, day, hour, minute, tzinfo=LAGOS))
    rebuild_summaries()
    return sale


@pytest.fixture
def known_sales(settings, shop, cashier, manager):
    """Sales worked out by hand (shop time zone Africa/Lagos, UTC+1).

    10 March: S1 cash 2 soap 20.00; S2 card 1 rice 25.00 at 23:30 (tax 1.74); S5 credit 2 soap 20.00
    (regular customer); S6 store credit 1 soap 10.00; S4 voided (3 soap). 11 March 00:30 (still the
    10th in UTC): S3 cash 1 soap 10.00. Return of 1 soap from S1, restocked, approved on the 10th.
    """
    settings.TIME_ZONE = "Africa/Lagos"
    s1 = at(sell(cashier, [(shop["soap"], "2")], [("cash", "20.00")]), 2026, 3, 10, 10)
    s2 = at(sell(cashier, [(shop["rice"], "1")], [("card", "25.00")]), 2026, 3, 10, 23, 30)
    s3 = at(sell(cashier, [(shop["soap"], "1")], [("cash", "10.00")]), 2026, 3, 11, 0, 30)
    s4 = sell(cashier, [(shop["soap"], "3")], [("cash", "30.00")])
    sale_services.void_sale(user=manager, sale_id=s4.pk, reason="test")
    at(s4, 2026, 3, 10, 12)
    s5 = at(
        sell(cashier, [(shop["soap"], "2")], [("credit", "20.00")], customer_id=shop["regular"].pk),
        2026,
        3,
        10,
        13,
    )
    s6 = at(
        sell(cashier, [(shop["soap"], "1")], [("store_credit", "10.00")], customer_id=shop["in_credit"].pk),
        2026,
        3,
        10,
        14,
    )
    ret = return_services.create_return(
        user=cashier,
        sale_id=s1.pk,
        lines=[ReturnLineRequest(s1.items.get().pk, D("1"))],
        refund_method="cash",
    )
    return_services.approve_return(user=manager, return_id=ret.pk)
    Return.objects.filter(pk=ret.pk).update(decided_at=datetime(2026, 3, 10, 18, tzinfo=LAGOS))
    rebuild_summaries()
    return {"s1": s1, "s2": s2, "s3": s3, "s4": s4, "s5": s5, "s6": s6, "return": ret}
