import csv

from django.http import HttpResponse

from reports.tables import ReportError, build
from shared.auth import staff_view
from shared.csv_safety import safe_row
from shared.roles import Role


@staff_view(Role.MANAGER)
def report_csv(request, name: str):
    """/reports/<name>.csv?from=2026-01-01&to=2026-01-31 (plus by/order/limit/days/granularity)."""
    try:
        table = build(name, request.GET.dict())
    except ReportError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(safe_row(table.headers))
    writer.writerows(safe_row(row) for row in table.rows)
    return response
