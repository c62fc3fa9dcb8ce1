from products.models import Batch, Product, StockLevel, StockMovement


def stock_snapshot():
    """Everything a refused stock operation must leave untouched."""
    return (
        StockMovement.objects.count(),
        StockLevel.objects.count(),
        sorted(StockLevel.objects.values_list("pk", "quantity")),
        sorted(Batch.objects.values_list("pk", "quantity", "unit_cost")),
        sorted(Product.objects.values_list("pk", "cost_price", "is_active")),
    )


def level(product, location):
    return StockLevel.objects.get(product=product, location=location).quantity
