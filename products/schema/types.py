"""GraphQL types of the catalogue and stock: products, categories, suppliers, locations, batches, ledger."""

from __future__ import annotations

from decimal import Decimal

import graphene
from django.urls import reverse
from graphene import relay
from graphene.types.generic import GenericScalar
from graphene_django import DjangoObjectType

from products import selectors
from products.models import Batch, Category, Location, Product, StockLevel, StockMovement, Supplier
from products.schema.lookups import optional_pk
from shared.graphql import CountableConnection, Money, Quantity, Rate
from shared.roles import Role, has_role

MovementTypeEnum = graphene.Enum.from_enum(
    StockMovement.Type, name="MovementType", description="Why a stock quantity changed."
)
LocationKindEnum = graphene.Enum.from_enum(
    Location.Kind, name="LocationKind", description="What kind of place a location is."
)


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
            wanted = optional_pk(location_id, "Location", "locationId")
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
