"""Which database each query of a request used, with a read replica configured (PostgreSQL).

Runs when DATABASE_REPLICA_URLS names a replica: scripts/test.sh runs it once with a replica alias
that mirrors the test database (TEST MIRROR: a second connection to the same database) and once
against a real streaming replica (scripts/pg_replica.sh). Transactional tests, because the router
keeps every read inside a transaction on the primary.
"""

from __future__ import annotations

import time
from collections import Counter
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from products.models import Location
from sales import services
from sales.models import Sale
from sales.services import PaymentRequest, SaleLineRequest, SaleRequest
from shared.db_router import replica_reads
from tests.conftest import GraphQLClient
from tests.factories import UserFactory
from tests.shop import make_product

REPLICAS = tuple(settings.DATABASE_REPLICAS)
REPLICA = REPLICAS[0] if REPLICAS else "replica1"
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not REPLICAS, reason="no read replica configured (DATABASE_REPLICA_URLS)"),
    pytest.mark.django_db(transaction=True, databases=["default", *REPLICAS]),
]
D = Decimal
SALES_LIST = "{ sales(first: 10) { totalCount edges { node { transactionId total } } } }"
SALES_STATS = "query($from: Date!, $to: Date!) { salesStats(dateFrom: $from, dateTo: $to) { totalSales totalTransactions } }"
ONE_SALE = "query($t: String!) { sale(transactionId: $t) { transactionId total } }"
CREATE_SALE = """mutation($p: ID!) { createSale(input: {items: [{productId: $p, quantity: "1"}],
  payments: [{method: "cash", amount: "10.00"}]}) { success errors { code } sale { transactionId } } }"""


class QueryLog:
    """The SQL each database alias ran while recording."""

    def __init__(self) -> None:
        self.by_alias: dict[str, list[str]] = {}

    def aliases_touching(self, table: str) -> Counter:
        return Counter(alias for alias, sqls in self.by_alias.items() for sql in sqls if table in sql)

    def count(self, alias: str) -> int:
        return len(self.by_alias.get(alias, []))


@contextmanager
def recording():
    log = QueryLog()
    with ExitStack() as stack:
        for alias in ("default", *REPLICAS):

            def record(execute, sql, params, many, context, alias=alias):
                log.by_alias.setdefault(alias, []).append(sql)
                return execute(sql, params, many, context)

            stack.enter_context(connections[alias].execute_wrapper(record))
        yield log


@pytest.fixture
def real_replica():
    """Point the replica alias at the real replica's copy of the test database, when there is one.

    The test runner made the alias a mirror of `default` (no test database is created on a read-only
    server); a physical replica holds the primary's test database under the same name.
    """
    configured = settings.DATABASES[REPLICA]
    primary = connections["default"].settings_dict
    if (configured["HOST"], configured["PORT"]) == (primary["HOST"], primary["PORT"]):
        yield False
        return
    replica = connections[REPLICA]
    mirrored = replica.settings_dict
    replica.close()
    replica.settings_dict = {**configured, "NAME": primary["NAME"]}
    try:
        yield True
    finally:
        replica.close()
        replica.settings_dict = mirrored


@pytest.fixture
def sold(db):
    Location.objects.get_or_create(is_default=True, defaults={"name": "Main shop"})
    manager = UserFactory(role="manager", username="routing-manager")
    product = make_product(manager, "ROUTE", qty="20")
    sale = sell(manager, product)
    return manager, product, sale


def sell(user, product) -> Sale:
    request = SaleRequest(
        items=[SaleLineRequest(product_id=product.pk, quantity=D("1"))],
        payments=[PaymentRequest("cash", D("10.00"))],
    )
    return services.create_sale(user=user, request=request).sale


def around_today() -> dict:
    today = timezone.localdate()
    return {"from": str(today - timedelta(days=1)), "to": str(today + timedelta(days=1))}


