from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config.till_shell import till_service_worker
from config.views import landing, till
from reports.dashboard import dashboard
from shared.views import graphql_view, healthz

admin.site.site_header = f"{settings.SHOP_NAME} · POS Server"
admin.site.site_title = "POS Server admin"
admin.site.index_title = "Shop management"

urlpatterns = [
    path("", landing, name="landing"),
    path("till/", till, name="till"),
    path("till/sw.js", till_service_worker, name="till-service-worker"),
    path("graphql/", graphql_view, name="graphql"),
    path("healthz", healthz, name="healthz"),
    path("admin/dashboard/", admin.site.admin_view(dashboard), name="dashboard"),
    path("admin/", admin.site.urls),
    path("products/", include("products.urls")),
    path("receipts/", include("sales.urls")),
    path("reports/z/", include("tills.urls")),
    path("reports/", include("reports.urls")),
    path("purchasing/", include("purchasing.urls")),
]
