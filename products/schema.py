"""GraphQL for the catalogue and stock: thin adapters over products.selectors and products.services."""

from __future__ import annotations

from decimal import Decimal

import graphene
from django.urls import reverse
from graphene import relay
from graphene.types.generic import GenericScalar
from graphene_django import DjangoConnectionField, DjangoObjectType

from products import selectors, services
from products.models import Batch, Category, Location, Product, StockLevel, StockMovement, Supplier
from shared.errors import DomainError, ErrorCode
from shared.graphql import (
    BaseMutation,
    CountableConnection,
    CountableConnectionField,
    Money,
    Quantity,
    Rate,
    enum_value,
    resolve_id,
    resolve_optional_id,
    selected_fields,
)
from shared.permissions import login_required
from shared.roles import Role, has_role

MovementTypeEnum = graphene.Enum.from_enum(
    StockMovement.Type, name="MovementType", description="Why a stock quantity changed."
)
LocationKindEnum = graphene.Enum.from_enum(
    Location.Kind, name="LocationKind", description="What kind of place a location is."
)


class ProductOrdering(graphene.Enum):
    """Sort order of a product list."""

    NAME = "name"
    NAME_DESC = "-name"
    SKU = "sku"
    SKU_DESC = "-sku"
    RETAIL_PRICE = "retail_price"
    RETAIL_PRICE_DESC = "-retail_price"
    STOCK = "stock"
    STOCK_DESC = "-stock"
    CREATED = "created"
    CREATED_DESC = "-created"


# --- types --------------------------------------------------------------------------------------

MANAGERS_ONLY = " Managers only: null for cashiers."


def _for_managers(value, info):
    """Costs and margins are for managers: a cashier gets null (the same rule on every type)."""
    return value if has_role(info.context.user, Role.MANAGER) else None


class CategoryType(DjangoObjectType):
    name = graphene.String(required=True, description="Category name (unique).")
    description = graphene.String(required=True, description="Free text.")
    parent = graphene.Field(lambda: CategoryType, description="The parent category, if any.")

    class Meta:
        model = Category
        name = "Category"
        description = "A group of products; categories can be nested one under another."
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = ("id", "name", "description", "parent")


class SupplierType(DjangoObjectType):
    name = graphene.String(required=True, description="Supplier name (unique).")
    contact_name = graphene.String(required=True, description="Person to talk to.")
    phone = graphene.String(required=True, description="Phone number.")
    email = graphene.String(required=True, description="E-mail address.")
    address = graphene.String(required=True, description="Postal address.")
    is_active = graphene.Boolean(required=True, description="False when the shop no longer buys from them.")

    class Meta:
        model = Supplier
        name = "Supplier"
        description = "Who the shop buys goods from."
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = ("id", "name", "contact_name", "phone", "email", "address", "is_active")


class LocationType(DjangoObjectType):
    name = graphene.String(required=True, description="Location name (unique).")
    kind = graphene.Field(LocationKindEnum, required=True, description="Shop, stock room or warehouse.")
    address = graphene.String(required=True, description="Where it is.")
    is_default = graphene.Boolean(
        required=True, description="True for the location sales draw from by default."
    )
    is_active = graphene.Boolean(required=True, description="False when no longer used.")

    class Meta:
        model = Location
        name = "Location"
        description = "A place that holds stock: a shop, a stock room or a warehouse."
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = ("id", "name", "kind", "address", "is_default", "is_active")


class StockLevelType(DjangoObjectType):
    location = graphene.Field(LocationType, required=True, description="Where the stock is.")
    quantity = Quantity(required=True, description="Quantity on hand at this location.")

    class Meta:
        model = StockLevel
        name = "StockLevel"
        description = "How much of a product one location holds."
        fields = ("location", "quantity")


