from decimal import Decimal

from customers.models import Customer, CustomerLedgerEntry
from products.models import StockLevel, StockMovement
from sales.models import Payment, Sale, SaleItem


def world_state():
    """Everything a refused sale must leave untouched."""
    return {
        "sales": Sale.objects.count(),
        "items": SaleItem.objects.count(),
        "payments": Payment.objects.count(),
        "movements": StockMovement.objects.count(),
        "ledger": CustomerLedgerEntry.objects.count(),
        "stock": sorted(StockLevel.objects.values_list("pk", "quantity")),
        "balances": sorted(Customer.objects.values_list("pk", "balance")),
    }


def stock_of(product) -> Decimal:
    return sum(StockLevel.objects.filter(product=product).values_list("quantity", flat=True), Decimal("0"))
