from django.http import Http404, HttpResponse

from purchasing import selectors
from purchasing.documents import render_purchase_order_csv, render_purchase_order_html
from shared.auth import staff_view
from shared.roles import Role


def _purchase_order(identifier: str):
    purchase_order = selectors.find_purchase_order(identifier=identifier)
    if purchase_order is None:
        raise Http404("No such purchase order.")
    return purchase_order


@staff_view(Role.MANAGER)
def purchase_order_page(request, identifier: str):
    """The printable purchase order (id or PO number)."""
    return HttpResponse(
        render_purchase_order_html(_purchase_order(identifier)), content_type="text/html; charset=utf-8"
    )


@staff_view(Role.MANAGER)
def purchase_order_csv(request, identifier: str):
    """The purchase order's lines as CSV (formula-like cells neutralised)."""
    purchase_order = _purchase_order(identifier)
    response = HttpResponse(render_purchase_order_csv(purchase_order), content_type="text/csv; charset=utf-8")
    name = purchase_order.number or f"draft-{purchase_order.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
