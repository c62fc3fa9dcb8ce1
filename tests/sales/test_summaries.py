"""Daily summaries: written with each sale, void and return, equal to the detail, rebuilt on demand."""

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from products.models import Location
from products.services import stock
from returns import services as return_services
from returns.exchange import create_exchange
from returns.services import ReturnLineRequest
from sales import services as sale_services
from sales.checks import find_ledger_mismatches
from sales.models import DailyProductSales, DailySales, DailyTenderSales
from sales.services import PaymentRequest, SaleLineRequest
from sales.summaries import local_day
from shared.backdating import backdated, shop_time
from shared.errors import DomainError
from tests.returns.test_services import sell

pytestmark = pytest.mark.django_db
D = Decimal


def sales_row(day, location, sale_type="retail"):
    return DailySales.objects.get(day=day, location=location, sale_type=sale_type)


def test_sale_adds_its_figures_to_its_day_rows(shop, manager):
    today = timezone.localdate()

    sale = sell(
        manager,
        [(shop["soap"], "2"), (shop["rice"], "1"), (shop["soap"], "1", {"discount": D("1.00")})],
        [("card", "30.00"), ("cash", "40.00")],
    )

    row = sales_row(today, shop["location"])
    assert (row.sale_count, row.total, row.tax_total, row.discount_total) == (
        1,
        sale.total,
        sale.tax_total,
        sale.discount_total,
    )
    assert row.cost_amount == D("3") * D("6.00") + D("15.00")
    soap = DailyProductSales.objects.get(day=today, product=shop["soap"])
    assert (soap.quantity, soap.line_count, soap.sale_count, soap.discount) == (D("3"), 2, 1, D("1.00"))
    tenders = {t.method: (t.amount, t.sale_count, t.change_amount) for t in DailyTenderSales.objects.all()}
    assert tenders == {"card": (D("30.00"), 1, D("0.00")), "cash": (D("40.00"), 1, sale.change)}
    assert sale.change == D("70.00") - sale.total
    assert find_ledger_mismatches() == []


def test_sale_writes_one_statement_per_summary_table_last_whatever_its_lines(shop, manager):
    lines = [(shop["soap"], "1"), (shop["rice"], "1"), (shop["syrup"], "1")]
    sell(manager, lines[:1], [("cash", "10.00")])  # the year's first sale creates its counter row

    with CaptureQueriesContext(connection) as captured:
        sell(manager, lines, [("card", "10.00"), ("cash", "50.00")])

    # PostgreSQL sends them with the sale's number as one round trip: count the statements in it.
    statements = [sql for q in captured.captured_queries for sql in q["sql"].split(";\n")]
    writes = [sql for sql in statements if 'INTO "sales_daily' in sql]
    read_back = 'SELECT "sales_sale".transaction_id'  # the number and the lines' ids
    tail = [sql for sql in statements if not sql.startswith(("RELEASE", "SAVEPOINT", read_back))][-3:]
    assert len(writes) == 3 and tail == writes
    assert [w.split('"')[1] for w in writes] == [
        "sales_dailysales",
        "sales_dailyproductsales",
        "sales_dailytendersales",
    ]


def test_backdated_sale_is_keyed_on_its_own_day_in_the_shop_time_zone(settings, shop, manager):
    settings.TIME_ZONE = "Africa/Lagos"
    # 23:30 UTC on the 3rd is 00:30 on the 4th in Lagos: the shop's day is the 4th.
    moment = datetime(2026, 3, 3, 23, 30, tzinfo=UTC)

    with backdated(moment):
        sale = sell(manager, [(shop["soap"], "1")], [("cash", "10.00")])

    sale.refresh_from_db()
    assert sale.created_at == moment and local_day(moment) == date(2026, 3, 4)
    assert list(DailySales.objects.values_list("day", "sale_count")) == [(date(2026, 3, 4), 1)]
    assert find_ledger_mismatches() == []


def test_void_takes_the_sale_out_of_the_day_it_was_sold(shop, manager):
    with backdated(shop_time(date(2026, 3, 4), 10)):
        sale = sell(manager, [(shop["soap"], "2")], [("cash", "20.00")])

    sale_services.void_sale(user=manager, sale_id=sale.pk, reason="wrong")

    row = sales_row(date(2026, 3, 4), shop["location"])
    assert (row.sale_count, row.total, row.cost_amount) == (0, D("0.00"), D("0"))
    assert not DailySales.objects.exclude(day=date(2026, 3, 4)).exists()
    assert DailyTenderSales.objects.get(method="cash").sale_count == 0
    assert find_ledger_mismatches() == []


