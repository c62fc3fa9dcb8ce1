"""The replica router's rules that need no replica: settings, which root fields qualify, migrations."""

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from graphql import OperationType

from config.schema import schema
from reports.schema import Query as ReportQuery
from shared.db_router import ReplicaRouter, reads_from_replica, replica_reads

ROOT = Path(__file__).resolve().parent.parent
SHOW_DATABASES = (
    "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; import django; django.setup();"
    "from django.conf import settings;"
    "print(json.dumps({'aliases': list(settings.DATABASES), 'replicas': settings.DATABASE_REPLICAS,"
    " 'routers': settings.DATABASE_ROUTERS, 'middleware': settings.GRAPHENE['MIDDLEWARE'],"
    " 'databases': settings.DATABASES}, default=str))"
)


def databases_with(**env) -> dict:
    clean = {k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URLS"}
    result = subprocess.run(
        [sys.executable, "-c", SHOW_DATABASES],
        cwd=ROOT,
        env={**clean, "DATABASE_URL": "postgres://pos@db.internal:5432/pos", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_settings_without_replica_urls_use_default_only():
    loaded = databases_with()

    assert loaded["aliases"] == ["default"]
    assert loaded["replicas"] == [] and loaded["routers"] == [] and loaded["middleware"] == []


def test_settings_with_replica_urls_add_mirrored_replicas_with_primary_timeouts():
    loaded = databases_with(
        DATABASE_REPLICA_URLS="postgres://pos@replica-a:5432/pos, postgres://pos@replica-b:6432/pos",
        DB_LOCK_TIMEOUT_MS="1234",
    )

    assert loaded["aliases"] == ["default", "replica1", "replica2"]
    assert loaded["replicas"] == ["replica1", "replica2"]
    assert loaded["routers"] == ["shared.db_router.ReplicaRouter"]
    assert loaded["middleware"] == ["shared.db_router.ReplicaReadsMiddleware"]
    replica = loaded["databases"]["replica2"]
    assert (replica["HOST"], replica["PORT"]) == ("replica-b", 6432)
    assert "-c lock_timeout=1234" in replica["OPTIONS"]["options"]
    assert replica["TEST"]["MIRROR"] == "default"


def root_info(field_name: str, operation: OperationType) -> SimpleNamespace:
    root = schema.graphql_schema.mutation_type if operation is OperationType.MUTATION else None
    root = root or schema.graphql_schema.query_type
    return SimpleNamespace(
        operation=SimpleNamespace(operation=operation),
        field_name=field_name,
        return_type=root.fields[field_name].type,
    )


def to_camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@pytest.mark.parametrize("field_name", sorted(to_camel(name) for name in ReportQuery._meta.fields))
def test_reads_from_replica_every_report_root_field_qualifies(field_name):
    assert reads_from_replica(root_info(field_name, OperationType.QUERY))


@pytest.mark.parametrize("field_name", ["sales", "customers", "products", "returns", "stockMovements"])
def test_reads_from_replica_list_root_fields_qualify(field_name):
    assert reads_from_replica(root_info(field_name, OperationType.QUERY))


@pytest.mark.parametrize("field_name", ["sale", "customer", "return", "priceSale", "receipt", "me"])
def test_reads_from_replica_single_object_root_fields_stay_on_primary(field_name):
    if field_name not in schema.graphql_schema.query_type.fields:
        pytest.skip(f"{field_name} is not a root field")
    assert not reads_from_replica(root_info(field_name, OperationType.QUERY))


@pytest.mark.parametrize("field_name", sorted(schema.graphql_schema.mutation_type.fields))
def test_reads_from_replica_mutation_root_fields_never_qualify(field_name):
    assert not reads_from_replica(root_info(field_name, OperationType.MUTATION))


def test_router_outside_replica_scope_reads_primary(settings):
    settings.DATABASE_REPLICAS = ["replica1"]

    assert ReplicaRouter().db_for_read(None) == "default"


def test_router_in_replica_scope_reads_replica_until_a_write(settings):
    settings.DATABASE_REPLICAS = ["replica1"]
    router = ReplicaRouter()

    with replica_reads():
        before = router.db_for_read(None)
        written = router.db_for_write(None)
        after = router.db_for_read(None)

    assert (before, written, after) == ("replica1", "default", "default")


def test_router_refuses_migrations_on_replicas(settings):
    settings.DATABASE_REPLICAS = ["replica1"]
    router = ReplicaRouter()

    assert router.allow_migrate("replica1", "sales") is False
    assert router.allow_migrate("default", "sales") is None


def test_settings_with_transaction_pooling_send_no_session_options_and_no_server_side_cursors():
    pooled = databases_with(
        DB_TRANSACTION_POOLING="true", DATABASE_REPLICA_URLS="postgres://pos@replica-a:5432/pos"
    )["databases"]
    direct = databases_with()["databases"]

    for alias in ("default", "replica1"):
        assert pooled[alias]["DISABLE_SERVER_SIDE_CURSORS"] is True
        assert "options" not in pooled[alias].get("OPTIONS", {})
    assert direct["default"]["DISABLE_SERVER_SIDE_CURSORS"] is False
    assert "-c lock_timeout=3000" in direct["default"]["OPTIONS"]["options"]
