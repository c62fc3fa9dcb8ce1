"""Catalogue mutations: products, categories, suppliers and locations. Each calls one products service."""

from __future__ import annotations

import graphene
from graphene.types.generic import GenericScalar

from products import services
from products.models import Location
from products.schema.lookups import find_category, find_product, find_supplier, reload_product
from products.schema.types import CategoryType, LocationKindEnum, LocationType, ProductType, SupplierType
from shared.graphql import BaseMutation, Money, Quantity, Rate, enum_value
from shared.roles import Role


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
        values["category"] = find_category(data["category_id"])
    if data.get("supplier_id") is not None:
        values["supplier"] = find_supplier(data["supplier_id"])
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
        return {"product": reload_product(product), "message": f"{product.name} created."}


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
        product = find_product(input["product_id"])
        values = _product_values(input)
        for name in ("sku", "name", "retail_price", "is_active"):
            if input.get(name) is not None:
                values[name] = input[name]
        product = services.update_product(user=info.context.user, product=product, **values)
        return {"product": reload_product(product), "message": f"{product.name} updated."}


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
        product = services.archive_product(user=info.context.user, product=find_product(input["product_id"]))
        return {"product": reload_product(product), "message": f"{product.name} archived."}


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
            parent=find_category(input.get("parent_id"), field="parentId"),
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
