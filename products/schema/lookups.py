"""Ids in GraphQL input turned into rows (NOT_FOUND on the input field), for types, queries, mutations."""

from __future__ import annotations

from products import selectors
from products.models import Location, Product
from shared.errors import DomainError, ErrorCode
from shared.graphql import resolve_id, resolve_optional_id


def find_product(value, field: str = "productId") -> Product:
    product = Product.objects.filter(pk=resolve_id(value, "Product", field=field)).first()
    if product is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Product not found.", field=field)
    return product


def find_location(value, field: str = "locationId") -> Location:
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


def find_category(value, field="categoryId"):
    return _optional(value, "Category", lambda pk: selectors.get_category(category_id=pk), field)


def find_supplier(value, field="supplierId"):
    return _optional(value, "Supplier", lambda pk: selectors.get_supplier(supplier_id=pk), field)


def find_batch(value, field="batchId"):
    return _optional(value, "Batch", lambda pk: selectors.get_batch(batch_id=pk), field)


def reload_product(product: Product) -> Product:
    return selectors.get_product(product_id=product.pk)


def optional_pk(value, type_name: str, field: str) -> int | None:
    try:
        return resolve_optional_id(value, type_name, field=field)
    except DomainError:
        return -1  # an id of another type matches nothing
