"""Price history and catalogue versions: a synced sale is checked against the prices its till held."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from offline import catalogue
from offline.models import CatalogueChange, PriceHistory, SyncException
from offline.prices import CatalogueVersion
from products.models import Product
from products.services import catalogue as product_catalogue
from sales.models import Sale
from tests.offline.factories import sync_all as _sync_all

# Committed writes: on PostgreSQL a page only shows changes of ended transactions (see test_catalogue).
pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


def sync_all(since=None, first=100):
    """Follow pages until hasMore is false; returns the last page."""
    pages, _cursor = _sync_all(since, first)
    return pages[-1]


def _history(product):
    return list(
        PriceHistory.objects.filter(product=product).values_list(
            "retail_price", "wholesale_price", "tax_rate"
        )
    )


def test_price_changes_are_recorded_at_their_change_log_position_whatever_path_made_them(manager, shop):
    soap = shop["soap"]

    product_catalogue.update_product(user=manager, product=soap, retail_price=D("12.00"))
    product_catalogue.update_product(user=manager, product=soap, name="Soap bar")  # no price: no row
    Product.objects.filter(pk=soap.pk).update(tax_rate=D("0.1000"))  # bypasses the services
    Product.objects.filter(pk=soap.pk).update(wholesale_price=D("7.00"))

    assert _history(soap) == [
        (D("10.00"), D("8.00"), D("0.0000")),
        (D("12.00"), D("8.00"), D("0.0000")),
        (D("12.00"), D("8.00"), D("0.1000")),
        (D("12.00"), D("7.00"), D("0.1000")),
    ]
    last = PriceHistory.objects.filter(product=soap).order_by("-txid", "-change_id").first()
    logged = CatalogueChange.objects.get(pk=last.change_id)
    assert (logged.entity, logged.object_id, logged.txid) == ("product", soap.pk, last.txid)


def test_every_catalogue_page_carries_a_version_that_moves_forward(manager, shop):
    first = catalogue.catalogue_changes(first=2)
    last = sync_all(since=first.next_cursor)
    product_catalogue.update_product(user=manager, product=shop["soap"], retail_price=D("12.00"))
    delta = sync_all(since=last.next_cursor)

    versions = [CatalogueVersion.decode(p.catalogue_version) for p in (first, last, delta)]
    assert (versions[0].lower_txid, versions[0].lower_row) == (versions[1].lower_txid, versions[1].lower_row)
    assert (versions[1].lower_txid, versions[1].lower_row) <= (versions[2].lower_txid, versions[2].lower_row)
    assert versions[1] != versions[2]
    assert versions[2].upper >= versions[1].upper


def test_sale_priced_at_its_version_after_the_price_rose_is_not_a_mismatch(cashier, manager, shop, till):
    till.catalogue_version = sync_all().catalogue_version
    product_catalogue.update_product(user=manager, product=shop["soap"], retail_price=D("12.00"))
    till.sell([(shop["soap"], "2")])  # at the 10.00 the till held

    (result,) = till.sync(cashier)

    assert [o.outcome for o in result.outcomes] == ["SYNCED"]
    item = Sale.objects.get().items.get()
    assert (item.unit_price, item.catalogue_unit_price, item.is_price_override) == (
        D("10.00"),
        D("10.00"),
        False,
    )


def test_sale_priced_differently_from_its_version_is_flagged_with_the_version(cashier, manager, shop, till):
    till.catalogue_version = sync_all().catalogue_version
    product_catalogue.update_product(user=manager, product=shop["soap"], retail_price=D("12.00"))
    till.sell([(shop["soap"], "2")], unit_prices={shop["soap"].pk: D("9.00")})

    (result,) = till.sync(cashier)

    (exception,) = result.outcomes[0].exceptions
    assert exception.kind == "PRICE_MISMATCH"
    assert till.catalogue_version in exception.message
    assert exception.details["lines"] == [
        {"line": 1, "product_id": shop["soap"].pk, "unit_price": "9.00", "catalogue_unit_price": "10.00"}
    ]


def test_sale_without_a_version_is_compared_with_todays_price(cashier, manager, shop, till):
    sync_all()
    product_catalogue.update_product(user=manager, product=shop["soap"], retail_price=D("12.00"))
    till.sell([(shop["soap"], "2")])  # 10.00, today 12.00

    (result,) = till.sync(cashier)

    (exception,) = result.outcomes[0].exceptions
    assert exception.kind == "PRICE_MISMATCH"
    assert exception.details["lines"][0]["catalogue_unit_price"] == "12.00"


def test_page_that_sent_a_price_newer_than_its_cursor_makes_either_price_valid(cashier, manager, shop, till):
    since = sync_all().next_cursor
    soap = shop["soap"]
    product_catalogue.update_product(user=manager, product=soap, name="Soap bar")  # logged first
    product_catalogue.update_product(user=manager, product=soap, retail_price=D("12.00"))
    # A till cut off after one row: the page sent soap as it is now (12.00), its cursor is before the
    # price change.
    page = catalogue.catalogue_changes(since=since, first=1)
    assert page.has_more and [p.retail_price for p in page.products] == [D("12.00")]
    till.catalogue_version = page.catalogue_version
    till.sell([(soap, "1")], unit_prices={soap.pk: D("12.00")})
    till.sell([(soap, "1")], unit_prices={soap.pk: D("10.00")})
    till.sell([(soap, "1")], unit_prices={soap.pk: D("11.00")})

    (result,) = till.sync(cashier)

    assert [o.outcome for o in result.outcomes] == ["SYNCED", "SYNCED", "SYNCED_WITH_EXCEPTIONS"]


def test_line_takes_the_tax_rate_its_version_held_so_the_tills_total_stands(
    cashier, manager, shop, till, settings
):
    settings.PRICES_INCLUDE_TAX = False  # tax on top: a changed rate changes the total
    till.catalogue_version = sync_all().catalogue_version
    rice = shop["rice"]  # 25.00 at 7.5 %
    product_catalogue.update_product(user=manager, product=rice, tax_rate=D("0.1000"))
    request = till.sell([(rice, "1")])
    # The till's tender at the 7.5 % it held: 25.00 + 1.88 (today's 10 % would make it 27.50).
    till.outbox[-1] = replace(
        request,
        sale=replace(request.sale, payments=[replace(request.sale.payments[0], amount=D("26.88"))]),
    )

    (result,) = till.sync(cashier)

    assert [o.outcome for o in result.outcomes] == ["SYNCED"], result.outcomes[0].errors
    sale = Sale.objects.get()
    assert (sale.total, sale.tax_total, sale.items.get().tax_rate) == (D("26.88"), D("1.88"), D("0.0750"))


def test_malformed_catalogue_version_is_refused_and_records_nothing(cashier, shop, till):
    till.catalogue_version = "v1"
    till.sell([(shop["soap"], "1")])

    (result,) = till.sync(cashier)

    assert [(e.code, e.field) for e in result.outcomes[0].errors] == [("INVALID", "sales.0.catalogueVersion")]
    assert Sale.objects.count() == 0 and SyncException.objects.count() == 0


def test_price_check_costs_one_statement_whatever_the_number_of_lines(cashier, manager, shop, till):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from offline import services
    from tests.shop import make_product

    products = [make_product(manager, f"Q{i}", qty="10") for i in range(10)]
    till.prices.update({p.pk: p.retail_price for p in products})
    till.catalogue_version = sync_all().catalogue_version

    def cost(lines):
        request = till.sell([(p, "1") for p in lines])
        with CaptureQueriesContext(connection) as captured:
            assert services.sync_sale(user=cashier, device=till.device, request=request).outcome == "SYNCED"
        return len([q for q in captured.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")])

    cost(products[:1])  # the first sale of a process also loads its copy of the till setup
    one, ten = cost(products[:1]), cost(products)

    # Pinned: a synced sale without shortage at a location without registers (sync_sale alone, no
    # high-water mark): the price history is one statement of them, read once for every line. On
    # SQLite the daily summary upserts (sales, product, tender) every sale writes and the lines'
    # read-back come on top; PostgreSQL sends those, with the sale's lines, draws, payments and
    # movements, in the round trip that numbers the sale.
    assert one == ten == {"sqlite": 24, "postgresql": 17}[connection.vendor]
