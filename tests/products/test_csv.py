"""CSV import/export: round trip, row-level errors with nothing imported, opening stock in the ledger."""

import io
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from products.checks import find_ledger_mismatches
from products.csv_io import IMPORT_COLUMNS, export_products_dataset, import_products
from products.models import Batch, Category, Product, StockLevel, StockMovement, Supplier
from tests.products.factories import CategoryFactory, ProductFactory, SupplierFactory
from tests.products.helpers import stock_snapshot

HEADER = ",".join(IMPORT_COLUMNS)


def csv_of(*rows: dict) -> str:
    lines = [HEADER]
    for row in rows:
        lines.append(",".join(_cell(row.get(col, "")) for col in IMPORT_COLUMNS))
    return "\n".join(lines) + "\n"


def _cell(value) -> str:
    text = str(value)
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text


def catalogue_state():
    return sorted(
        Product.objects.values_list(
            "sku",
            "barcode",
            "name",
            "description",
            "category__name",
            "supplier__name",
            "unit",
            "retail_price",
            "wholesale_price",
            "cost_price",
            "tax_rate",
            "reorder_level",
            "track_batches",
            "is_active",
            "attributes",
        )
    )


def test_import_creates_products_categories_suppliers_and_opening_stock(manager, shop, store_room, today):
    expiry = (today + timedelta(days=120)).isoformat()
    content = csv_of(
        {
            "sku": "SOAP",
            "name": "Soap",
            "category": "Household",
            "supplier": "Acme",
            "retail_price": "1.50",
            "tax_rate": "0.075",
            "reorder_level": "4",
            "attributes": '{"shelf": "B2"}',
            "opening_quantity": "12",
            "opening_unit_cost": "0.80",
        },
        {
            "sku": "PARA",
            "name": "Paracetamol",
            "category": "Medicine",
            "retail_price": "2.00",
            "track_batches": "true",
            "opening_quantity": "30",
            "opening_unit_cost": "1.10",
            "location": "store room",
            "batch_number": "L-1",
            "expiry_date": expiry,
        },
    )

    report = import_products(content, user=manager)

    assert report.ok, report.errors
    assert (report.created, report.updated, report.receipts) == (2, 0, 2)
    soap = Product.objects.get(sku="SOAP")
    assert (soap.category.name, soap.supplier.name, soap.attributes) == ("Household", "Acme", {"shelf": "B2"})
    assert soap.tax_rate == Decimal("0.0750") and soap.cost_price == Decimal("0.8000")
    assert StockLevel.objects.get(product=soap, location=shop).quantity == Decimal("12")
    batch = Batch.objects.get(product__sku="PARA")
    assert (batch.location, batch.quantity, batch.expiry_date.isoformat()) == (
        store_room,
        Decimal("30"),
        expiry,
    )
    assert StockMovement.objects.filter(movement_type="receipt").count() == 2
    assert find_ledger_mismatches() == []


def test_export_then_import_gives_the_same_catalogue(manager, shop):
    drinks = CategoryFactory(name="Drinks")
    acme = SupplierFactory(name="Acme, Ltd")
    ProductFactory(
        sku="A",
        name='Cola "Zero", 50cl',
        barcode="5449000000996",
        category=drinks,
        supplier=acme,
        retail_price=Decimal("1.50"),
        tax_rate=Decimal("0.0750"),
        attributes={"colour": "red"},
        reorder_level=Decimal("2.5"),
        cost_price=Decimal("0.1234"),
    )
    ProductFactory(
        sku="B",
        name="Rice",
        category=None,
        unit="kg",
        track_batches=True,
        is_active=False,
        description="Long grain\nper kg",
    )
    exported = export_products_dataset().export("csv")
    before = catalogue_state()

    same_db = import_products(exported, user=manager)
    assert same_db.ok and (same_db.created, same_db.updated, same_db.unchanged) == (0, 0, 2)
    assert catalogue_state() == before

    Product.objects.all().delete()
    Category.objects.all().delete()
    Supplier.objects.all().delete()
    fresh = import_products(exported, user=manager)

    assert fresh.ok and fresh.created == 2
    assert catalogue_state() == before


def test_import_upserts_by_sku(manager):
    ProductFactory(sku="A", name="Old name", retail_price=Decimal("1.00"))

    report = import_products(
        csv_of(
            {"sku": "A", "name": "New name", "retail_price": "1.25"},
            {"sku": "B", "name": "Other", "retail_price": "3"},
        ),
        user=manager,
    )

    assert (report.created, report.updated) == (1, 1)
    assert Product.objects.get(sku="A").name == "New name"
    assert Product.objects.get(sku="A").retail_price == Decimal("1.25")