def wait_for_replay(timeout: float = 10.0) -> None:
    """Wait until the replica has replayed every WAL record the primary has written so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (target,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    with connections[REPLICA].cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
            assert time.monotonic() < deadline, f"the replica did not replay {target} in {timeout} s"
            time.sleep(0.05)


def test_sales_list_query_reads_replica(sold, real_replica):
    manager, _product, sale = sold
    if real_replica:
        wait_for_replay()

    with recording() as log:
        body = GraphQLClient(manager)(SALES_LIST).payload("sales")

    assert [edge["node"]["transactionId"] for edge in body["edges"]] == [sale.transaction_id]
    assert set(log.aliases_touching('"sales_sale"')) == {REPLICA}


def test_sales_stats_report_reads_replica(sold, real_replica):
    manager, _product, _sale = sold
    if real_replica:
        wait_for_replay()

    with recording() as log:
        stats = GraphQLClient(manager)(SALES_STATS, around_today()).payload("salesStats")

    assert stats["totalTransactions"] == 1 and D(stats["totalSales"]) == D("10.00")
    # salesStats reads the daily summaries (issue 15 item 4), on the replica like every report.
    assert set(log.aliases_touching('"sales_dailysales"')) == {REPLICA}


def test_report_reads_replica_only_after_it_replayed_the_primary(sold, real_replica):
    """On a real replica, a sale committed on the primary shows in the report once replayed."""
    if not real_replica:
        pytest.skip("needs a real streaming replica (scripts/pg_replica.sh)")
    manager, product, _sale = sold
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), inet_server_port()")
        in_recovery, port = cursor.fetchone()
    assert in_recovery and port == int(settings.DATABASES[REPLICA]["PORT"])
    sell(manager, product)
    wait_for_replay()

    with recording() as log:
        stats = GraphQLClient(manager)(SALES_STATS, around_today()).payload("salesStats")

    assert stats["totalTransactions"] == 2
    # salesStats reads the daily summaries (issue 15 item 4), on the replica like every report.
    assert set(log.aliases_touching('"sales_dailysales"')) == {REPLICA}


def test_single_sale_query_reads_primary(sold):
    manager, _product, sale = sold

    with recording() as log:
        body = GraphQLClient(manager)(ONE_SALE, {"t": sale.transaction_id}).payload("sale")

    assert body["transactionId"] == sale.transaction_id
    assert log.count(REPLICA) == 0 and log.aliases_touching('"sales_sale"') == Counter(default=1)


def test_create_sale_mutation_never_reads_replica(sold):
    manager, product, _sale = sold

    with recording() as log:
        body = GraphQLClient(manager)(CREATE_SALE, {"p": str(product.pk)}).payload("createSale")

    assert body["success"], body["errors"]
    assert log.count(REPLICA) == 0 and log.count("default") > 0


def test_reads_after_a_write_in_replica_scope_read_primary(sold):
    _manager, product, _sale = sold

    with recording() as log, replica_reads():
        list(Sale.objects.all())
        Location.objects.filter(is_default=True).update(name="Main shop")
        list(Sale.objects.all())

    assert [alias for alias, sqls in log.by_alias.items() for sql in sqls if '"sales_sale"' in sql] == [
        REPLICA,
        "default",
    ]


def test_reads_inside_a_transaction_read_primary(sold):
    with recording() as log, replica_reads(), transaction.atomic():
        list(Sale.objects.all())

    assert log.count(REPLICA) == 0 and log.aliases_touching('"sales_sale"') == Counter(default=1)


def test_saving_an_object_read_from_a_replica_writes_primary(sold, real_replica):
    if real_replica:
        wait_for_replay()
    with replica_reads():
        location = Location.objects.get(is_default=True)
    assert location._state.db == REPLICA

    with recording() as log:
        location.name = "Renamed"
        location.save(update_fields=["name"])

    assert log.count(REPLICA) == 0
    assert log.aliases_touching('UPDATE "products_location"') == Counter(default=1)
    assert Location.objects.get(pk=location.pk).name == "Renamed"
