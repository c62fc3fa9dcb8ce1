"""The tables every sale writes carry only the indexes a read or a rule needs (each one is written
again per row), and the lookup of a sale by its number uses one."""

import re

import pytest
from django.db import connection

from sales.models import Sale

pytestmark = pytest.mark.django_db

WRITTEN_BY_EVERY_SALE = [
    "sales_sale",
    "sales_saleitem",
    "sales_payment",
    "products_stockmovement",
    "products_stocklevel",
]


def _indexes(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return [row[0] for row in cursor.fetchall()]


def _columns(definition: str) -> tuple[str, ...]:
    inside = re.search(r"USING \w+ \((.*)\)", definition).group(1)
    return tuple(part.strip().split(" ")[0].strip('"') for part in inside.split(","))


@pytest.mark.parametrize("table", WRITTEN_BY_EVERY_SALE)
def test_no_index_on_a_sale_table_is_redundant(table, is_postgres):
    if not is_postgres:
        pytest.skip("reads PostgreSQL's catalogue")
    definitions = _indexes(table)
    # Django's extra LIKE index for a unique or indexed CharField: nothing searches these by prefix.
    assert not [d for d in definitions if "pattern_ops" in d]
    # A plain one-column index whose column leads another index only doubles that index's writes.
    plain = [d for d in definitions if " UNIQUE " not in d and len(_columns(d)) == 1]
    for definition in plain:
        (column,) = _columns(definition)
        leading = [d for d in definitions if d != definition and _columns(d)[0] == column]
        assert not leading, (definition, leading)


def test_a_sale_is_found_by_its_number_in_any_letter_case_through_an_index(is_postgres):
    if not is_postgres:
        pytest.skip("reads PostgreSQL's plan")
    query = Sale.objects.filter(transaction_id__iexact="s2026-000123").values("pk")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a table this small would be scanned anyway
        plan = query.explain()

    assert "sale_transaction_id_upper" in plan, plan
