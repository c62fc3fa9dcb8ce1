from django.http import Http404, HttpResponse

from sales import selectors
from sales.receipts import ReceiptFormat, render_receipt
from shared.auth import staff_view


@staff_view()
def receipt_page(request, transaction_id: str):
    """The printable HTML receipt (or ?format=text_42 / text_48 for thermal printers)."""
    sale = selectors.find_sale(identifier=transaction_id)
    if sale is None:
        raise Http404("No such sale.")
    try:
        fmt = ReceiptFormat(request.GET.get("format", "html"))
    except ValueError:
        return HttpResponse("format must be html, text_42 or text_48.", status=400, content_type="text/plain")
    content_type = "text/html; charset=utf-8" if fmt == ReceiptFormat.HTML else "text/plain; charset=utf-8"
    return HttpResponse(render_receipt(sale, fmt), content_type=content_type)
