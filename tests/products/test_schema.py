"""GraphQL round trips for the catalogue and stock operations."""

from datetime import timedelta
from decimal import Decimal

import pytest
from graphql_relay import to_global_id

from products.models import Batch, Category, Location, Product, StockMovement, Supplier
from tests.products.factories import BatchProductFactory, CategoryFactory, ProductFactory, SupplierFactory
from tests.products.helpers import level, stock_snapshot

D = Decimal
RESULT = "success message errors { field code message }"
PRODUCT_FIELDS = """
    id sku barcode name retailPrice wholesalePrice costPrice taxRate reorderLevel trackBatches isActive
    attributes stockQuantity qrPayload qrCodeUrl barcodeUrl category { name } supplier { name }
    stockByLocation { location { name } quantity }
    batches { batchNumber expiryDate quantity isExpired location { name } }
"""

CREATE_PRODUCT = f"""
mutation($input: CreateProductInput!) {{
  createProduct(input: $input) {{ {RESULT} product {{ {PRODUCT_FIELDS} }} }}
}}"""
UPDATE_PRODUCT = f"""
mutation($input: UpdateProductInput!) {{
  updateProduct(input: $input) {{ {RESULT} product {{ {PRODUCT_FIELDS} }} }}
}}"""
ARCHIVE_PRODUCT = f"""
mutation($input: ArchiveProductInput!) {{ archiveProduct(input: $input) {{ {RESULT} product {{ isActive }} }} }}"""
CREATE_CATEGORY = f"""
mutation($input: CreateCategoryInput!) {{ createCategory(input: $input) {{ {RESULT} category {{ id name parent {{ name }} }} }} }}"""
CREATE_SUPPLIER = f"""
mutation($input: CreateSupplierInput!) {{ createSupplier(input: $input) {{ {RESULT} supplier {{ id name phone }} }} }}"""
CREATE_LOCATION = f"""
mutation($input: CreateLocationInput!) {{ createLocation(input: $input) {{ {RESULT} location {{ id name kind isDefault }} }} }}"""
RECEIVE_STOCK = f"""
mutation($input: ReceiveStockInput!) {{
  receiveStock(input: $input) {{
    {RESULT}
    movement {{ movementType quantity balanceAfter unitCost reason batch {{ batchNumber expiryDate }} user {{ username }} }}
    product {{ stockQuantity costPrice }}
  }}
}}"""
ADJUST_STOCK = f"""
mutation($input: AdjustStockInput!) {{
  adjustStock(input: $input) {{ {RESULT} movement {{ movementType quantity balanceAfter reason }} product {{ stockQuantity }} }}
}}"""
TRANSFER_STOCK = f"""
mutation($input: TransferStockInput!) {{
  transferStock(input: $input) {{
    {RESULT}
    movements {{ movementType quantity balanceAfter location {{ name }} }}
    product {{ stockByLocation {{ location {{ name }} quantity }} }}
  }}
}}"""
PRODUCTS = f"""
query($search: String, $lowStock: Boolean, $categoryId: ID, $orderBy: ProductOrdering, $isActive: Boolean) {{
  products(first: 50, search: $search, lowStock: $lowStock, categoryId: $categoryId, orderBy: $orderBy,
           isActive: $isActive) {{
    totalCount edges {{ node {{ {PRODUCT_FIELDS} }} }}
  }}
}}"""
PRODUCT_BY_CODE = f"query($code: String!) {{ productByCode(code: $code) {{ {PRODUCT_FIELDS} }} }}"
PRODUCT = "query($id: ID!, $loc: ID) { product(id: $id) { sku stockQuantity(locationId: $loc) } }"
MOVEMENTS = """
query($productId: ID, $type: MovementType) {
  stockMovements(first: 20, productId: $productId, movementType: $type) {
    totalCount edges { node { movementType quantity balanceAfter product { sku } } }
  }
}"""
LOW_STOCK = "{ lowStockProducts(first: 20) { totalCount edges { node { sku stockQuantity reorderLevel } } } }"
EXPIRING = """
query($days: Int) { expiringBatches(first: 20, withinDays: $days) {
  edges { node { batchNumber isExpired daysToExpiry product { sku } } } } }"""
LISTS = """{
  categories(first: 10) { totalCount edges { node { name } } }
  suppliers(first: 10) { totalCount edges { node { name } } }
  locations(first: 10) { totalCount edges { node { name isDefault kind } } }
}"""