def test_return_counts_on_its_approval_day_at_the_sale_location(shop, manager, cashier):
    with backdated(shop_time(date(2026, 3, 4), 10)):
        sale = sell(cashier, [(shop["rice"], "2")], [("cash", "50.00")])
    ret = return_services.create_return(
        user=cashier,
        sale_id=sale.pk,
        lines=[ReturnLineRequest(sale.items.get().pk, D("1"), restock=False)],
        refund_method="cash",
    )

    return_services.approve_return(user=manager, return_id=ret.pk)

    ret.refresh_from_db()
    row = sales_row(local_day(ret.decided_at), shop["location"])
    assert (row.sale_count, row.return_count, row.refund_amount, row.restocked_cost) == (
        0,
        1,
        D("25.00"),
        D("0"),
    )
    assert row.refund_tax == (D("25.00") * sale.tax_total / sale.total).quantize(D("1e-10"))
    cash = DailyTenderSales.objects.get(day=local_day(ret.decided_at), method="cash")
    assert (cash.refund_amount, cash.refund_count) == (D("25.00"), 1)
    assert find_ledger_mismatches() == []


def test_exchange_writes_its_return_and_its_sale_once_in_key_order(shop, manager):
    sale = sell(manager, [(shop["soap"], "2")], [("cash", "20.00")])
    item = sale.items.get()

    with CaptureQueriesContext(connection) as captured:
        create_exchange(
            user=manager,
            sale_id=sale.pk,
            return_lines=[ReturnLineRequest(item.pk, D("2"))],
            new_items=[SaleLineRequest(shop["soap"].pk, D("1"))],
            payments=[],
        )

    assert sum('INTO "sales_daily' in q["sql"] for q in captured.captured_queries) == 3
    # The new sale tendered 10.00 of the returned goods; the other 10.00 was paid back, on the row of
    # the return's refund method.
    exchange = DailyTenderSales.objects.get(method="exchange")
    assert (exchange.amount, exchange.sale_count, exchange.refund_amount, exchange.refund_count) == (
        D("10.00"),
        1,
        D("10.00"),
        1,
    )
    assert find_ledger_mismatches() == []


def test_tampered_summary_row_fails_check_ledgers(shop, manager):
    sell(manager, [(shop["soap"], "2")], [("cash", "20.00")])
    call_command("check_ledgers", stdout=StringIO())
    DailySales.objects.update(total=D("19.99"))

    with pytest.raises(CommandError):
        call_command("check_ledgers", stdout=StringIO(), stderr=StringIO())

    assert find_ledger_mismatches() == [
        f"DailySales ({timezone.localdate()!r}, {shop['location'].pk}, 'retail'): total is 19.99 in the summary,"
        " 20.00 in the detail"
    ]


def test_rebuild_summaries_repairs_the_days_asked_and_is_idempotent(shop, manager):
    for day in (date(2026, 3, 4), date(2026, 3, 5)):
        with backdated(shop_time(day, 10)):
            sell(manager, [(shop["soap"], "1")], [("cash", "10.00")])
    DailySales.objects.update(total=D("0"))
    DailyProductSales.objects.filter(day=date(2026, 3, 5)).delete()
    out = StringIO()

    call_command("rebuild_summaries", "--from", "2026-03-05", "--to", "2026-03-05", stdout=out)

    assert "2026-03-05 .. 2026-03-05: 3 rows" in out.getvalue()
    assert [p for p in find_ledger_mismatches() if "2026, 3, 4" in p] and not [
        p for p in find_ledger_mismatches() if "2026, 3, 5" in p
    ]
    call_command("rebuild_summaries", stdout=StringIO())
    first = sorted(DailySales.objects.values_list("day", "sale_count", "total"))
    call_command("rebuild_summaries", stdout=StringIO())
    assert (
        sorted(DailySales.objects.values_list("day", "sale_count", "total"))
        == first
        == [
            (date(2026, 3, 4), 1, D("10.00")),
            (date(2026, 3, 5), 1, D("10.00")),
        ]
    )
    assert find_ledger_mismatches() == []


def test_rebuild_summaries_refuses_a_bad_range():
    with pytest.raises(CommandError, match="after"):
        call_command("rebuild_summaries", "--from", "2026-03-05", "--to", "2026-03-04", stdout=StringIO())


# --- random history: the summaries equal the detail -------------------------------------------------

TENDERS = [
    [("cash", None)],
    [("card", None)],
    [("transfer", "half"), ("cash", None)],
    [("card", "half"), ("credit", "rest")],
    [("part_payment", "half")],
    [("store_credit", "rest")],
]


