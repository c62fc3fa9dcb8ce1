"""countMode: a stocktake posts the last count of a product (LAST, the default) or their sum (SUM)."""

import threading

import pytest
from django.db import connection

from products import services as product_services
from products.checks import find_ledger_mismatches
from products.models import Location, StockLevel, StockMovement
from products.services import StockRequest
from purchasing import services
from purchasing.models import Stocktake, StocktakeCount, StocktakeLine
from shared.errors import DomainError
from tests.factories import UserFactory
from tests.products.factories import ProductFactory
from tests.purchasing.factories import D

PAYLOAD = "success message errors { field code message }"
START = f"""mutation($input: StartStocktakeInput!) {{
  startStocktake(input: $input) {{ {PAYLOAD} stocktake {{ id countMode }} }} }}"""
COUNT = f"""mutation($input: RecordCountInput!) {{
  recordCount(input: $input) {{ {PAYLOAD} count {{ counted }} }} }}"""
FINALIZE = f"""mutation($input: FinalizeStocktakeInput!) {{
  finalizeStocktake(input: $input) {{ {PAYLOAD} stocktake {{ countMode
    lines {{ counted quantityAtCount difference }} }} }} }}"""


def _tea(manager, location, quantity="20"):
    tea = ProductFactory()
    product_services.receive_stock(
        user=manager, product=tea, location=location, quantity=D(quantity), unit_cost=D("2.00")
    )
    return tea


def _sell(user, location, product, quantity):
    product_services.deduct_stock(
        user=user,
        location=location,
        requests=[StockRequest(product.pk, D(quantity))],
        reference_type="sale",
        reference_id=None,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("mode", "posted"), [("last", D("5")), ("sum", D("17"))])
def test_two_counts_of_one_product_post_the_last_or_the_sum(manager, cashier, location, mode, posted):
    tea = _tea(manager, location)
    stocktake = services.start_stocktake(user=manager, count_mode=mode)
    for counted in ("12", "5"):  # the front shelf, then the stock room
        services.record_count(user=cashier, stocktake_id=stocktake.pk, product_id=tea.pk, counted=D(counted))

    services.finalize_stocktake(user=manager, stocktake_id=stocktake.pk, uncounted="leave")

    line = StocktakeLine.objects.get(stocktake=stocktake)
    assert (line.counted, line.quantity_at_count, line.difference) == (posted, D("20"), posted - D("20"))
    assert StockLevel.objects.get(product=tea, location=location).quantity == posted
    assert StocktakeCount.objects.filter(stocktake=stocktake).count() == 2  # every count is kept


@pytest.mark.django_db
def test_summed_counts_are_against_the_position_of_the_last_count(manager, cashier, location):
    tea = _tea(manager, location)
    stocktake = services.start_stocktake(user=manager, count_mode="sum")
    services.record_count(user=cashier, stocktake_id=stocktake.pk, product_id=tea.pk, counted=D("12"))
    _sell(cashier, location, tea, "2")  # from the stock room, not yet counted: 18 in the system
    services.record_count(user=cashier, stocktake_id=stocktake.pk, product_id=tea.pk, counted=D("5"))
    _sell(cashier, location, tea, "1")  # after the last count: not a discrepancy

    services.finalize_stocktake(user=manager, stocktake_id=stocktake.pk, uncounted="leave")

    line = StocktakeLine.objects.get(stocktake=stocktake)
    # 12 + 5 counted against the 18 held at the last count: 1 short; then the later sale
    assert (line.counted, line.quantity_at_count, line.difference) == (D("17"), D("18"), D("-1"))
    assert StockLevel.objects.get(product=tea, location=location).quantity == D("16")
    assert find_ledger_mismatches() == []


@pytest.mark.django_db
def test_summed_counts_add_up_per_product_not_across_products(manager, cashier, location):
    tea, rice = _tea(manager, location, "10"), _tea(manager, location, "10")
    stocktake = services.start_stocktake(user=manager, count_mode="sum")
    for product, counted in ((tea, "4"), (rice, "3"), (tea, "6"), (rice, "3")):
        services.record_count(
            user=cashier, stocktake_id=stocktake.pk, product_id=product.pk, counted=D(counted)
        )

    services.finalize_stocktake(user=manager, stocktake_id=stocktake.pk, uncounted="leave")

    assert StockLevel.objects.get(product=tea, location=location).quantity == D("10")
    assert StockLevel.objects.get(product=rice, location=location).quantity == D("6")
    assert StockMovement.objects.filter(reference_type="stocktake").count() == 1  # tea: no difference


