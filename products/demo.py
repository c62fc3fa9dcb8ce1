"""Demo catalogue and stock for `manage.py seed_demo`: opening stock, then the history's deliveries.

Idempotent: the catalogue is created only when there are no products yet.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F

from products import selectors, services
from products.models import Location, Product, StockLevel
from shared.backdating import backdated, shop_time

D = Decimal

CATEGORIES = ["Groceries", "Drinks", "Household", "Medicine"]
SUPPLIERS = [
    ("Lagos Wholesale Ltd", "Ada Obi", "+234 800 000 0001"),
    ("HealthPlus Pharma", "Tunde Bello", "+234 800 000 0002"),
]
# sku, name, barcode, category, supplier, unit, retail, wholesale, cost, tax, reorder, batches?, shop qty, room qty
PRODUCTS = [
    (
        "GRC-001",
        "Rice 1kg",
        "6151100000017",
        "Groceries",
        0,
        "pcs",
        "10.00",
        "9.00",
        "6.50",
        "0",
        "20",
        False,
        200,
        100,
    ),
    (
        "GRC-002",
        "Beans 1kg",
        "6151100000024",
        "Groceries",
        0,
        "pcs",
        "12.00",
        "10.50",
        "8.00",
        "0",
        "10",
        False,
        60,
        40,
    ),
    (
        "GRC-003",
        "Sugar (loose)",
        None,
        "Groceries",
        0,
        "kg",
        "3.20",
        "2.90",
        "2.10",
        "0",
        "25",
        False,
        D("48.5"),
        100,
    ),
    (
        "GRC-004",
        "Vegetable oil 1l",
        "6151100000048",
        "Groceries",
        0,
        "pcs",
        "7.50",
        "6.80",
        "5.20",
        "0",
        "12",
        False,
        8,
        30,
    ),
    (
        "DRK-001",
        "Cola 50cl",
        "5449000000996",
        "Drinks",
        0,
        "pcs",
        "1.50",
        "1.20",
        "0.90",
        "0.075",
        "48",
        False,
        120,
        240,
    ),
    (
        "DRK-002",
        "Bottled water 75cl",
        "6151100000062",
        "Drinks",
        0,
        "pcs",
        "0.80",
        "0.60",
        "0.35",
        "0.075",
        "48",
        False,
        30,
        300,
    ),
    (
        "DRK-003",
        "Orange juice 1l",
        "6151100000079",
        "Drinks",
        0,
        "pcs",
        "4.00",
        "3.50",
        "2.60",
        "0.075",
        "10",
        False,
        15,
        0,
    ),
    (
        "HSE-001",
        "Laundry soap bar",
        "6151100000086",
        "Household",
        0,
        "pcs",
        "1.20",
        "1.00",
        "0.70",
        "0.075",
        "24",
        False,
        80,
        120,
    ),
    (
        "HSE-002",
        "Toilet roll (4 pack)",
        "6151100000093",
        "Household",
        0,
        "pcs",
        "3.50",
        "3.00",
        "2.20",
        "0.075",
        "10",
        False,
        25,
        50,
    ),
    (
        "HSE-003",
        "Dish washing liquid",
        "6151100000109",
        "Household",
        0,
        "pcs",
        "2.80",
        "2.40",
        "1.75",
        "0.075",
        "10",
        False,
        4,
        20,
    ),
    (
        "MED-001",
        "Paracetamol 500mg (16)",
        "6151100000116",
        "Medicine",
        1,
        "pack",
        "2.00",
        "1.70",
        "1.10",
        "0",
        "20",
        True,
        0,
        0,
    ),
    (
        "MED-002",
        "Amoxicillin 250mg (21)",
        "6151100000123",
        "Medicine",
        1,
        "pack",
        "6.50",
        "5.80",
        "4.20",
        "0",
        "10",
        True,
        0,
        0,
    ),
    (
        "MED-003",
        "Oral rehydration salts",
        "6151100000130",
        "Medicine",
        1,
        "sachet",
        "0.90",
        "0.75",
        "0.45",
        "0",
        "30",
        True,
        0,
        0,
    ),
    (
        "MED-004",
        "Vitamin C 1000mg (20)",
        "6151100000147",
        "Medicine",
        1,
        "tube",
        "5.00",
        "4.40",
        "3.00",
        "0",
        "10",
        True,
        0,
        0,
    ),
    (
        "MED-005",
        "Antiseptic cream 30g",
        "6151100000154",
        "Medicine",
        1,
        "tube",
        "3.40",
        "3.00",
        "2.00",
        "0",
        "10",
        True,
        0,
        0,
    ),
]
# sku, batch number, days to expiry (from today), location ("shop"/"room"), quantity, unit cost.
# Sales draw from the shop, so the store room's short-dated batches are still there to expire.
BATCHES = [
    ("MED-001", "PCM-2301", 20, "room", 40, "1.05"),  # expires within 30 days
    ("MED-001", "PCM-2309", 400, "shop", 60, "1.15"),
    ("MED-001", "PCM-2309", 400, "room", 100, "1.15"),
    ("MED-002", "AMX-118", 180, "shop", 30, "4.20"),
    ("MED-003", "ORS-55", 25, "room", 50, "0.45"),  # expires within 30 days
    ("MED-003", "ORS-61", 300, "room", 200, "0.44"),
    ("MED-004", "VTC-7", 240, "shop", 24, "3.00"),
    ("MED-005", "ASC-12", 365, "shop", 18, "2.00"),
]
RESTOCKS_STOP_DAYS_AGO = 10  # the last days run on what is left, so some shelves end low
SHELF_LIFE_DAYS = 720


def seed(stdout) -> None:
    """Create the demo catalogue with opening stock in two locations (all stock via receive_stock)."""
    if Product.objects.exists():
        stdout.write("  products: already present, skipped")
        return
    shop = selectors.get_default_location()
    if shop is None:
        shop = services.create_location(name="Main shop", kind=Location.Kind.SHOP, is_default=True)
    room = Location.objects.filter(name="Store room").first() or services.create_location(
        name="Store room", kind=Location.Kind.STOCK_ROOM
    )
    categories = {name: services.create_category(name=name) for name in CATEGORIES}
    suppliers = [
        services.create_supplier(name=name, contact_name=contact, phone=phone)
        for name, contact, phone in SUPPLIERS
    ]
    products = {}
    for (
        sku,
        name,
        barcode,
        category,
        supplier,
        unit,
        retail,
        wholesale,
        _cost,
        tax,
        reorder,
        batches,
        *_,
    ) in PRODUCTS:
        products[sku] = services.create_product(
            user=None,
            sku=sku,
            name=name,
            barcode=barcode,
            category=categories[category],
            supplier=suppliers[supplier],
            unit=unit,
            retail_price=D(retail),
            wholesale_price=D(wholesale),
            tax_rate=D(tax),
            reorder_level=D(reorder),
            track_batches=batches,
        )
    receipts = 0
    for sku, *_rest, cost, _tax, _reorder, _batches, shop_qty, room_qty in PRODUCTS:
        for location, qty in ((shop, shop_qty), (room, room_qty)):
            if qty:
                _receive(products[sku], location, D(qty), D(cost), note="Demo opening stock")
                receipts += 1
    today = selectors.today()
    for sku, number, days, where, qty, cost in BATCHES:
        location = shop if where == "shop" else room
        _receive(
            products[sku],
            location,
            D(qty),
            D(cost),
            number,
            today + timedelta(days=days),
            "Demo opening stock",
        )
        receipts += 1
    stdout.write(
        f"  products: {len(products)} products in {len(categories)} categories, {len(suppliers)} suppliers, "
        f"{receipts} receipts at {shop.name} and {room.name}"
    )


def replay_day(*, day: date, rng: random.Random) -> dict[str, int]:
    """Deliveries at 07:00 for every shelf below its reorder level (not in the last days)."""
    today = selectors.today()
    if (today - day).days <= RESTOCKS_STOP_DAYS_AGO:
        return {}
    low = list(
        StockLevel.objects.filter(
            location=selectors.get_default_location(), quantity__lt=F("product__reorder_level")
        )
        .select_related("product")
        .order_by("product_id")
    )
    received = 0
    for minute, level in enumerate(low):
        product = level.product
        quantity = product.reorder_level * rng.choice([3, 4, 5])
        batch_number = expiry = None
        if product.track_batches:
            batch_number = f"{product.sku}-{day:%y%m%d}"
            # Long enough to outlive the history: receipts refuse a batch that has already expired.
            expiry = max(
                day + timedelta(days=SHELF_LIFE_DAYS), today + timedelta(days=60 + 30 * rng.randint(0, 6))
            )
        with backdated(shop_time(day, 7, minute)):
            _receive(product, None, quantity, _cost(product.sku), batch_number, expiry, "Delivery")
        received += 1
    return {"deliveries": received}


def _cost(sku: str) -> Decimal:
    return next(D(row[8]) for row in PRODUCTS if row[0] == sku)


def _receive(product, location, quantity, unit_cost, batch_number=None, expiry_date=None, note="") -> None:
    services.receive_stock(
        user=None,
        product=product,
        location=location,
        quantity=quantity,
        unit_cost=unit_cost,
        batch_number=batch_number,
        expiry_date=expiry_date,
        note=note,
    )
