"""What a query asks of customers shown inside other lists: read by the customers list and by the
lists whose rows show a customer (sales, returns), so each can load those pages for all its rows."""

from django.apps import apps

from customers.selectors import CustomerPages
from shared.graphql import selected_fields
from shared.nested_pages import nested_pages, relations_selected

PURCHASE_FIELDS = frozenset({"totalPurchases", "lastPurchaseAt"})


def customer_pages_asked(info, *path: str) -> CustomerPages:
    """The ledger and sales pages and the purchase figures the customers under `path` show (empty
    when none of them is selected)."""
    return CustomerPages(
        purchases=not PURCHASE_FIELDS.isdisjoint(selected_fields(info, *path)),
        ledger=nested_pages(info, "Customer", "ledger", *path),
        sales=nested_pages(info, "Customer", "sales", *path),
        sale_relations=relations_selected(
            apps.get_model("sales", "Sale"), info, *path, "sales", "edges", "node", parent="customer"
        ),
    )