def _payments(rng, total: Decimal, pattern) -> list[PaymentRequest]:
    payments, left = [], total
    for method, share in pattern:
        if share == "half":
            amount = (total / 2).quantize(D("0.01"))
        elif share == "rest":
            amount = left
        else:  # cash: round up for change, or the exact rest
            amount = left + (D(rng.choice(["0", "0", "5"])) if method == "cash" else 0)
        payments.append(PaymentRequest(method, amount))
        left -= min(amount, left)
    return payments


def build_random_history(rng: random.Random, shop, manager, cashier, days: list[date]) -> Location:
    annex, _ = Location.objects.get_or_create(name="Annex")
    for product in (shop["soap"], shop["rice"]):
        stock.receive_stock(
            user=manager, product=product, location=annex, quantity=D("200"), unit_cost=D("7.00")
        )
    for product in (shop["soap"], shop["rice"]):
        stock.receive_stock(
            user=manager, product=product, location=None, quantity=D("300"), unit_cost=D("5.5000")
        )
    customers = [None, None, shop["regular"], shop["in_credit"]]
    sales = []
    for day in days:
        for slot in range(8):
            customer = rng.choice(customers)
            patterns = [
                p
                for p in TENDERS
                if customer is not None or not any(m in ("credit", "store_credit") for m, _ in p)
            ]
            if customer is None or customer.pk != shop["in_credit"].pk:
                patterns = [p for p in patterns if p[0][0] != "store_credit"]
            location = rng.choice([None, annex])
            products = [shop["soap"], shop["rice"]] + ([shop["syrup"]] if location is None else [])
            items = [
                SaleLineRequest(
                    product_id=p.pk,
                    quantity=D(rng.choice(["1", "2", "1.5"])) if p == shop["rice"] else D(rng.randint(1, 3)),
                    discount=D(rng.choice(["0", "0", "0.50"])),
                )
                for p in rng.sample(products, rng.randint(1, len(products)))
            ]
            sale_type = "wholesale" if rng.random() < 0.2 else "retail"
            request = sale_services.SaleRequest(
                items=items,
                payments=[],
                customer_id=customer and customer.pk,
                location_id=location and location.pk,
                sale_type=sale_type,
                discount=D(rng.choice(["0", "0", "1.00"])),
            )
            moment = shop_time(day, 8 + slot, rng.randint(0, 59))
            try:
                quote = sale_services.price_sale(user=manager, request=request)
                request = sale_services.SaleRequest(
                    **{
                        **request.__dict__,
                        "payments": _payments(rng, quote.priced.total, rng.choice(patterns)),
                    }
                )
                with backdated(moment):
                    sale = sale_services.create_sale(user=manager, request=request).sale
            except DomainError:
                continue
            sales.append((sale, moment))
    for sale, moment in sales:
        roll = rng.random()
        later = moment + timedelta(hours=rng.choice([1, 30]))
        if later > timezone.now():
            continue
        if roll < 0.12:
            with backdated(later):
                sale_services.void_sale(user=manager, sale_id=sale.pk, reason="random")
        elif roll < 0.4:
            items = list(sale.items.all())
            lines = [
                ReturnLineRequest(i.pk, D("1") if i.quantity >= 1 else i.quantity, restock=rng.random() < 0.7)
                for i in rng.sample(items, rng.randint(1, len(items)))
            ]
            method = (
                "store_credit"
                if sale.customer_id and rng.random() < 0.3
                else rng.choice(["cash", "original"])
            )
            try:
                with backdated(later):
                    ret = return_services.create_return(
                        user=cashier, sale_id=sale.pk, lines=lines, refund_method=method
                    )
                    return_services.approve_return(user=manager, return_id=ret.pk)
            except DomainError:
                continue
        elif roll < 0.6 and sale.location_id == shop["location"].pk:
            item = sale.items.first()
            try:
                with backdated(later):
                    create_exchange(
                        user=manager,
                        sale_id=sale.pk,
                        return_lines=[ReturnLineRequest(item.pk, min(item.quantity, D("1")))],
                        new_items=[SaleLineRequest(shop["soap"].pk, D("1"))],
                        payments=[PaymentRequest("cash", D("20.00"))],
                    )
            except DomainError:
                continue
    return annex


@pytest.mark.parametrize("seed", [1, 2])
def test_random_history_summaries_equal_the_detail(shop, manager, cashier, seed):
    today = timezone.localdate()
    days = [today - timedelta(days=n) for n in (9, 8, 6, 3)]
    build_random_history(random.Random(seed), shop, manager, cashier, days)

    assert DailySales.objects.filter(return_count__gt=0).exists()
    assert DailySales.objects.filter(sale_type="wholesale").exists()
    assert find_ledger_mismatches() == []