class BatchType(DjangoObjectType):
    batch_number = graphene.String(required=True, description="The supplier's lot or batch number.")
    expiry_date = graphene.Date(description="Last day the goods may be sold; null if they do not expire.")
    unit_cost = Money(description="Cost per unit of this batch (rounded to the cent)." + MANAGERS_ONLY)
    quantity = Quantity(required=True, description="Quantity left in this batch at its location.")
    location = graphene.Field(LocationType, required=True, description="Where this batch is.")
    product = graphene.Field(lambda: ProductType, required=True, description="The product.")
    is_expired = graphene.Boolean(required=True, description="True once the expiry date has passed.")
    days_to_expiry = graphene.Int(description="Days until expiry (negative when expired); null if none.")

    class Meta:
        model = Batch
        name = "Batch"
        description = "A lot of a batch-tracked product at one location, with its expiry date and cost."
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "batch_number",
            "expiry_date",
            "unit_cost",
            "quantity",
            "location",
            "product",
            "received_at",
        )

    @staticmethod
    def resolve_unit_cost(batch, info):
        return _for_managers(batch.unit_cost, info)

    @staticmethod
    def resolve_is_expired(batch, info):
        return batch.expiry_date is not None and batch.expiry_date < selectors.today()

    @staticmethod
    def resolve_days_to_expiry(batch, info):
        return None if batch.expiry_date is None else (batch.expiry_date - selectors.today()).days


def _is_prefetched(product: Product, relation: str) -> bool:
    return relation in getattr(product, "_prefetched_objects_cache", {})


def _stock_levels(product: Product):
    """Lists prefetch stock levels for every row; a single product reads them only when asked."""
    if _is_prefetched(product, "stock_levels"):
        return product.stock_levels.all()
    return list(selectors.stock_levels_query().filter(product=product))


class ProductType(DjangoObjectType):
    sku = graphene.String(required=True, description="Stock-keeping unit: the shop's own unique code.")
    barcode = graphene.String(description="EAN/UPC or other barcode printed on the goods (unique).")
    name = graphene.String(required=True, description="Product name.")
    description = graphene.String(required=True, description="Free text.")
    category = graphene.Field(CategoryType, description="The product's category.")
    supplier = graphene.Field(SupplierType, description="The usual supplier.")
    unit = graphene.String(required=True, description="Unit of measure, e.g. pcs, kg, l.")
    retail_price = Money(required=True, description="Price per unit for retail sales.")
    wholesale_price = Money(required=True, description="Price per unit for wholesale sales.")
    cost_price = Money(description="Moving weighted average cost per unit (to the cent)." + MANAGERS_ONLY)
    tax_rate = Rate(required=True, description='Tax rate as a fraction, e.g. "0.0750".')
    reorder_level = Quantity(required=True, description="At or below this total stock the product is low.")
    quantity_decimals = graphene.Int(
        required=True,
        description="Decimal places a quantity may have: 0 when sold by the piece, up to 3 for weighed goods.",
    )
    track_batches = graphene.Boolean(
        required=True,
        description="True for goods with lot numbers and expiry (every receipt needs a batch number and expiry date).",
    )
    is_active = graphene.Boolean(required=True, description="False once archived.")
    attributes = GenericScalar(required=True, description="Free custom attributes (JSON object).")
    stock_quantity = Quantity(
        required=True,
        location_id=graphene.ID(description="Only this location (default: all locations)."),
        description="Quantity on hand, in total or at one location.",
    )
    stock_by_location = graphene.List(
        graphene.NonNull(StockLevelType), required=True, description="Quantity on hand per location."
    )
    batches = graphene.List(
        graphene.NonNull(BatchType),
        required=True,
        description="Batches with stock left, first expiry first (empty for products without batches).",
    )
    qr_payload = graphene.String(required=True, description="Text encoded in the QR code: POS:PRODUCT:<sku>.")
    qr_code_url = graphene.String(required=True, description="URL of the QR code PNG (staff only).")
    barcode_url = graphene.String(required=True, description="URL of the barcode PNG (staff only).")

    class Meta:
        model = Product
        name = "Product"
        description = "Something the shop sells."
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
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
            "created_at",
            "updated_at",
        )

    @staticmethod
    def resolve_cost_price(product, info):
        return _for_managers(product.cost_price, info)

    @staticmethod
    def resolve_stock_quantity(product, info, location_id=None):
        if location_id is None and not _is_prefetched(product, "stock_levels"):
            on_hand = getattr(product, "stock_on_hand", None)
            if on_hand is not None:
                return on_hand
        levels = _stock_levels(product)
        if location_id is not None:
            wanted = _optional_pk(location_id, "Location", "locationId")
            levels = [lv for lv in levels if lv.location_id == wanted]
        return sum((lv.quantity for lv in levels), Decimal("0"))

    @staticmethod
    def resolve_stock_by_location(product, info):
        return _stock_levels(product)

    @staticmethod
    def resolve_batches(product, info):
        if _is_prefetched(product, "batches"):
            return [b for b in product.batches.all() if b.quantity > 0]
        return list(selectors.live_batches_query().filter(product=product))

    @staticmethod
    def resolve_qr_payload(product, info):
        return product.qr_payload

    @staticmethod
    def resolve_qr_code_url(product, info):
        return info.context.build_absolute_uri(reverse("products:qr-code", args=[product.pk]))

    @staticmethod
    def resolve_barcode_url(product, info):
        return info.context.build_absolute_uri(reverse("products:barcode", args=[product.pk]))


