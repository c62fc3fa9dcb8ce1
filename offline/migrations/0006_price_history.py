"""Price history: every product price or tax-rate change, at the change-log position it was logged at.

The products_product trigger now writes both rows in the same statement's trigger (PostgreSQL: one
function that logs the change and, when retail_price, wholesale_price or tax_rate changed or the
row is new, the history row with the change row's id; SQLite: the insert/update triggers do the
same with last_insert_rowid()), so no code path can change a price without its history. Existing
products get a row at position (0, 0): the price they had when the history started.
"""

import django.db.models.deletion
import django.db.models.functions.datetime
from django.db import migrations, models


PG_FUNCTION = """
CREATE OR REPLACE FUNCTION offline_log_product_change() RETURNS trigger AS $$
DECLARE
    logged bigint;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD IS NOT DISTINCT FROM NEW THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO offline_cataloguechange (txid, entity, object_id)
            VALUES (txid_current(), 'product', NEW.id) RETURNING id INTO logged;
        IF TG_OP = 'INSERT'
           OR OLD.retail_price IS DISTINCT FROM NEW.retail_price
           OR OLD.wholesale_price IS DISTINCT FROM NEW.wholesale_price
           OR OLD.tax_rate IS DISTINCT FROM NEW.tax_rate THEN
            INSERT INTO offline_pricehistory
                (product_id, txid, change_id, retail_price, wholesale_price, tax_rate)
                VALUES (NEW.id, txid_current(), logged, NEW.retail_price, NEW.wholesale_price, NEW.tax_rate);
        END IF;
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.id IS DISTINCT FROM (CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW.id END) THEN
        INSERT INTO offline_cataloguechange (txid, entity, object_id)
            VALUES (txid_current(), 'product', OLD.id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

TABLE = "products_product"
_PRICE_COLUMNS = "product_id, txid, change_id, retail_price, wholesale_price, tax_rate"
_NEW_PRICES = "NEW.id, 0, last_insert_rowid(), NEW.retail_price, NEW.wholesale_price, NEW.tax_rate"
_LOG_NEW = "INSERT INTO offline_cataloguechange (txid, entity, object_id) VALUES (0, 'product', NEW.id);"
SQLITE_TRIGGERS = {
    "insert": f"AFTER INSERT ON {TABLE} BEGIN {_LOG_NEW} "
    f"INSERT INTO offline_pricehistory ({_PRICE_COLUMNS}) VALUES ({_NEW_PRICES}); END",
    "update": f"AFTER UPDATE ON {TABLE} BEGIN {_LOG_NEW} "
    f"INSERT INTO offline_pricehistory ({_PRICE_COLUMNS}) SELECT {_NEW_PRICES} "
    "WHERE OLD.retail_price IS NOT NEW.retail_price OR OLD.wholesale_price IS NOT NEW.wholesale_price "
    "OR OLD.tax_rate IS NOT NEW.tax_rate; END",
}
# What 0004 created, to put back on the way down.
SQLITE_PLAIN = {
    event: f"AFTER {event.upper()} ON {TABLE} BEGIN {_LOG_NEW} END" for event in ("insert", "update")
}
BACKFILL = (
    f"INSERT INTO offline_pricehistory ({_PRICE_COLUMNS}) "
    f"SELECT id, 0, 0, retail_price, wholesale_price, tax_rate FROM {TABLE}"
)


def _sqlite(schema_editor, triggers) -> None:
    for event, body in triggers.items():
        name = f"offline_log_{TABLE}_{event}"
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute(f"CREATE TRIGGER {name} {body}")


def _install(apps, schema_editor):
    schema_editor.execute(BACKFILL)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS offline_log_{TABLE} ON {TABLE}")
        schema_editor.execute(
            f"CREATE TRIGGER offline_log_{TABLE} AFTER INSERT OR UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION offline_log_product_change()"
        )
    else:
        _sqlite(schema_editor, SQLITE_TRIGGERS)


def _remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS offline_log_{TABLE} ON {TABLE}")
        schema_editor.execute(
            f"CREATE TRIGGER offline_log_{TABLE} AFTER INSERT OR UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION offline_log_catalogue_change('product', 'id')"
        )
        schema_editor.execute("DROP FUNCTION IF EXISTS offline_log_product_change()")
    else:
        _sqlite(schema_editor, SQLITE_PLAIN)


class Migration(migrations.Migration):

    dependencies = [
        ('offline', '0005_sale_sync_and_exceptions'),
        ('products', '0005_movement_type_offline_shortage'),
    ]

    operations = [
        migrations.CreateModel(
            name='PriceHistory',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('txid', models.BigIntegerField()),
                ('change_id', models.BigIntegerField()),
                ('retail_price', models.DecimalField(decimal_places=2, max_digits=12)),
                ('wholesale_price', models.DecimalField(decimal_places=2, max_digits=12)),
                ('tax_rate', models.DecimalField(decimal_places=4, max_digits=6)),
                ('logged_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now())),
                ('product', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='products.product')),
            ],
            options={
                'verbose_name_plural': 'price history',
                'ordering': ['product', 'txid', 'change_id'],
                'indexes': [models.Index(fields=['product', 'txid', 'change_id'], name='price_history_position')],
            },
        ),
        migrations.RunPython(_install, _remove, elidable=False),
    ]
