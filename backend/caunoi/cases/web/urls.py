from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.home, name="home"),
    path("submit/", views.submit, name="submit"),
    path("submit/done/", views.submit_done, name="submit-done"),
    path("track/", views.track, name="track"),
    path("track/<str:tracking_code>/", views.track_detail, name="track-detail"),
    path("track/<str:tracking_code>/attachments/<int:attachment_id>/", views.track_attachment, name="track-attachment"),
    path("staff/cases/<int:case_id>/", views.staff_case, name="staff-case"),
    path(
        "staff/cases/<int:case_id>/attachments/<int:attachment_id>/",
        views.staff_attachment,
        name="staff-attachment",
    ),
]