class StockMovementType(DjangoObjectType):
    product = graphene.Field(ProductType, required=True, description="The product.")
    location = graphene.Field(LocationType, required=True, description="Where the stock changed.")
    batch = graphene.Field(BatchType, description="The batch, for batch-tracked products.")
    movement_type = graphene.Field(MovementTypeEnum, required=True, description="Why the stock changed.")
    quantity = Quantity(required=True, description="Signed change: negative when stock went out.")
    affects_stock = graphene.Boolean(
        required=True, description="False for write-offs of returned goods that never re-entered stock."
    )
    balance_after = Quantity(required=True, description="Stock of the product at the location afterwards.")
    unit_cost = Money(description="Cost per unit of what moved (to the cent)." + MANAGERS_ONLY)
    user = graphene.Field("accounts.schema.UserType", description="Who made the change.")
    reason = graphene.String(required=True, description="Why (required for adjustments and write-offs).")
    reference_type = graphene.String(required=True, description="Kind of source document: sale, return, ...")
    reference_id = graphene.ID(description="Database id of the source document.")
    reference = graphene.String(required=True, description="Readable label of the source document.")

    class Meta:
        model = StockMovement
        name = "StockMovement"
        description = "One row of the append-only stock ledger."
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "product",
            "location",
            "batch",
            "movement_type",
            "quantity",
            "affects_stock",
            "balance_after",
            "unit_cost",
            "user",
            "reason",
            "reference_type",
            "reference_id",
            "reference",
            "created_at",
        )

    @staticmethod
    def resolve_unit_cost(movement, info):
        return _for_managers(movement.unit_cost, info)


# --- lookups used by mutations -------------------------------------------------------------------


def _product(value, field: str = "productId") -> Product:
    product = Product.objects.filter(pk=resolve_id(value, "Product", field=field)).first()
    if product is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Product not found.", field=field)
    return product


def _location(value, field: str = "locationId") -> Location:
    location_id = resolve_optional_id(value, "Location", field=field)
    if location_id is None:
        return selectors.get_default_location()
    location = selectors.get_location(location_id=location_id)
    if location is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Location not found.", field=field)
    return location


def _optional(value, type_name: str, getter, field: str):
    pk = resolve_optional_id(value, type_name, field=field)
    if pk is None:
        return None
    found = getter(pk)
    if found is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"{type_name} not found.", field=field)
    return found


def _category(value, field="categoryId"):
    return _optional(value, "Category", lambda pk: selectors.get_category(category_id=pk), field)


def _supplier(value, field="supplierId"):
    return _optional(value, "Supplier", lambda pk: selectors.get_supplier(supplier_id=pk), field)


def _batch(value, field="batchId"):
    return _optional(value, "Batch", lambda pk: selectors.get_batch(batch_id=pk), field)


def _reload(product: Product) -> Product:
    return selectors.get_product(product_id=product.pk)


# --- mutations ----------------------------------------------------------------------------------


