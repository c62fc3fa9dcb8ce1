"""CSV import and export of the catalogue and stock (parsed and written with tablib).

The import validates every row first and writes nothing if any row is bad; products are upserted
by SKU in bulk, and opening quantities of newly created products go through `receive_stock` so they
appear in the stock ledger.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import tablib
from django.db import IntegrityError, transaction

from products import selectors, services
from products.models import (
    Batch,
    Category,
    Location,
    Product,
    ProductCode,
    StockLevel,
    StockMovement,
    Supplier,
    normalise_code,
)
from products.units import check_quantity_precision, default_quantity_decimals
from shared.csv_safety import restore_cell, safe_dataset
from shared.errors import DomainError
from shared.money import parse_money, parse_quantity

PRODUCT_COLUMNS = [
    "sku",
    "barcode",
    "name",
    "description",
    "category",
    "supplier",
    "unit",
    "retail_price",
    "wholesale_price",
    "cost_price",
    "tax_rate",
    "reorder_level",
    "quantity_decimals",
    "track_batches",
    "is_active",
    "attributes",
]
OPENING_COLUMNS = ["opening_quantity", "opening_unit_cost", "location", "batch_number", "expiry_date"]
IMPORT_COLUMNS = PRODUCT_COLUMNS + OPENING_COLUMNS
STOCK_COLUMNS = ["sku", "name", "location", "batch_number", "expiry_date", "quantity", "unit_cost"]
REQUIRED_COLUMNS = {"sku", "name", "retail_price"}
TRUE, FALSE = {"1", "true", "yes", "y"}, {"0", "false", "no", "n", ""}
# Fields an import updates on existing products (cost_price is the moving average: receipts own it).
UPDATABLE = [c for c in PRODUCT_COLUMNS if c not in ("sku", "cost_price", "category", "supplier")] + [
    "category",
    "supplier",
]
BULK_SIZE = 1000


@dataclass
class RowError:
    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    receipts: int = 0
    ignored_opening: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    values: dict
    opening: dict | None


class _DryRunRollback(Exception):
    pass


class _RowFailedRollback(Exception):
    pass


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _bool(value, column: str, errors: list, number: int) -> bool | None:
    text = _text(value).lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    errors.append(RowError(number, column, f"Use true or false, not {value!r}."))
    return None


def _parse(errors: list, number: int, column: str, parser, value, **kwargs):
    try:
        return parser(value, field=column, **kwargs)
    except DomainError as exc:
        errors.append(RowError(number, column, exc.message))
        return None


def load_dataset(content: str | bytes) -> tablib.Dataset:
    """Parse CSV text (UTF-8, a BOM is tolerated) into a tablib Dataset with headers."""
    if isinstance(content, bytes):
        content = content.decode("utf-8-sig")
    return tablib.Dataset().load(content.lstrip("\ufeff"), format="csv")


def _validate(dataset: tablib.Dataset, report: ImportReport) -> list[_Row]:
    headers = [_text(h).lower() for h in (dataset.headers or [])]
    missing = REQUIRED_COLUMNS - set(headers)
    unknown = set(headers) - set(IMPORT_COLUMNS)
    if missing:
        report.errors.append(RowError(1, None, f"Missing column(s): {', '.join(sorted(missing))}."))
    if unknown:
        report.errors.append(RowError(1, None, f"Unknown column(s): {', '.join(sorted(unknown))}."))
    if report.errors:
        return []
    existing = {
        p.sku: p
        for p in Product.objects.only(
            "pk", "sku", "barcode", "track_batches", "is_active", "quantity_decimals"
        )
    }
    # Every SKU and barcode in the shop, normalised as ProductCode holds them: one name space.
    code_owner = {normalise_code(p.sku): p.sku for p in existing.values()}
    code_owner.update({normalise_code(p.barcode): p.sku for p in existing.values() if p.barcode})
    sku_of = {p.pk: p.sku for p in existing.values()}
    code_owner.update(
        {code: sku_of[pid] for code, pid in ProductCode.objects.values_list("code", "product_id")}
    )
    seen_codes: dict[str, int] = {}
    with_movements = set(StockMovement.objects.values_list("product__sku", flat=True).distinct())
    locations = {loc.name.lower(): loc for loc in Location.objects.all()}
    today = selectors.today()
    default_location = selectors.get_default_location()
    seen_skus: dict[str, int] = {}
    seen_barcodes: dict[str, int] = {}
    rows: list[_Row] = []
    for index, raw in enumerate(dataset.dict):
        number = index + 2  # the header is row 1
        data = {_text(k).lower(): restore_cell(raw[k]) for k in raw}
        errors: list[RowError] = []
        values: dict = {}
        try:
            values["sku"] = services.clean_sku(data.get("sku"))
        except DomainError as exc:
            errors.append(RowError(number, "sku", exc.message))
        sku = values.get("sku")
        if sku:
            if sku in seen_skus:
                errors.append(RowError(number, "sku", f"SKU {sku} already appears on row {seen_skus[sku]}."))
            else:
                _check_code(errors, number, "sku", sku, sku, code_owner, seen_codes)
            seen_skus.setdefault(sku, number)
        values["name"] = _text(data.get("name"))
        if not values["name"]:
            errors.append(RowError(number, "name", "A name is required."))
        barcode = _text(data.get("barcode")) or None
        values["barcode"] = barcode
        if barcode:
            if barcode in seen_barcodes:
                errors.append(
                    RowError(
                        number,
                        "barcode",
                        f"Barcode {barcode} already appears on row {seen_barcodes[barcode]}.",
                    )
                )
            seen_barcodes.setdefault(barcode, number)
            if sku and normalise_code(barcode) != normalise_code(sku):
                _check_code(errors, number, "barcode", barcode, sku, code_owner, seen_codes)
        values["description"] = _text(data.get("description"))
        values["category"] = _text(data.get("category"))
        values["supplier"] = _text(data.get("supplier"))
        values["unit"] = _text(data.get("unit")) or "pcs"
        values["retail_price"] = _parse(
            errors, number, "retail_price", parse_money, _text(data.get("retail_price"))
        )
        values["wholesale_price"] = _parse(
            errors, number, "wholesale_price", parse_money, _text(data.get("wholesale_price")) or "0"
        )
        values["cost_price"] = _parse(
            errors, number, "cost_price", services.parse_cost, _text(data.get("cost_price")) or "0"
        )
        values["tax_rate"] = _parse(
            errors, number, "tax_rate", services.parse_rate, _text(data.get("tax_rate")) or "0"
        )
        values["reorder_level"] = _parse(
            errors,
            number,
            "reorder_level",
            parse_quantity,
            _text(data.get("reorder_level")) or "0",
            allow_zero=True,
        )
        values["quantity_decimals"] = _quantity_decimals(
            errors, number, data.get("quantity_decimals"), values["unit"], existing.get(sku) if sku else None
        )
        values["track_batches"] = _bool(data.get("track_batches"), "track_batches", errors, number)
        is_active = _text(data.get("is_active"))
        values["is_active"] = True if is_active == "" else _bool(is_active, "is_active", errors, number)
        attributes_text = _text(data.get("attributes"))
        values["attributes"] = {}
        if attributes_text:
            try:
                values["attributes"] = json.loads(attributes_text)
            except ValueError:
                errors.append(RowError(number, "attributes", "Not valid JSON."))
            else:
                if not isinstance(values["attributes"], dict):
                    errors.append(
                        RowError(number, "attributes", 'Use a JSON object such as {"colour": "red"}.')
                    )
        current = existing.get(sku) if sku else None
        if (
            current is not None
            and values["track_batches"] is not None
            and values["track_batches"] != current.track_batches
            and sku in with_movements
        ):
            errors.append(
                RowError(number, "track_batches", "Batch tracking cannot change once a product has stock.")
            )

        opening = None
        quantity_text = _text(data.get("opening_quantity"))
        if quantity_text and quantity_text not in ("0", "0.0", "0.000"):
            quantity = _parse(errors, number, "opening_quantity", parse_quantity, quantity_text)
            if quantity is not None and values["quantity_decimals"] is not None:
                quantity = _parse(
                    errors,
                    number,
                    "opening_quantity",
                    check_quantity_precision,
                    quantity,
                    decimals=values["quantity_decimals"],
                    product_name=values["name"],
                )
            cost_text = _text(data.get("opening_unit_cost")) or _text(data.get("cost_price")) or "0"
            unit_cost = _parse(errors, number, "opening_unit_cost", services.parse_cost, cost_text)
            location_name = _text(data.get("location"))
            location = locations.get(location_name.lower()) if location_name else default_location
            if location is None:
                errors.append(RowError(number, "location", f"No location named {location_name!r}."))
            batch_number = _text(data.get("batch_number")) or None
            expiry_text = _text(data.get("expiry_date"))
            expiry = None
            if expiry_text:
                try:
                    expiry = date.fromisoformat(expiry_text)
                except ValueError:
                    errors.append(RowError(number, "expiry_date", "Use a date such as 2027-03-31."))
            if values["track_batches"]:
                if not batch_number:
                    errors.append(
                        RowError(number, "batch_number", "Batch-tracked stock needs a batch number.")
                    )
                if expiry is None and not expiry_text:
                    errors.append(
                        RowError(number, "expiry_date", "Batch-tracked stock needs an expiry date.")
                    )
                if expiry is not None and expiry < today:
                    errors.append(RowError(number, "expiry_date", "This batch has already expired."))
            elif batch_number or expiry_text:
                errors.append(RowError(number, "batch_number", "Only batch-tracked products take a batch."))
            if values["is_active"] is False:
                errors.append(
                    RowError(number, "opening_quantity", "An archived product cannot receive stock.")
                )
            opening = {
                "quantity": quantity,
                "unit_cost": unit_cost,
                "location": location,
                "batch_number": batch_number,
                "expiry_date": expiry,
            }
        report.errors.extend(errors)
        rows.append(_Row(number=number, values=values, opening=opening))
    return rows


def _check_code(errors, number, column, code, sku, code_owner, seen_codes) -> None:
    """A SKU or barcode may name no other product, in the shop or earlier in the file, in any case."""
    key = normalise_code(code)
    owner = code_owner.get(key)
    if owner is not None and owner != sku:
        errors.append(RowError(number, column, f"{code} is already a SKU or barcode of product {owner}."))
    elif key in seen_codes:
        errors.append(
            RowError(number, column, f"{code} is already a SKU or barcode on row {seen_codes[key]}.")
        )
    seen_codes.setdefault(key, number)


def _quantity_decimals(errors, number, value, unit: str, current: Product | None) -> int | None:
    """The column, else the product's current precision, else the default for its unit."""
    text = _text(value)
    if not text:
        return current.quantity_decimals if current is not None else default_quantity_decimals(unit)
    if not text.isdigit() or int(text) > 3:
        errors.append(RowError(number, "quantity_decimals", "Use 0 (sold by the piece) to 3."))
        return None
    decimals = int(text)
    lowered = current is not None and decimals < current.quantity_decimals
    if lowered and StockLevel.objects.filter(product=current).exclude(quantity=0).exists():
        errors.append(
            RowError(
                number,
                "quantity_decimals",
                "Lower the precision of a product with stock through the catalogue, not an import.",
            )
        )
        return None
    return decimals


