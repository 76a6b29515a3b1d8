from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("a/b.gif", views.beacon, name="beacon"),
    path("staff/analytics/", views.dashboard, name="dashboard"),
    path("staff/analytics/<slug:table>.csv", views.export_csv, name="export-csv"),
]