class ProductFields:
    barcode = graphene.String(description="Barcode printed on the goods (unique); empty to clear.")
    description = graphene.String(description="Free text.")
    category_id = graphene.ID(description="Category id.")
    supplier_id = graphene.ID(description="Supplier id.")
    unit = graphene.String(description="Unit of measure, e.g. pcs, kg.")
    wholesale_price = Money(description="Wholesale price per unit.")
    tax_rate = Rate(description='Tax rate as a fraction, e.g. "0.075".')
    reorder_level = Quantity(description="Low-stock threshold.")
    quantity_decimals = graphene.Int(
        description=(
            "Decimal places a quantity may have: 0 = sold by the piece, up to 3 for weighed goods "
            "(createProduct default: 3 for units such as kg, l, m; else 0)."
        )
    )
    track_batches = graphene.Boolean(description="Track lot numbers and expiry dates.")
    attributes = GenericScalar(description="Free custom attributes (JSON object).")


def _product_values(data) -> dict:
    values = {}
    for name in (
        "description",
        "unit",
        "wholesale_price",
        "tax_rate",
        "reorder_level",
        "quantity_decimals",
        "track_batches",
    ):
        if data.get(name) is not None:
            values[name] = data[name]
    if data.get("attributes") is not None:
        values["attributes"] = data["attributes"]
    if "barcode" in data and data["barcode"] is not None:
        values["barcode"] = data["barcode"]
    if data.get("category_id") is not None:
        values["category"] = _category(data["category_id"])
    if data.get("supplier_id") is not None:
        values["supplier"] = _supplier(data["supplier_id"])
    return values


PRODUCT_MAX_LENGTHS = {f: f"products.Product.{f}" for f in ("sku", "barcode", "name", "unit")}


class CreateProductInput(ProductFields, graphene.InputObjectType):
    sku = graphene.String(required=True, description="Unique stock-keeping unit.")
    name = graphene.String(required=True, description="Product name.")
    retail_price = Money(required=True, description="Retail price per unit.")
    cost_price = Money(description="Initial cost per unit (later kept as a moving average by receipts).")


class CreateProduct(BaseMutation):
    """Add a product to the catalogue (managers)."""

    product = graphene.Field(ProductType, description="The new product.")
    required_role = Role.MANAGER
    max_lengths = PRODUCT_MAX_LENGTHS

    class Arguments:
        input = CreateProductInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        values = _product_values(input)
        if input.get("cost_price") is not None:
            values["cost_price"] = input["cost_price"]
        product = services.create_product(
            user=info.context.user,
            sku=input["sku"],
            name=input["name"],
            retail_price=input["retail_price"],
            **values,
        )
        return {"product": _reload(product), "message": f"{product.name} created."}


class UpdateProductInput(ProductFields, graphene.InputObjectType):
    product_id = graphene.ID(required=True, description="The product to change.")
    sku = graphene.String(description="New SKU.")
    name = graphene.String(description="New name.")
    retail_price = Money(description="New retail price.")
    is_active = graphene.Boolean(description="True to bring an archived product back.")


class UpdateProduct(BaseMutation):
    """Change a product's catalogue fields (managers). Omitted fields stay as they are."""

    product = graphene.Field(ProductType, description="The updated product.")
    required_role = Role.MANAGER
    max_lengths = PRODUCT_MAX_LENGTHS

    class Arguments:
        input = UpdateProductInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        product = _product(input["product_id"])
        values = _product_values(input)
        for name in ("sku", "name", "retail_price", "is_active"):
            if input.get(name) is not None:
                values[name] = input[name]
        product = services.update_product(user=info.context.user, product=product, **values)
        return {"product": _reload(product), "message": f"{product.name} updated."}


class ArchiveProductInput(graphene.InputObjectType):
    product_id = graphene.ID(required=True, description="The product to archive.")


class ArchiveProduct(BaseMutation):
    """Archive a product (managers): it can no longer be sold or received; history stays."""

    product = graphene.Field(ProductType, description="The archived product.")
    required_role = Role.MANAGER

    class Arguments:
        input = ArchiveProductInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        product = services.archive_product(user=info.context.user, product=_product(input["product_id"]))
        return {"product": _reload(product), "message": f"{product.name} archived."}


class CreateCategoryInput(graphene.InputObjectType):
    name = graphene.String(required=True, description="Category name (unique).")
    parent_id = graphene.ID(description="Parent category id.")
    description = graphene.String(description="Free text.")


