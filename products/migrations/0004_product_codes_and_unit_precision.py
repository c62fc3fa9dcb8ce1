"""Unit precision per product and the ProductCode table (see docs/products.md, "Codes and scanning").

Existing products: those measured in a weighed unit, or with any fractional quantity already on a
stock level, batch or movement (every sale draws a movement), keep three decimals; the rest are sold
by the piece. Every SKU and barcode gets its normalised ProductCode row; a code already taken by
an earlier product (data written before the rule) is reported on stderr and left out for a manager
to fix, rather than failing the deploy.
"""

import sys

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models
from django.db.models.functions import Floor


MEASURED_UNITS = {"kg", "g", "mg", "lb", "oz", "l", "ml", "cl", "m", "cm", "m2", "m3"}


def set_precision_and_codes(apps, schema_editor):
    Product = apps.get_model("products", "Product")
    ProductCode = apps.get_model("products", "ProductCode")
    StockLevel = apps.get_model("products", "StockLevel")
    Batch = apps.get_model("products", "Batch")
    StockMovement = apps.get_model("products", "StockMovement")

    fractional = set()
    for model in (StockLevel, Batch, StockMovement):
        rows = model.objects.exclude(quantity=Floor("quantity")).values_list("product_id", flat=True)
        fractional.update(rows.distinct())
    measured = {
        pk
        for pk, unit in Product.objects.values_list("pk", "unit")
        if (unit or "").strip().lower() in MEASURED_UNITS
    }
    Product.objects.filter(pk__in=fractional | measured).update(quantity_decimals=3)

    taken = {}
    rows = []
    for pk, sku, barcode in Product.objects.order_by("pk").values_list("pk", "sku", "barcode"):
        for kind, value in (("sku", sku), ("barcode", barcode)):
            if not value:
                continue
            code = value.strip().upper()
            owner = taken.get(code)
            if owner == pk:
                continue
            if owner is not None:
                sys.stderr.write(
                    f"products: {kind} {value!r} of product {pk} is already a code of product {owner}; "
                    "change one of them so scanning is unambiguous.\n"
                )
                continue
            taken[code] = pk
            rows.append(ProductCode(product_id=pk, code=code, kind=kind))
    ProductCode.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0003_search_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProductCode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=192, unique=True)),
                ("kind", models.CharField(choices=[("sku", "SKU"), ("barcode", "Barcode")], max_length=10)),
            ],
            options={
                "ordering": ["pk"],
            },
        ),
        migrations.AddField(
            model_name="product",
            name="quantity_decimals",
            field=models.PositiveSmallIntegerField(
                default=0, validators=[django.core.validators.MaxValueValidator(3)]
            ),
        ),
        migrations.AddConstraint(
            model_name="product",
            constraint=models.CheckConstraint(
                condition=models.Q(("quantity_decimals__lte", 3)), name="product_quantity_decimals_at_most_3"
            ),
        ),
        migrations.AddField(
            model_name="productcode",
            name="product",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="codes", to="products.product"
            ),
        ),
        migrations.RunPython(set_precision_and_codes, migrations.RunPython.noop),
    ]
