from django.urls import path

from reports.views import report_csv

urlpatterns = [path("<slug:name>.csv", report_csv, name="report-csv")]
