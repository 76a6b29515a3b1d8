from django.urls import path

from . import export_views, views

app_name = "reports"
urlpatterns = [
    path("staff/reports/", views.dashboard, name="dashboard"),
    path("staff/reports/export.csv", views.export_csv_view, name="export-csv"),
    path("staff/reports/export.xlsx", views.export_xlsx_view, name="export-xlsx"),
    path("staff/reports/quarterly.xlsx", views.quarterly_view, name="quarterly"),
    path("staff/reports/exports/", export_views.export_start, name="export-start"),
    path("staff/reports/exports/<uuid:job_id>/", export_views.export_job, name="export-job"),
    path("staff/reports/exports/<uuid:job_id>/download", export_views.export_download, name="export-download"),
    path("agencies/on-time/", views.league, name="league"),
]
