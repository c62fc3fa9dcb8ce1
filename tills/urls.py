from django.urls import path

from tills.views import z_report_page

urlpatterns = [path("<int:number>/", z_report_page, name="z-report")]
