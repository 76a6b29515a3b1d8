from django.urls import path

from . import actions, queue, views

app_name = "cases"
urlpatterns = [
    path("submit/", views.submit, name="submit"),
    path("submit/done/", views.submit_done, name="submit-done"),
    path("track/", views.track, name="track"),
    path("my-cases/", views.my_cases, name="my-cases"),
    path("track/<str:tracking_code>/", views.track_detail, name="track-detail"),
    path("track/<str:tracking_code>/attachments/<int:attachment_id>/", views.track_attachment, name="track-attachment"),
    path("staff/queue/", queue.queue_page, name="staff-queue"),
    path("staff/cases/<int:case_id>/", views.staff_case, name="staff-case"),
    path("staff/cases/<int:case_id>/<slug:action>/", actions.staff_case_action, name="staff-case-action"),
    path("track/<str:tracking_code>/reply/", actions.track_reply, name="track-reply"),
    path("track/<str:tracking_code>/rating/", actions.track_rating, name="track-rating"),
    path("track/<str:tracking_code>/appeal/", actions.track_appeal, name="track-appeal"),
    path(
        "staff/cases/<int:case_id>/attachments/<int:attachment_id>/",
        views.staff_attachment,
        name="staff-attachment",
    ),
]
