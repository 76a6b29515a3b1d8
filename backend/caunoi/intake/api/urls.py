from django.urls import path

from . import views

urlpatterns = [
    path("entered/", views.StaffEnteredView.as_view(), name="api-intake-entered"),
]