def errors_of(payload):
    return [(e["field"], e["code"]) for e in payload["errors"]]


# --- createProduct ------------------------------------------------------------------------------


def test_create_product_happy_path(as_manager, shop):
    category, supplier = CategoryFactory(name="Drinks"), SupplierFactory(name="Acme")

    payload = as_manager(
        CREATE_PRODUCT,
        {
            "input": {
                "sku": "COLA-1",
                "name": "Cola 50cl",
                "barcode": "5449000000996",
                "retailPrice": "1.50",
                "wholesalePrice": "1.20",
                "taxRate": "0.075",
                "reorderLevel": 12,
                "categoryId": to_global_id("Category", category.pk),
                "supplierId": str(supplier.pk),
                "attributes": {"shelf": "A3", "colour": "red"},
            }
        },
    ).payload("createProduct")

    assert payload["success"] is True and payload["errors"] == []
    product = payload["product"]
    assert (product["sku"], product["retailPrice"], product["wholesalePrice"]) == ("COLA-1", "1.50", "1.20")
    assert (product["taxRate"], product["reorderLevel"], product["stockQuantity"]) == ("0.0750", "12", "0")
    assert product["category"] == {"name": "Drinks"} and product["supplier"] == {"name": "Acme"}
    assert product["attributes"] == {"shelf": "A3", "colour": "red"}
    assert product["qrPayload"] == "POS:PRODUCT:COLA-1"
    assert product["qrCodeUrl"].endswith(f"/products/{Product.objects.get().pk}/qr.png")


def test_create_product_duplicate_sku_and_barcode_change_nothing(as_manager):
    ProductFactory(sku="COLA-1", barcode="5449000000996")

    sku = as_manager(CREATE_PRODUCT, {"input": {"sku": "COLA-1", "name": "x", "retailPrice": "1.00"}})
    barcode = as_manager(
        CREATE_PRODUCT,
        {"input": {"sku": "C2", "name": "x", "retailPrice": "1.00", "barcode": "5449000000996"}},
    )

    assert errors_of(sku.payload("createProduct")) == [("sku", "DUPLICATE_SKU")]
    assert errors_of(barcode.payload("createProduct")) == [("barcode", "DUPLICATE_BARCODE")]
    assert Product.objects.count() == 1


def test_create_product_refuses_float_money(as_manager):
    response = as_manager(CREATE_PRODUCT, {"input": {"sku": "A", "name": "x", "retailPrice": 1.5}})

    assert response.errors and not Product.objects.exists()


def test_create_product_permissions(anon, as_cashier):
    variables = {"input": {"sku": "A", "name": "x", "retailPrice": "1.00"}}

    assert anon(CREATE_PRODUCT, variables).error_codes() == ["UNAUTHENTICATED"]
    assert as_cashier(CREATE_PRODUCT, variables).error_codes() == ["FORBIDDEN"]
    assert not Product.objects.exists()


# --- updateProduct / archiveProduct ------------------------------------------------------------


def test_update_product_happy_path_and_unknown_id(as_manager):
    product = ProductFactory(retail_price=D("2.00"))

    ok = as_manager(
        UPDATE_PRODUCT, {"input": {"productId": str(product.pk), "retailPrice": "2.50", "name": "Renamed"}}
    ).payload("updateProduct")
    missing = as_manager(UPDATE_PRODUCT, {"input": {"productId": "999999", "name": "x"}}).payload(
        "updateProduct"
    )

    assert ok["success"] and ok["product"]["retailPrice"] == "2.50" and ok["product"]["name"] == "Renamed"
    assert errors_of(missing) == [("productId", "NOT_FOUND")]


def test_update_product_duplicate_barcode_changes_nothing(as_manager):
    ProductFactory(barcode="111")
    product = ProductFactory(barcode="222")

    payload = as_manager(
        UPDATE_PRODUCT, {"input": {"productId": str(product.pk), "barcode": "111", "name": "Changed"}}
    ).payload("updateProduct")

    assert errors_of(payload) == [("barcode", "DUPLICATE_BARCODE")]
    product.refresh_from_db()
    assert (product.barcode, product.name) != ("111", "Changed")


