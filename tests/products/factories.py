from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from products.models import Category, Location, Product, Supplier
from products.services import sync_product_codes


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")


class SupplierFactory(DjangoModelFactory):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"Supplier {n}")


class LocationFactory(DjangoModelFactory):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Store room {n}")
    kind = Location.Kind.STOCK_ROOM


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product
        skip_postgeneration_save = True

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    category = factory.SubFactory(CategoryFactory)
    retail_price = Decimal("10.00")
    wholesale_price = Decimal("8.00")
    cost_price = Decimal("0.0000")
    reorder_level = Decimal("5.000")

    @factory.post_generation
    def codes(product, create, extracted, **kwargs):
        """Reserve the SKU and barcode in ProductCode, as the catalogue services do."""
        if create and extracted is not False:
            sync_product_codes(products=[product])


class BatchProductFactory(ProductFactory):
    name = factory.Sequence(lambda n: f"Medicine {n}")
    track_batches = True
