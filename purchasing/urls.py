from django.urls import path

from purchasing import views

app_name = "purchasing"

urlpatterns = [
    path("orders/<str:identifier>/", views.purchase_order_page, name="purchase-order"),
    path("orders/<str:identifier>/csv", views.purchase_order_csv, name="purchase-order-csv"),
]
