from django.urls import path

from products import views

app_name = "products"

urlpatterns = [
    path("<int:pk>/qr.png", views.qr_code, name="qr-code"),
    path("<int:pk>/barcode.png", views.barcode_image, name="barcode"),
]
