from django.urls import path

from .api import AnnualReportView, TargetListView

urlpatterns = [
    path("reports/annual/", AnnualReportView.as_view(), name="api-report-annual"),
    path("reports/targets/", TargetListView.as_view(), name="api-report-targets"),
]
