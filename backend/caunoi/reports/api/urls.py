from django.urls import path

from .views import ExportJobCreateView, ExportJobDownloadView, ExportJobView, LeagueView, ReportSummaryView

urlpatterns = [
    path("summary/", ReportSummaryView.as_view(), name="reports-summary"),
    path("league/", LeagueView.as_view(), name="reports-league"),
    path("exports/", ExportJobCreateView.as_view(), name="reports-export-create"),
    path("exports/<uuid:job_id>/", ExportJobView.as_view(), name="reports-export-detail"),
    path("exports/<uuid:job_id>/download/", ExportJobDownloadView.as_view(), name="reports-export-download"),
]