@pytest.mark.django_db
def test_start_stocktake_refuses_an_unknown_count_mode(manager, location):
    with pytest.raises(DomainError) as refused:
        services.start_stocktake(user=manager, count_mode="average")

    assert (refused.value.code, refused.value.field) == ("INVALID", "countMode")
    assert not Stocktake.objects.exists()


@pytest.mark.django_db
def test_count_mode_over_graphql_defaults_to_last_and_sums_when_asked(
    as_manager, as_cashier, manager, location
):
    tea = _tea(manager, location)
    default = as_manager(START, {"input": {}}).payload("startStocktake")
    summed = as_manager(START, {"input": {"countMode": "SUM"}}).payload("startStocktake")
    stocktake_id = summed["stocktake"]["id"]
    for counted in ("12", "5"):
        counted_payload = as_cashier(
            COUNT, {"input": {"stocktakeId": stocktake_id, "productId": str(tea.pk), "counted": counted}}
        ).payload("recordCount")
        assert counted_payload["success"], counted_payload

    finalized = as_manager(FINALIZE, {"input": {"stocktakeId": stocktake_id, "uncounted": "LEAVE"}}).payload(
        "finalizeStocktake"
    )

    assert default["stocktake"]["countMode"] == "LAST"
    assert finalized["success"] and finalized["stocktake"]["countMode"] == "SUM"
    assert finalized["stocktake"]["lines"] == [{"counted": "17", "quantityAtCount": "20", "difference": "-3"}]


@pytest.mark.django_db
def test_start_stocktake_with_count_mode_refuses_cashiers(as_cashier, location):
    response = as_cashier(START, {"input": {"countMode": "SUM"}})

    assert response.error_codes() == ["FORBIDDEN"]
    assert not Stocktake.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_summed_counts_from_several_devices_at_once_all_add_up_while_tills_sell():
    """Eight devices each count their shelf of one product (3 each) at the same moment, while four
    tills sell it; every count is kept and the posted total is 24 against the position of the last."""
    manager = UserFactory(role="manager")
    cashier = UserFactory(role="cashier")
    location, _ = Location.objects.get_or_create(is_default=True, defaults={"name": "Main shop"})
    tea = _tea(manager, location, "40")
    stocktake = services.start_stocktake(user=manager, count_mode="sum")
    devices, tills = 8, 4
    barrier = threading.Barrier(devices + tills)
    failures = []

    def run(action):
        try:
            barrier.wait()
            action()
        except Exception as exc:  # noqa: BLE001 - a thread must report, not swallow, what broke
            failures.append(exc)
        finally:
            connection.close()

    def count():
        services.record_count(user=cashier, stocktake_id=stocktake.pk, product_id=tea.pk, counted=D("3"))

    def sell():
        for _ in range(2):
            _sell(cashier, location, tea, "1")

    threads = [threading.Thread(target=run, args=(count,)) for _ in range(devices)]
    threads += [threading.Thread(target=run, args=(sell,)) for _ in range(tills)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    services.finalize_stocktake(user=manager, stocktake_id=stocktake.pk, uncounted="leave")

    assert failures == []
    counts = list(StocktakeCount.objects.filter(stocktake=stocktake).order_by("pk"))
    assert len(counts) == devices
    last = counts[-1]
    sold_after = -sum(
        m.quantity
        for m in StockMovement.objects.filter(
            product=tea, movement_type="sale", pk__gt=last.last_movement_id or 0
        )
    )
    line = StocktakeLine.objects.get(stocktake=stocktake)
    assert (line.counted, line.quantity_at_count) == (D("24"), last.quantity_at_count)
    assert StockLevel.objects.get(product=tea, location=location).quantity == D("24") - sold_after
    assert find_ledger_mismatches() == []