def test_update_and_archive_product_permissions(anon, as_cashier):
    product = ProductFactory(name="Kept")
    update = {"input": {"productId": str(product.pk), "name": "x"}}
    archive = {"input": {"productId": str(product.pk)}}

    assert anon(UPDATE_PRODUCT, update).error_codes() == ["UNAUTHENTICATED"]
    assert as_cashier(UPDATE_PRODUCT, update).error_codes() == ["FORBIDDEN"]
    assert anon(ARCHIVE_PRODUCT, archive).error_codes() == ["UNAUTHENTICATED"]
    assert as_cashier(ARCHIVE_PRODUCT, archive).error_codes() == ["FORBIDDEN"]
    product.refresh_from_db()
    assert product.name == "Kept" and product.is_active


def test_archive_product_then_again_is_refused(as_manager):
    product = ProductFactory()
    variables = {"input": {"productId": to_global_id("Product", product.pk)}}

    first = as_manager(ARCHIVE_PRODUCT, variables).payload("archiveProduct")
    second = as_manager(ARCHIVE_PRODUCT, variables).payload("archiveProduct")

    assert first["success"] and first["product"] == {"isActive": False}
    assert errors_of(second) == [("productId", "PRODUCT_ARCHIVED")]


# --- categories, suppliers, locations ----------------------------------------------------------


def test_create_category_supplier_location_happy_paths(as_manager, shop):
    parent = as_manager(CREATE_CATEGORY, {"input": {"name": "Medicine"}}).payload("createCategory")
    child = as_manager(
        CREATE_CATEGORY, {"input": {"name": "Pain relief", "parentId": parent["category"]["id"]}}
    )
    supplier = as_manager(CREATE_SUPPLIER, {"input": {"name": "Pharma Ltd", "phone": "123"}}).payload(
        "createSupplier"
    )
    location = as_manager(CREATE_LOCATION, {"input": {"name": "Back room", "kind": "STOCK_ROOM"}}).payload(
        "createLocation"
    )

    assert child.payload("createCategory")["category"]["parent"] == {"name": "Medicine"}
    assert supplier["supplier"]["phone"] == "123"
    assert location["location"] == {**location["location"], "kind": "STOCK_ROOM", "isDefault": False}


def test_create_category_supplier_location_duplicates_change_nothing(as_manager, shop):
    CategoryFactory(name="Drinks")
    SupplierFactory(name="Acme")

    cat = as_manager(CREATE_CATEGORY, {"input": {"name": "drinks"}}).payload("createCategory")
    sup = as_manager(CREATE_SUPPLIER, {"input": {"name": "Acme"}}).payload("createSupplier")
    loc = as_manager(CREATE_LOCATION, {"input": {"name": shop.name}}).payload("createLocation")
    bad_parent = as_manager(CREATE_CATEGORY, {"input": {"name": "New", "parentId": "424242"}}).payload(
        "createCategory"
    )

    assert errors_of(cat) == [("name", "DUPLICATE_NAME")]
    assert errors_of(sup) == [("name", "DUPLICATE_NAME")]
    assert errors_of(loc) == [("name", "DUPLICATE_NAME")]
    assert errors_of(bad_parent) == [("parentId", "NOT_FOUND")]
    assert (Category.objects.count(), Supplier.objects.count(), Location.objects.count()) == (1, 1, 1)


@pytest.mark.parametrize(
    "query,variables,name",
    [
        (CREATE_CATEGORY, {"input": {"name": "x"}}, "createCategory"),
        (CREATE_SUPPLIER, {"input": {"name": "x"}}, "createSupplier"),
        (CREATE_LOCATION, {"input": {"name": "x"}}, "createLocation"),
    ],
)
def test_create_category_supplier_location_permissions(anon, as_cashier, shop, query, variables, name):
    assert anon(query, variables).error_codes() == ["UNAUTHENTICATED"]
    assert as_cashier(query, variables).error_codes() == ["FORBIDDEN"]
    assert (Category.objects.count(), Supplier.objects.count(), Location.objects.count()) == (0, 0, 1)


# --- receiveStock -------------------------------------------------------------------------------