class CreateCategory(BaseMutation):
    """Add a product category (managers)."""

    category = graphene.Field(CategoryType, description="The new category.")
    required_role = Role.MANAGER
    max_lengths = {"name": "products.Category.name"}

    class Arguments:
        input = CreateCategoryInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        category = services.create_category(
            name=input["name"],
            parent=_category(input.get("parent_id"), field="parentId"),
            description=input.get("description") or "",
        )
        return {"category": category}


class CreateSupplierInput(graphene.InputObjectType):
    name = graphene.String(required=True, description="Supplier name (unique).")
    contact_name = graphene.String(description="Person to talk to.")
    phone = graphene.String(description="Phone number.")
    email = graphene.String(description="E-mail address.")
    address = graphene.String(description="Postal address.")


class CreateSupplier(BaseMutation):
    """Add a supplier (managers)."""

    supplier = graphene.Field(SupplierType, description="The new supplier.")
    required_role = Role.MANAGER
    max_lengths = {f: f"products.Supplier.{f}" for f in ("name", "phone", "email")} | {
        "contactName": "products.Supplier.contact_name"
    }

    class Arguments:
        input = CreateSupplierInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        supplier = services.create_supplier(
            name=input["name"],
            contact_name=input.get("contact_name") or "",
            phone=input.get("phone") or "",
            email=input.get("email") or "",
            address=input.get("address") or "",
        )
        return {"supplier": supplier}


class CreateLocationInput(graphene.InputObjectType):
    name = graphene.String(required=True, description="Location name (unique).")
    kind = LocationKindEnum(description="Shop (default), stock room or warehouse.")
    address = graphene.String(description="Where it is.")
    is_default = graphene.Boolean(description="Make this the default location.")


class CreateLocation(BaseMutation):
    """Add a location that holds stock (managers)."""

    location = graphene.Field(LocationType, description="The new location.")
    required_role = Role.MANAGER
    max_lengths = {"name": "products.Location.name"}

    class Arguments:
        input = CreateLocationInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        location = services.create_location(
            name=input["name"],
            kind=enum_value(input.get("kind")) or Location.Kind.SHOP,
            address=input.get("address") or "",
            is_default=bool(input.get("is_default")),
        )
        return {"location": location}


class ReceiveStockInput(graphene.InputObjectType):
    product_id = graphene.ID(required=True, description="The product received.")
    quantity = Quantity(required=True, description="Quantity received (> 0).")
    unit_cost = Money(required=True, description='Cost per unit, up to four decimal places ("4.25").')
    location_id = graphene.ID(description="Where the goods go (default location when omitted).")
    batch_number = graphene.String(description="Lot number (required for batch-tracked products).")
    expiry_date = graphene.Date(description="Expiry date of the batch (required for batch-tracked products).")
    note = graphene.String(description="Delivery note, invoice number, ...")


class ReceiveStock(BaseMutation):
    """Receive goods into stock (managers); updates the moving average cost."""

    movement = graphene.Field(StockMovementType, description="The receipt's ledger row.")
    product = graphene.Field(ProductType, description="The product with its new stock.")
    required_role = Role.MANAGER
    max_lengths = {"batchNumber": "products.Batch.batch_number", "note": "products.StockMovement.reason"}

    class Arguments:
        input = ReceiveStockInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        movement = services.receive_stock(
            user=info.context.user,
            product=_product(input["product_id"]),
            location=_location(input.get("location_id")),
            quantity=input["quantity"],
            unit_cost=input["unit_cost"],
            batch_number=input.get("batch_number"),
            expiry_date=input.get("expiry_date"),
            note=input.get("note") or "",
        )
        return {"movement": movement, "product": _reload(movement.product)}


class AdjustStockInput(graphene.InputObjectType):
    product_id = graphene.ID(required=True, description="The product counted.")
    location_id = graphene.ID(description="Where (default location when omitted).")
    counted_quantity = Quantity(description="Set stock to this counted quantity...")
    delta = Quantity(description='...or change it by this amount ("-2" removes two).')
    batch_id = graphene.ID(description="The batch (required for batch-tracked products).")
    reason = graphene.String(required=True, description="Why (stock count, damage, theft, ...).")


