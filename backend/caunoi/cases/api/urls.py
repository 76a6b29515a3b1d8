from django.urls import path

from . import queue, views

urlpatterns = [
    path("", views.CaseSubmitView.as_view(), name="api-case-submit"),
    path("mine/", views.OwnCasesView.as_view(), name="api-cases-mine"),
    path("track/<str:tracking_code>/", views.CaseTrackView.as_view(), name="api-case-track"),
    path(
        "track/<str:tracking_code>/attachments/<int:attachment_id>/",
        views.CaseTrackAttachmentView.as_view(),
        name="api-case-track-attachment",
    ),
    path("track/<str:tracking_code>/reply/", views.CaseTrackReplyView.as_view(), name="api-case-track-reply"),
    path("track/<str:tracking_code>/appeal/", views.CaseTrackAppealView.as_view(), name="api-case-track-appeal"),
    path("track/<str:tracking_code>/rating/", views.CaseTrackRatingView.as_view(), name="api-case-track-rating"),
    path("<int:case_id>/", views.StaffCaseView.as_view(), name="api-case-detail"),
    path("<int:case_id>/<slug:action>/", views.CaseActionView.as_view(), name="api-case-action"),
]

queue_urlpatterns = [
    path("", queue.QueueView.as_view(), name="api-queue"),
    path("ratings/", views.RatingSummaryView.as_view(), name="api-queue-ratings"),
]
