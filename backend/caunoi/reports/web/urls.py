from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("staff/reports/", views.dashboard, name="dashboard"),
    path("staff/reports/export.csv", views.export_csv_view, name="export-csv"),
    path("staff/reports/export.xlsx", views.export_xlsx_view, name="export-xlsx"),
    path("staff/reports/quarterly.xlsx", views.quarterly_view, name="quarterly"),
    path("agencies/on-time/", views.league, name="league"),
]
