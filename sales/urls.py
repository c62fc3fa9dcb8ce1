from django.urls import path

from sales.views import receipt_page

urlpatterns = [path("<str:transaction_id>/", receipt_page, name="receipt")]
