"""Open311 GeoReport v2, mounted under /open311/v2/ in config/urls.py."""

from django.urls import path

from .open311 import RequestDetailView, RequestsView, ServicesView

app_name = "open311"

urlpatterns = [
    path("services.json", ServicesView.as_view(), name="services"),
    path("requests.json", RequestsView.as_view(), name="requests"),
    path("requests/<str:request_id>.json", RequestDetailView.as_view(), name="request-detail"),
]
