# Drops the single-column product_id indexes that a composite index already serves
# (stock_level_product_location, movement_product_loc_time): every sale wrote them for nothing.
#
# Only the indexes are dropped, by name found through introspection, on both databases. Django's
# AlterField would rebuild each table on SQLite, which drops the offline catalogue's triggers on
# products_stocklevel (offline/migrations/0004 and 0006).

import django.db.models.deletion
from django.db import migrations, models

COVERED = (("stocklevel", "product"), ("stockmovement", "product"))


def _single_column_indexes(schema_editor, model, column):
    return schema_editor._constraint_names(model, [column], index=True, unique=False, primary_key=False)


def _drop(apps, schema_editor):
    for model_name, field_name in COVERED:
        model = apps.get_model("products", model_name)
        column = model._meta.get_field(field_name).column
        for name in _single_column_indexes(schema_editor, model, column):
            schema_editor.execute(schema_editor._delete_index_sql(model, name))


def _restore(apps, schema_editor):
    for model_name, field_name in COVERED:
        model = apps.get_model("products", model_name)
        field = model._meta.get_field(field_name)
        if not _single_column_indexes(schema_editor, model, field.column):
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))


class Migration(migrations.Migration):

    dependencies = [
        ('products', '0005_movement_type_offline_shortage'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='stocklevel',
                    name='product',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='stock_levels', to='products.product'),
                ),
                migrations.AlterField(
                    model_name='stockmovement',
                    name='product',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='movements', to='products.product'),
                ),
            ],
            database_operations=[migrations.RunPython(_drop, _restore)],
        ),
    ]
