"""Batches (with expiry) join the catalogue change log; the log gets a timestamp and a prune mark.

Batches are logged by the same trigger function as the other tables (0003), so every write to
`products_batch` (receipts, sales drawing first-expiry-first-out, counts) is logged in its own
transaction. `logged_at` is filled by the database default, which the triggers rely on.
"""

import django.db.models.functions.datetime
from django.db import migrations, models

OLD_TABLES = (("products_product", "product"), ("products_stocklevel", "stock"), ("customers_customer", "customer"))
BATCHES = ("products_batch", "batch")


def _sqlite_triggers(schema_editor, tables, *, create: bool) -> None:
    for table, entity in tables:
        for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            name = f"offline_log_{table}_{event.lower()}"
            schema_editor.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN "
                f"INSERT INTO offline_cataloguechange (txid, entity, object_id) VALUES (0, '{entity}', {row}.id); END"
                if create
                else f"DROP TRIGGER IF EXISTS {name}"
            )


# SQLite cannot add a column with a non-constant default, so Django rebuilds the log table, which
# breaks the triggers that write into it: they are dropped before and created again after.
def _drop_sqlite(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _sqlite_triggers(schema_editor, OLD_TABLES, create=False)


def _create_sqlite(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _sqlite_triggers(schema_editor, OLD_TABLES, create=True)


def _log_batches(apps, schema_editor):
    table, entity = BATCHES
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE TRIGGER offline_log_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION offline_log_catalogue_change('{entity}', 'id')"
        )
    else:
        _sqlite_triggers(schema_editor, (BATCHES,), create=True)


def _unlog_batches(apps, schema_editor):
    table, _entity = BATCHES
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS offline_log_{table} ON {table}")
    else:
        _sqlite_triggers(schema_editor, (BATCHES,), create=False)


class Migration(migrations.Migration):
    dependencies = [("offline", "0003_catalogue_change_trigger_by_id")]

    operations = [
        migrations.RunPython(_drop_sqlite, _create_sqlite),
        migrations.CreateModel(
            name="CataloguePruneMark",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("txid", models.BigIntegerField(default=0)),
                ("row", models.BigIntegerField(default=0)),
                ("pruned_at", models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.AddField(
            model_name="cataloguechange",
            name="logged_at",
            field=models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
        ),
        migrations.AlterField(
            model_name="cataloguechange",
            name="entity",
            field=models.CharField(
                choices=[("product", "Product"), ("stock", "Stock level"), ("customer", "Customer"), ("batch", "Batch")],
                max_length=10,
            ),
        ),
        migrations.RunPython(_create_sqlite, _drop_sqlite),
        migrations.RunPython(_log_batches, _unlog_batches),
    ]
