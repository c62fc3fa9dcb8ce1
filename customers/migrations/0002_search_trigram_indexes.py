"""Trigram GIN indexes for substring search of customers on PostgreSQL; a no-op elsewhere.

Django's `icontains` on PostgreSQL compiles to `UPPER(col::text) LIKE UPPER('%term%')` and
`contains` to `col::text LIKE '%term%'`, so the indexes are built on exactly those expressions.
(Ported from the parallel customers branch, which found and tested this.) Creating the `pg_trgm` extension needs the CREATE
privilege on the database; when the role lacks it, search still works (sequential scan) and the
migration says so instead of failing the deploy.
"""

import sys

from django.db import DatabaseError, migrations, transaction

# name and email are searched with icontains (UPPER(...) LIKE), phone with contains on its digits.
EXPRESSIONS = {"name": "UPPER(name::text)", "email": "UPPER(email::text)", "phone": "(phone::text)"}


def create_trigram_indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            try:
                with transaction.atomic(using=connection.alias):
                    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            except DatabaseError:
                sys.stderr.write(
                    "customers: could not create the pg_trgm extension; customer search will not use "
                    "trigram indexes (ask the DBA for `CREATE EXTENSION pg_trgm`, then re-run 0002).\n"
                )
                return
        for column, expression in EXPRESSIONS.items():
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS customer_{column}_trgm_idx ON customers_customer "
                f"USING gin (({expression}) gin_trgm_ops)"
            )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for column in EXPRESSIONS:
            cursor.execute(f"DROP INDEX IF EXISTS customer_{column}_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [migrations.RunPython(create_trigram_indexes, drop_trigram_indexes)]