def test_receive_stock_happy_path_at_default_location(as_manager, shop):
    product = ProductFactory()

    payload = as_manager(
        RECEIVE_STOCK,
        {"input": {"productId": str(product.pk), "quantity": 10, "unitCost": "4.50", "note": "INV 9"}},
    ).payload("receiveStock")

    assert payload["success"], payload
    assert payload["movement"] == {
        "movementType": "RECEIPT",
        "quantity": "10",
        "balanceAfter": "10",
        "unitCost": "4.50",
        "reason": "INV 9",
        "batch": None,
        "user": {"username": "manager"},
    }
    assert payload["product"] == {"stockQuantity": "10", "costPrice": "4.50"}
    assert level(product, shop) == D("10")


def test_receive_stock_batch_with_expiry_and_decimal_quantity(as_manager, shop, today):
    product = BatchProductFactory(unit="kg", quantity_decimals=3)
    expiry = (today + timedelta(days=90)).isoformat()

    payload = as_manager(
        RECEIVE_STOCK,
        {
            "input": {
                "productId": str(product.pk),
                "quantity": "2.5",
                "unitCost": "1.2345",
                "batchNumber": "LOT-7",
                "expiryDate": expiry,
            }
        },
    ).payload("receiveStock")

    assert payload["success"], payload
    assert payload["movement"]["batch"] == {"batchNumber": "LOT-7", "expiryDate": expiry}
    assert payload["product"]["stockQuantity"] == "2.5"
    assert Batch.objects.get().unit_cost == D("1.2345")


@pytest.mark.parametrize(
    "change,expected",
    [
        ({"quantity": 0}, ("quantity", "INVALID")),
        ({"quantity": "-3"}, ("quantity", "INVALID")),
        ({"productId": "999999"}, ("productId", "NOT_FOUND")),
        ({"locationId": "999999"}, ("locationId", "NOT_FOUND")),
        ({"batchNumber": "X"}, ("batchNumber", "INVALID")),
    ],
)
def test_receive_stock_bad_input_changes_nothing(as_manager, shop, stocked, change, expected):
    product = stocked("5")
    before = stock_snapshot()

    payload = as_manager(
        RECEIVE_STOCK, {"input": {"productId": str(product.pk), "quantity": 1, "unitCost": "1.00", **change}}
    ).payload("receiveStock")

    assert payload["success"] is False
    assert errors_of(payload) == [expected]
    assert payload["message"]
    assert stock_snapshot() == before


def test_receive_stock_expired_batch_and_archived_product_change_nothing(as_manager, shop, manager, today):
    from products import services

    medicine = BatchProductFactory()
    archived = ProductFactory()
    services.archive_product(user=manager, product=archived)
    before = stock_snapshot()

    expired = as_manager(
        RECEIVE_STOCK,
        {
            "input": {
                "productId": str(medicine.pk),
                "quantity": 1,
                "unitCost": "1.00",
                "batchNumber": "L1",
                "expiryDate": (today - timedelta(days=1)).isoformat(),
            }
        },
    ).payload("receiveStock")
    gone = as_manager(
        RECEIVE_STOCK, {"input": {"productId": str(archived.pk), "quantity": 1, "unitCost": "1.00"}}
    ).payload("receiveStock")

    assert errors_of(expired) == [("expiryDate", "BATCH_EXPIRED")]
    assert errors_of(gone) == [("productId", "PRODUCT_ARCHIVED")]
    assert stock_snapshot() == before


def test_receive_stock_permissions(anon, as_cashier, shop):
    product = ProductFactory()
    variables = {"input": {"productId": str(product.pk), "quantity": 1, "unitCost": "1.00"}}

    assert anon(RECEIVE_STOCK, variables).error_codes() == ["UNAUTHENTICATED"]
    assert as_cashier(RECEIVE_STOCK, variables).error_codes() == ["FORBIDDEN"]
    assert not StockMovement.objects.exists()


# --- adjustStock / transferStock ----------------------------------------------------------------


def test_adjust_stock_happy_path_and_insufficient(as_manager, shop, stocked):
    product = stocked("10")

    ok = as_manager(
        ADJUST_STOCK, {"input": {"productId": str(product.pk), "countedQuantity": 8, "reason": "Stock count"}}
    ).payload("adjustStock")
    before = stock_snapshot()
    short = as_manager(
        ADJUST_STOCK, {"input": {"productId": str(product.pk), "delta": "-9", "reason": "Broken"}}
    ).payload("adjustStock")

    assert ok["movement"] == {
        "movementType": "ADJUSTMENT",
        "quantity": "-2",
        "balanceAfter": "8",
        "reason": "Stock count",
    }
    assert ok["product"] == {"stockQuantity": "8"}
    assert errors_of(short) == [("delta", "INSUFFICIENT_STOCK")]
    assert "8 available" in short["message"]
    assert stock_snapshot() == before


