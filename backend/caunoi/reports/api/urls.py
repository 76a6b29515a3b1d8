from django.urls import path

from .views import LeagueView, ReportSummaryView

urlpatterns = [
    path("summary/", ReportSummaryView.as_view(), name="reports-summary"),
    path("league/", LeagueView.as_view(), name="reports-league"),
]
