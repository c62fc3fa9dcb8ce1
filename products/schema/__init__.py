"""GraphQL for the catalogue and stock: thin adapters over products.selectors and products.services."""

from __future__ import annotations

import graphene
from graphene_django import DjangoConnectionField

from products import selectors
from products.schema.catalogue import (
    ArchiveProduct,
    CreateCategory,
    CreateLocation,
    CreateProduct,
    CreateSupplier,
    UpdateProduct,
)
from products.schema.lookups import optional_pk
from products.schema.stock import AdjustStock, ReceiveStock, TransferStock
from products.schema.types import (
    BatchType,
    CategoryType,
    LocationType,
    MovementTypeEnum,
    ProductType,
    StockMovementType,
    SupplierType,
)
from shared.graphql import CountableConnectionField, enum_value, selected_fields
from shared.permissions import login_required


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
            category_id=optional_pk(kwargs.get("category_id"), "Category", "categoryId"),
            supplier_id=optional_pk(kwargs.get("supplier_id"), "Supplier", "supplierId"),
            location_id=optional_pk(kwargs.get("location_id"), "Location", "locationId"),
            low_stock=kwargs.get("low_stock"),
            is_active=kwargs.get("is_active"),
            order_by=enum_value(kwargs.get("order_by")),
            preload=_relations_asked(info),
            joins=_joins_asked(info, "edges", "node"),
        )

    @login_required
    def resolve_product(root, info, id):
        return selectors.get_product(product_id=optional_pk(id, "Product", "id"), joins=_joins_asked(info))

    @login_required
    def resolve_product_by_code(root, info, code):
        return selectors.get_product_by_code(code=code, joins=_joins_asked(info))

    @login_required
    def resolve_categories(root, info, search=None, parent_id=None, **_page):
        return selectors.list_categories(
            search=search, parent_id=optional_pk(parent_id, "Category", "parentId")
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
            product_id=optional_pk(kwargs.get("product_id"), "Product", "productId"),
            location_id=optional_pk(kwargs.get("location_id"), "Location", "locationId"),
            movement_type=enum_value(kwargs.get("movement_type")),
            date_from=kwargs.get("date_from"),
            date_to=kwargs.get("date_to"),
            joins=set(selected_fields(info, "edges", "node")),
        )

    @login_required
    def resolve_low_stock_products(root, info, location_id=None, **_page):
        return selectors.list_low_stock_products(
            location_id=optional_pk(location_id, "Location", "locationId"),
            preload=_relations_asked(info),
            joins=_joins_asked(info, "edges", "node"),
        )

    @login_required
    def resolve_expiring_batches(root, info, within_days=30, location_id=None, **_page):
        return selectors.list_expiring_batches(
            within_days=within_days, location_id=optional_pk(location_id, "Location", "locationId")
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