def test_adjust_stock_permissions(anon, as_cashier, shop, stocked):
    product = stocked("10")
    variables = {"input": {"productId": str(product.pk), "delta": 1, "reason": "x"}}

    assert anon(ADJUST_STOCK, variables).error_codes() == ["UNAUTHENTICATED"]
    assert as_cashier(ADJUST_STOCK, variables).error_codes() == ["FORBIDDEN"]
    assert level(product, shop) == D("10")


def test_transfer_stock_happy_path_and_refusals(as_manager, shop, store_room, stocked):
    product = stocked("10")
    base = {"productId": str(product.pk), "fromLocationId": str(shop.pk), "toLocationId": str(store_room.pk)}

    ok = as_manager(TRANSFER_STOCK, {"input": {**base, "quantity": 3}}).payload("transferStock")
    before = stock_snapshot()
    short = as_manager(TRANSFER_STOCK, {"input": {**base, "quantity": 8}}).payload("transferStock")
    same = as_manager(TRANSFER_STOCK, {"input": {**base, "toLocationId": str(shop.pk), "quantity": 1}})

    assert [(m["movementType"], m["quantity"], m["balanceAfter"]) for m in ok["movements"]] == [
        ("TRANSFER_OUT", "-3", "7"),
        ("TRANSFER_IN", "3", "3"),
    ]
    assert {s["location"]["name"]: s["quantity"] for s in ok["product"]["stockByLocation"]} == {
        shop.name: "7",
        store_room.name: "3",
    }
    assert errors_of(short) == [("quantity", "INSUFFICIENT_STOCK")]
    assert errors_of(same.payload("transferStock")) == [("toLocationId", "SAME_LOCATION")]
    assert stock_snapshot() == before


def test_transfer_stock_permissions(anon, as_cashier, shop, store_room, stocked):
    product = stocked("10")
    variables = {
        "input": {
            "productId": str(product.pk),
            "fromLocationId": str(shop.pk),
            "toLocationId": str(store_room.pk),
            "quantity": 1,
        }
    }

    assert anon(TRANSFER_STOCK, variables).error_codes() == ["UNAUTHENTICATED"]
    assert as_cashier(TRANSFER_STOCK, variables).error_codes() == ["FORBIDDEN"]
    assert level(product, shop) == D("10")


# --- queries ------------------------------------------------------------------------------------


def test_products_search_filters_and_stock(as_cashier, shop, stocked, medicine):
    drinks = CategoryFactory(name="Drinks")
    cola = stocked("3", name="Cola", sku="COLA", barcode="5449000000996", category=drinks)
    stocked("50", name="Water", category=drinks)

    by_name = as_cashier(PRODUCTS, {"search": "col"}).payload("products")
    by_barcode = as_cashier(PRODUCTS, {"search": "5449000000996"}).payload("products")
    low = as_cashier(PRODUCTS, {"lowStock": True, "categoryId": str(drinks.pk)}).payload("products")
    by_stock = as_cashier(PRODUCTS, {"orderBy": "STOCK_DESC"}).payload("products")
    med = as_cashier(PRODUCTS, {"search": medicine.sku}).payload("products")["edges"][0]["node"]

    assert [e["node"]["sku"] for e in by_name["edges"]] == ["COLA"]
    assert [e["node"]["sku"] for e in by_barcode["edges"]] == ["COLA"]
    assert [e["node"]["name"] for e in low["edges"]] == ["Cola"]
    assert [e["node"]["stockQuantity"] for e in by_stock["edges"]] == ["50", "14", "3"]
    assert med["stockQuantity"] == "14"
    # FEFO order, expired OLD batch listed (flagged) since it still holds stock
    assert [(b["batchNumber"], b["isExpired"]) for b in med["batches"]] == [
        ("OLD", True),
        ("SOON", False),
        ("LATE", False),
    ]
    assert cola.pk


def test_products_archived_are_hidden_unless_asked(as_cashier, manager, shop):
    from products import services

    product = ProductFactory(sku="GONE")
    services.archive_product(user=manager, product=product)

    default = as_cashier(PRODUCTS).payload("products")
    archived = as_cashier(PRODUCTS, {"isActive": False}).payload("products")

    assert default["totalCount"] == 0
    assert [e["node"]["sku"] for e in archived["edges"]] == ["GONE"]


