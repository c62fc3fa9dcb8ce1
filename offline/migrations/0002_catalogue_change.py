"""The catalogue change log and the triggers that fill it (docs/OFFLINE.md, "Catalogue sync").

Triggers, not service calls, write the log: every write to these tables is logged in its own
transaction whichever code path made it (services, F() updates, bulk updates, admin, raw SQL).
"""

from django.db import migrations, models

# (table, entity logged, column holding the logged id)
LOGGED_TABLES = (
    ("products_product", "product", "id"),
    ("products_stocklevel", "stock", "id"),
    ("customers_customer", "customer", "id"),
)

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION offline_log_catalogue_change() RETURNS trigger AS $$
DECLARE
    old_id bigint;
    new_id bigint;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        old_id := (to_jsonb(OLD) ->> TG_ARGV[1])::bigint;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_id := (to_jsonb(NEW) ->> TG_ARGV[1])::bigint;
        INSERT INTO offline_cataloguechange (txid, entity, object_id)
            VALUES (txid_current(), TG_ARGV[0], new_id);
    END IF;
    IF old_id IS NOT NULL AND old_id IS DISTINCT FROM new_id THEN
        INSERT INTO offline_cataloguechange (txid, entity, object_id)
            VALUES (txid_current(), TG_ARGV[0], old_id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


def _install(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        execute(PG_FUNCTION)
        for table, entity, column in LOGGED_TABLES:
            execute(
                f"CREATE TRIGGER offline_log_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION offline_log_catalogue_change('{entity}', '{column}')"
            )
        return
    for table, entity, column in LOGGED_TABLES:
        for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            execute(
                f"CREATE TRIGGER offline_log_{table}_{event.lower()} AFTER {event} ON {table} BEGIN "
                f"INSERT INTO offline_cataloguechange (txid, entity, object_id) "
                f"VALUES (0, '{entity}', {row}.{column}); END"
            )


def _remove(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for table, _entity, _column in LOGGED_TABLES:
            execute(f"DROP TRIGGER IF EXISTS offline_log_{table} ON {table}")
        execute("DROP FUNCTION IF EXISTS offline_log_catalogue_change()")
        return
    for table, _entity, _column in LOGGED_TABLES:
        for event in ("insert", "update", "delete"):
            execute(f"DROP TRIGGER IF EXISTS offline_log_{table}_{event}")


class Migration(migrations.Migration):
    dependencies = [
        ("offline", "0001_initial"),
        ("products", "0004_product_codes_and_unit_precision"),
        ("customers", "0003_phones_e164"),
    ]

    operations = [
        migrations.CreateModel(
            name="CatalogueChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("txid", models.BigIntegerField()),
                (
                    "entity",
                    models.CharField(
                        choices=[("product", "Product"), ("stock", "Stock level"), ("customer", "Customer")],
                        max_length=10,
                    ),
                ),
                ("object_id", models.BigIntegerField()),
            ],
            options={
                "ordering": ["txid", "id"],
                "indexes": [models.Index(fields=["txid", "id"], name="catalogue_change_cursor")],
            },
        ),
        migrations.RunPython(_install, _remove, elidable=False),
    ]