class AdjustStock(BaseMutation):
    """Correct stock to a counted quantity or by a delta (managers, reason required)."""

    movement = graphene.Field(StockMovementType, description="The adjustment's ledger row.")
    product = graphene.Field(ProductType, description="The product with its new stock.")
    required_role = Role.MANAGER
    max_lengths = {"reason": "products.StockMovement.reason"}

    class Arguments:
        input = AdjustStockInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        movement = services.adjust_stock(
            user=info.context.user,
            product=_product(input["product_id"]),
            location=_location(input.get("location_id")),
            reason=input["reason"],
            counted_quantity=input.get("counted_quantity"),
            delta=input.get("delta"),
            batch=_batch(input.get("batch_id")),
        )
        return {"movement": movement, "product": _reload(movement.product)}


class TransferStockInput(graphene.InputObjectType):
    product_id = graphene.ID(required=True, description="The product moved.")
    from_location_id = graphene.ID(required=True, description="Where the goods leave.")
    to_location_id = graphene.ID(required=True, description="Where the goods arrive.")
    quantity = Quantity(required=True, description="Quantity moved (> 0).")
    batch_id = graphene.ID(description="Move this batch (default: first expiry first).")
    note = graphene.String(description="Free text.")


class TransferStock(BaseMutation):
    """Move stock from one location to another (managers)."""

    movements = graphene.List(
        graphene.NonNull(StockMovementType), description="The transfer-out and transfer-in ledger rows."
    )
    product = graphene.Field(ProductType, description="The product with its new stock.")
    required_role = Role.MANAGER
    max_lengths = {"note": "products.StockMovement.reason"}

    class Arguments:
        input = TransferStockInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        product = _product(input["product_id"])
        result = services.transfer_stock(
            user=info.context.user,
            product=product,
            from_location=_location(input["from_location_id"], "fromLocationId"),
            to_location=_location(input["to_location_id"], "toLocationId"),
            quantity=input["quantity"],
            batch=_batch(input.get("batch_id")),
            note=input.get("note") or "",
        )
        return {"movements": result.out_movements + result.in_movements, "product": _reload(product)}


# --- root ---------------------------------------------------------------------------------------


def _optional_pk(value, type_name: str, field: str) -> int | None:
    try:
        return resolve_optional_id(value, type_name, field=field)
    except DomainError:
        return -1  # an id of another type matches nothing


def _joins_asked(info, *path: str) -> tuple[str, ...]:
    """Which related rows the products' query should join (see selectors._product_shape)."""
    fields = selected_fields(info, *path)
    joins = (("category", "category__parent"), ("supplier", "supplier"))
    return tuple(join for field, join in joins if field in fields)


def _relations_asked(info) -> set[str]:
    """Which per-product relations a page of products needs loaded (see selectors._product_shape)."""
    fields = selected_fields(info, "edges", "node")
    relations = set()
    if "batches" in fields:
        relations.add("batches")
    if "stockByLocation" in fields or any(node.arguments for node in fields.get("stockQuantity", [])):
        relations.add("stock_levels")
    return relations