@pytest.mark.parametrize("how", ["barcode", "qr", "sku", "qr-lowercase-prefix"])
def test_product_by_code_finds_barcode_qr_payload_and_sku(as_cashier, how):
    product = ProductFactory(sku="PARA-500", barcode="4006381333931")
    code = {
        "barcode": "4006381333931",
        "qr": "POS:PRODUCT:PARA-500",
        "sku": "PARA-500",
        "qr-lowercase-prefix": "pos:product:PARA-500",
    }[how]

    found = as_cashier(PRODUCT_BY_CODE, {"code": f" {code} "}).payload("productByCode")

    assert found["sku"] == product.sku


def test_product_by_code_unknown_is_null_and_anonymous_is_refused(as_cashier, anon):
    ProductFactory(sku="PARA-500")

    assert as_cashier(PRODUCT_BY_CODE, {"code": "nope"}).payload("productByCode") is None
    assert anon(PRODUCT_BY_CODE, {"code": "PARA-500"}).error_codes() == ["UNAUTHENTICATED"]


def test_product_by_code_prefers_barcode_over_another_products_sku_in_legacy_data(as_cashier):
    # Data written before the one-name-space rule (codes=False: no ProductCode rows, as a bulk load).
    ProductFactory(sku="12345", codes=False)
    wanted = ProductFactory(sku="OTHER", barcode="12345", codes=False)

    found = as_cashier(PRODUCT_BY_CODE, {"code": "12345"}).payload("productByCode")

    assert found["sku"] == wanted.sku


def test_product_stock_quantity_per_location(as_cashier, shop, store_room, stocked):
    product = stocked("4")
    stocked_elsewhere = {"id": to_global_id("Product", product.pk), "loc": str(store_room.pk)}

    total = as_cashier(PRODUCT, {"id": str(product.pk)}).payload("product")
    there = as_cashier(PRODUCT, stocked_elsewhere).payload("product")

    assert total == {"sku": product.sku, "stockQuantity": "4"}
    assert there["stockQuantity"] == "0"


def test_stock_movements_filters(as_cashier, cashier, shop, stocked):
    from products import services

    a, b = stocked("5", sku="A"), stocked("5", sku="B")
    services.deduct_stock(
        user=cashier,
        location=shop,
        requests=[services.StockRequest(a.pk, D("2"))],
        reference_type="sale",
        reference_id=1,
    )

    everything = as_cashier(MOVEMENTS).payload("stockMovements")
    sales = as_cashier(MOVEMENTS, {"type": "SALE"}).payload("stockMovements")
    of_b = as_cashier(MOVEMENTS, {"productId": str(b.pk)}).payload("stockMovements")

    assert everything["totalCount"] == 3
    assert [
        (e["node"]["product"]["sku"], e["node"]["quantity"], e["node"]["balanceAfter"])
        for e in sales["edges"]
    ] == [("A", "-2", "3")]
    assert [e["node"]["movementType"] for e in of_b["edges"]] == ["RECEIPT"]


def test_low_stock_and_expiring_batches(as_cashier, shop, stocked, medicine):
    stocked("2", sku="LOW")  # reorder level 5
    stocked("20", sku="PLENTY")

    low = as_cashier(LOW_STOCK).payload("lowStockProducts")
    soon = as_cashier(EXPIRING, {"days": 30}).payload("expiringBatches")

    assert [e["node"]["sku"] for e in low["edges"]] == ["LOW"]
    assert [
        (e["node"]["batchNumber"], e["node"]["isExpired"], e["node"]["daysToExpiry"]) for e in soon["edges"]
    ] == [("OLD", True, -1), ("SOON", False, 10)]


def test_lists_of_categories_suppliers_locations(as_cashier, shop):
    CategoryFactory(name="Drinks")
    SupplierFactory(name="Acme")

    data = as_cashier(LISTS)

    assert not data.errors
    assert data.data["categories"]["edges"] == [{"node": {"name": "Drinks"}}]
    assert data.data["suppliers"]["totalCount"] == 1
    assert data.data["locations"]["edges"] == [
        {"node": {"name": shop.name, "isDefault": True, "kind": "SHOP"}}
    ]