def test_a_bad_row_imports_nothing_and_reports_row_column_message(manager, shop):
    ProductFactory(sku="TAKEN", barcode="999")
    before = (catalogue_state(), stock_snapshot(), Category.objects.count())
    content = csv_of(
        {
            "sku": "OK-1",
            "name": "Fine",
            "category": "New cat",
            "retail_price": "1.00",
            "opening_quantity": "5",
        },
        {"sku": "OK-2", "name": "", "retail_price": "1.001"},
        {"sku": "OK-1", "name": "Dup", "retail_price": "1.00", "barcode": "999"},
        {"sku": "MED", "name": "Med", "retail_price": "1.00", "track_batches": "maybe"},
        {
            "sku": "X",
            "name": "X",
            "retail_price": "1.00",
            "opening_quantity": "2",
            "location": "Nowhere",
            "attributes": "[1]",
        },
    )

    report = import_products(content, user=manager)

    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "name"),
        (3, "retail_price"),
        (4, "sku"),
        (4, "barcode"),
        (5, "track_batches"),
        (6, "attributes"),
        (6, "location"),
    ]
    assert str(report.errors[1]) == "row 3, column retail_price: Amounts can have at most two decimal places."
    assert "row 2" in report.errors[2].message
    assert (catalogue_state(), stock_snapshot(), Category.objects.count()) == before


def test_import_refuses_expired_opening_batch_and_missing_columns(manager, shop, today):
    expired = csv_of(
        {
            "sku": "M",
            "name": "M",
            "retail_price": "1",
            "track_batches": "yes",
            "opening_quantity": "1",
            "batch_number": "B",
            "expiry_date": (today - timedelta(days=1)).isoformat(),
        }
    )
    missing = "sku,name\nA,B\n"

    assert [(e.row, e.column) for e in import_products(expired).errors] == [(2, "expiry_date")]
    assert [(e.row, e.message) for e in import_products(missing).errors] == [
        (1, "Missing column(s): retail_price.")
    ]
    assert not Product.objects.exists()


def test_reimport_does_not_receive_opening_stock_twice(manager, shop):
    content = csv_of({"sku": "A", "name": "A", "retail_price": "1", "opening_quantity": "5"})

    import_products(content, user=manager)
    again = import_products(content, user=manager)

    assert again.ignored_opening == 1
    assert StockLevel.objects.get(product__sku="A").quantity == Decimal("5")


def test_import_command_dry_run_writes_nothing_and_reports(shop, tmp_path):
    path = tmp_path / "products.csv"
    path.write_text(csv_of({"sku": "A", "name": "A", "retail_price": "1", "opening_quantity": "5"}))
    out = io.StringIO()

    call_command("import_products", str(path), "--dry-run", stdout=out)

    assert "would have 1 created" in out.getvalue()
    assert not Product.objects.exists() and not StockMovement.objects.exists()


def test_import_command_bad_file_exits_with_errors(shop, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(csv_of({"sku": "A", "name": "A", "retail_price": "-1"}))
    err = io.StringIO()

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_products", str(path), stderr=err)

    assert "row 2, column retail_price" in err.getvalue()
    assert not Product.objects.exists()


def test_export_commands_write_csv(manager, shop, stocked, medicine, tmp_path):
    stocked("3", sku="PLAIN")
    products_out, stock_out = io.StringIO(), io.StringIO()

    call_command("export_products", stdout=products_out)
    call_command("export_stock", stdout=stock_out)

    assert products_out.getvalue().splitlines()[0] == HEADER
    stock_lines = stock_out.getvalue().splitlines()
    assert stock_lines[0] == "sku,name,location,batch_number,expiry_date,quantity,unit_cost"
    assert any(line.startswith("PLAIN,") and ",3," in line for line in stock_lines)
    assert sum(1 for line in stock_lines if line.startswith(f"{medicine.sku},")) == 3


def test_import_ten_thousand_rows_well_under_a_minute(manager, shop):
    rows = [
        {
            "sku": f"BULK-{n:05d}",
            "name": f"Bulk item {n}",
            "category": f"Cat {n % 7}",
            "retail_price": "2.50",
            "barcode": f"20{n:011d}",
            "opening_quantity": str(n % 7 + 1),
            "opening_unit_cost": "1.25",
        }
        for n in range(10_000)
    ]
    content = csv_of(*rows)
    started = time.monotonic()

    report = import_products(content, user=manager)

    elapsed = time.monotonic() - started
    assert report.ok and report.created == 10_000 and report.receipts == 10_000
    assert elapsed < 30, f"import took {elapsed:.1f}s"
    assert find_ledger_mismatches() == []
