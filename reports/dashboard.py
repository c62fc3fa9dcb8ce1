"""The managers' dashboard in the admin: revenue by day, top products, payment methods, as inline SVG."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone

from reports.selectors import customer_debt, product_performance, revenue_periods, sales_figures
from sales.choices import PaymentMethod
from shared.money import format_money
from shared.roles import Role, has_role

CHART_HEIGHT = 160


@dataclass
class Bar:
    label: str
    value: Decimal
    text: str
    height: int
    x: int
    y: int


def bars(items: list[tuple[str, Decimal]], width: int = 24, gap: int = 6) -> list[Bar]:
    top = max((value for _, value in items), default=Decimal(0)) or Decimal(1)
    result = []
    for i, (label, value) in enumerate(items):
        height = int(CHART_HEIGHT * max(value, 0) / top)
        result.append(
            Bar(label, value, format_money(value), height, i * (width + gap), CHART_HEIGHT - height)
        )
    return result


def dashboard(request):
    if not has_role(request.user, Role.MANAGER):
        raise PermissionDenied
    today = timezone.localdate()
    start = today - timedelta(days=29)
    revenue = revenue_periods.revenue_by_period(granularity="DAY", date_from=start, date_to=today)
    top = product_performance.top_products(
        by="REVENUE", order="BEST", limit=8, date_from=start, date_to=today
    )
    methods = sales_figures.sales_by_payment_method(date_from=start, date_to=today)
    stats = sales_figures.sales_stats_summary(date_from=start, date_to=today)
    context = {
        **admin.site.each_context(request),
        "title": "Dashboard (last 30 days)",
        "stats": stats,
        "chart_height": CHART_HEIGHT,
        "revenue_bars": bars([(b.start.strftime("%d %b"), b.net) for b in revenue], width=18, gap=4),
        "top_bars": [
            (row.product.name, format_money(row.revenue), int(100 * row.revenue / (top[0].revenue or 1)))
            for row in top
        ],
        "method_bars": [
            (
                # "Part payment", not "part_payment": the dashboard is read by people.
                PaymentMethod(m.method).label if m.method in PaymentMethod.values else m.method,
                format_money(m.value),
                int(100 * max(m.value, 0) / (max((x.value for x in methods), default=1) or 1)),
            )
            for m in methods
        ],
        "debt": customer_debt.outstanding_debt_summary(limit=5),
    }
    return TemplateResponse(request, "reports/dashboard.html", context)
