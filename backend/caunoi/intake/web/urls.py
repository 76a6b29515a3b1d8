from django.urls import path

from . import staff

app_name = "intake"
urlpatterns = [
    path("staff/intake/new/", staff.enter, name="enter"),
    path("staff/intake/<int:case_id>/receipt/", staff.receipt, name="receipt"),
]
