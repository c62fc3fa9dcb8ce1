from django.http import Http404, HttpResponse

from shared.auth import staff_view
from shared.roles import Role
from tills.models import Shift
from tills.z_report import ZFormat, render_z

CONTENT_TYPES = {ZFormat.HTML: "text/html; charset=utf-8", ZFormat.CSV: "text/csv; charset=utf-8"}


@staff_view(Role.MANAGER)
def z_report_page(request, number: int):
    """A Z report: HTML (default), ?format=text_42 / text_48 / csv; ?register=<id> when several registers have it."""
    try:
        fmt = ZFormat(request.GET.get("format", "html"))
    except ValueError:
        return HttpResponse(
            "format must be html, text_42, text_48 or csv.", status=400, content_type="text/plain"
        )
    shifts = Shift.objects.select_related("register", "cashier", "closed_by").filter(z_number=number)
    register = request.GET.get("register")
    if register:
        if not register.isdigit():
            return HttpResponse("register must be a register id.", status=400, content_type="text/plain")
        shifts = shifts.filter(register_id=int(register))
    found = list(shifts[:2])
    if not found:
        raise Http404("No such Z report.")
    if len(found) > 1:
        return HttpResponse(
            "Several registers have this Z number: add ?register=<id>.", status=400, content_type="text/plain"
        )
    response = HttpResponse(
        render_z(found[0], fmt), content_type=CONTENT_TYPES.get(fmt, "text/plain; charset=utf-8")
    )
    if fmt == ZFormat.CSV:
        response["Content-Disposition"] = f'attachment; filename="z-{found[0].register_id}-{number}.csv"'
    return response