def import_products(
    content: str | bytes | tablib.Dataset,
    *,
    user=None,
    dry_run: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportReport:
    """Validate every row, then upsert products by SKU and receive opening stock, all in one transaction.

    Nothing is written when any row is bad, or with `dry_run` (the import runs and is rolled back).
    """
    dataset = content if isinstance(content, tablib.Dataset) else load_dataset(content)
    report = ImportReport(total=len(dataset), dry_run=dry_run)
    rows = _validate(dataset, report)
    if report.errors:
        return report
    try:
        with transaction.atomic():
            _write(rows, report, user=user, progress=progress)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    except _RowFailedRollback:
        report.created = report.updated = report.receipts = 0  # rolled back
    return report


def _named(model, names: set[str]) -> dict[str, object]:
    found = {obj.name.lower(): obj for obj in model.objects.all()}
    missing = sorted({n for n in names if n and n.lower() not in found}, key=str.lower)
    unique_missing = list({n.lower(): n for n in missing}.values())
    if unique_missing:
        model.objects.bulk_create([model(name=n) for n in unique_missing])
        found = {obj.name.lower(): obj for obj in model.objects.all()}
    return found


def _write(rows: list[_Row], report: ImportReport, *, user, progress) -> None:
    categories = _named(Category, {r.values["category"] for r in rows})
    suppliers = _named(Supplier, {r.values["supplier"] for r in rows})
    existing = {p.sku: p for p in Product.objects.all()}
    to_create, to_update, created_skus = [], [], set()
    for done, row in enumerate(rows, start=1):
        values = dict(row.values)
        values["category"] = categories.get(values["category"].lower()) if values["category"] else None
        values["supplier"] = suppliers.get(values["supplier"].lower()) if values["supplier"] else None
        product = existing.get(values["sku"])
        if product is None:
            to_create.append(Product(**values))
            created_skus.add(values["sku"])
        else:
            changed = False
            for name in UPDATABLE:
                if getattr(product, name) != values[name]:
                    setattr(product, name, values[name])
                    changed = True
            if changed:
                to_update.append(product)
            else:
                report.unchanged += 1
        if progress and (done % BULK_SIZE == 0 or done == len(rows)):
            progress("validated", done, len(rows))
    Product.objects.bulk_create(to_create, batch_size=BULK_SIZE)
    Product.objects.bulk_update(to_update, UPDATABLE, batch_size=BULK_SIZE)
    report.created, report.updated = len(to_create), len(to_update)
    touched = [r.values["sku"] for r in rows if r.values["sku"] in created_skus] + [p.sku for p in to_update]
    try:
        with transaction.atomic():
            services.sync_product_codes(products=list(Product.objects.filter(sku__in=touched)))
    except IntegrityError:
        # Codes checked during validation were taken by a concurrent writer since.
        report.errors.append(RowError(1, "sku", "A SKU or barcode was just taken by another product."))
        raise _RowFailedRollback from None

    openings = [r for r in rows if r.opening]
    if not openings:
        return
    by_sku = {p.sku: p for p in Product.objects.filter(sku__in=[r.values["sku"] for r in openings])}
    receipts, receipt_rows = [], []
    for row in openings:
        if row.values["sku"] not in created_skus:
            report.ignored_opening += 1  # re-importing a file must not receive its stock twice
            continue
        opening = row.opening
        receipts.append(
            services.Receipt(
                product=by_sku[row.values["sku"]],
                location=opening["location"],
                quantity=opening["quantity"],
                unit_cost=opening["unit_cost"],
                batch_number=opening["batch_number"],
                expiry_date=opening["expiry_date"],
                note="Opening stock (CSV import)",
            )
        )
        receipt_rows.append(row.number)
    # Opening stock goes through the receipt service (ledger rows, moving average), in chunks.
    for start in range(0, len(receipts), BULK_SIZE):
        chunk = receipts[start : start + BULK_SIZE]
        try:
            services.receive_stock_many(user=user, receipts=chunk)
        except DomainError as exc:
            report.errors.append(
                RowError(receipt_rows[start], "opening_quantity", f"{exc.message} (in rows from here on)")
            )
            raise _RowFailedRollback from None
        report.receipts += len(chunk)
        if progress:
            progress("opening stock", report.receipts, len(receipts))


def export_products_dataset() -> tablib.Dataset:
    """The catalogue in the import format (opening columns empty), one row per product by SKU."""
    dataset = tablib.Dataset(headers=IMPORT_COLUMNS)
    products = Product.objects.select_related("category", "supplier").order_by("sku")
    for p in products.iterator(chunk_size=2000):
        dataset.append(
            [
                p.sku,
                p.barcode or "",
                p.name,
                p.description,
                p.category.name if p.category else "",
                p.supplier.name if p.supplier else "",
                p.unit,
                f"{p.retail_price:.2f}",
                f"{p.wholesale_price:.2f}",
                f"{p.cost_price:.4f}",
                f"{p.tax_rate:.4f}",
                f"{p.reorder_level.normalize():f}",
                str(p.quantity_decimals),
                "true" if p.track_batches else "false",
                "true" if p.is_active else "false",
                json.dumps(p.attributes, sort_keys=True) if p.attributes else "",
                "",
                "",
                "",
                "",
                "",
            ]
        )
    return safe_dataset(dataset)


def export_stock_dataset() -> tablib.Dataset:
    """Stock on hand: one row per (product, location) level, or per batch for batch-tracked products."""
    dataset = tablib.Dataset(headers=STOCK_COLUMNS)
    levels = StockLevel.objects.select_related("product", "location").order_by(
        "product__sku", "location__name"
    )
    for level in levels.filter(product__track_batches=False).iterator(chunk_size=2000):
        dataset.append(
            [
                level.product.sku,
                level.product.name,
                level.location.name,
                "",
                "",
                _qty(level.quantity),
                f"{level.product.cost_price:.4f}",
            ]
        )
    batches = Batch.objects.select_related("product", "location").order_by(
        "product__sku", "location__name", "pk"
    )
    for batch in batches.iterator(chunk_size=2000):
        dataset.append(
            [
                batch.product.sku,
                batch.product.name,
                batch.location.name,
                batch.batch_number,
                batch.expiry_date.isoformat() if batch.expiry_date else "",
                _qty(batch.quantity),
                f"{batch.unit_cost:.4f}",
            ]
        )
    return safe_dataset(dataset)


def _qty(value: Decimal) -> str:
    return f"{value.normalize():f}" if value else "0"