class Query(graphene.ObjectType):
    products = CountableConnectionField(
        ProductType,
        search=graphene.String(description="Part of the name, or an exact SKU or barcode."),
        category_id=graphene.ID(description="Only this category (and its direct children)."),
        supplier_id=graphene.ID(description="Only this supplier."),
        location_id=graphene.ID(description="Only products stocked at this location."),
        low_stock=graphene.Boolean(description="True: at or below the reorder level; false: above it."),
        is_active=graphene.Boolean(
            default_value=True, description="Active (default) or archived; null: all."
        ),
        order_by=ProductOrdering(description="Sort order (default NAME)."),
        description="Products, with search, filters and ordering.",
    )
    product = graphene.Field(
        ProductType, id=graphene.ID(required=True, description="Product id."), description="One product."
    )
    product_by_code = graphene.Field(
        ProductType,
        code=graphene.String(required=True, description="A scanned barcode, QR payload or SKU."),
        description="The product a scanned code names; null when nothing matches.",
    )
    categories = DjangoConnectionField(
        CategoryType,
        search=graphene.String(description="Part of the name."),
        parent_id=graphene.ID(description="Only children of this category."),
        description="Product categories.",
    )
    suppliers = DjangoConnectionField(
        SupplierType,
        search=graphene.String(description="Part of the name."),
        is_active=graphene.Boolean(description="Filter on active."),
        description="Suppliers.",
    )
    locations = DjangoConnectionField(
        LocationType, is_active=graphene.Boolean(description="Filter on active."), description="Locations."
    )
    stock_movements = CountableConnectionField(
        StockMovementType,
        product_id=graphene.ID(description="Only this product."),
        location_id=graphene.ID(description="Only this location."),
        movement_type=MovementTypeEnum(description="Only this kind of movement."),
        date_from=graphene.Date(description="From this day (shop time zone)."),
        date_to=graphene.Date(description="Up to and including this day."),
        description="The stock ledger, newest first.",
    )
    low_stock_products = DjangoConnectionField(
        ProductType,
        location_id=graphene.ID(description="Stock at this location only (default: all locations)."),
        description="Active products at or below their reorder level.",
    )
    expiring_batches = DjangoConnectionField(
        BatchType,
        within_days=graphene.Int(default_value=30, description="Expiring within this many days."),
        location_id=graphene.ID(description="Only this location."),
        description="Batches with stock that expire within the given days (expired ones included).",
    )

    @login_required
    def resolve_products(root, info, **kwargs):
        return selectors.list_products(
            search=kwargs.get("search"),
            category_id=_optional_pk(kwargs.get("category_id"), "Category", "categoryId"),
            supplier_id=_optional_pk(kwargs.get("supplier_id"), "Supplier", "supplierId"),
            location_id=_optional_pk(kwargs.get("location_id"), "Location", "locationId"),
            low_stock=kwargs.get("low_stock"),
            is_active=kwargs.get("is_active"),
            order_by=enum_value(kwargs.get("order_by")),
            preload=_relations_asked(info),
            joins=_joins_asked(info, "edges", "node"),
        )

    @login_required
    def resolve_product(root, info, id):
        return selectors.get_product(product_id=_optional_pk(id, "Product", "id"), joins=_joins_asked(info))

    @login_required
    def resolve_product_by_code(root, info, code):
        return selectors.get_product_by_code(code=code, joins=_joins_asked(info))

    @login_required
    def resolve_categories(root, info, search=None, parent_id=None, **_page):
        return selectors.list_categories(
            search=search, parent_id=_optional_pk(parent_id, "Category", "parentId")
        )

    @login_required
    def resolve_suppliers(root, info, search=None, is_active=None, **_page):
        return selectors.list_suppliers(search=search, is_active=is_active)

    @login_required
    def resolve_locations(root, info, is_active=None, **_page):
        return selectors.list_locations(is_active=is_active)

    @login_required
    def resolve_stock_movements(root, info, **kwargs):
        return selectors.list_stock_movements(
            product_id=_optional_pk(kwargs.get("product_id"), "Product", "productId"),
            location_id=_optional_pk(kwargs.get("location_id"), "Location", "locationId"),
            movement_type=enum_value(kwargs.get("movement_type")),
            date_from=kwargs.get("date_from"),
            date_to=kwargs.get("date_to"),
            joins=set(selected_fields(info, "edges", "node")),
        )

    @login_required
    def resolve_low_stock_products(root, info, location_id=None, **_page):
        return selectors.list_low_stock_products(
            location_id=_optional_pk(location_id, "Location", "locationId"),
            preload=_relations_asked(info),
            joins=_joins_asked(info, "edges", "node"),
        )

    @login_required
    def resolve_expiring_batches(root, info, within_days=30, location_id=None, **_page):
        return selectors.list_expiring_batches(
            within_days=within_days, location_id=_optional_pk(location_id, "Location", "locationId")
        )


class Mutation(graphene.ObjectType):
    create_product = CreateProduct.Field()
    update_product = UpdateProduct.Field()
    archive_product = ArchiveProduct.Field()
    create_category = CreateCategory.Field()
    create_supplier = CreateSupplier.Field()
    create_location = CreateLocation.Field()
    receive_stock = ReceiveStock.Field()
    adjust_stock = AdjustStock.Field()
    transfer_stock = TransferStock.Field()
