from django.urls import path

from . import queue, rights, views

urlpatterns = [
    path("", views.CaseSubmitView.as_view(), name="api-case-submit"),
    path("mine/", views.OwnCasesView.as_view(), name="api-cases-mine"),
    path("mine/personal-data/", rights.AccountPersonalDataView.as_view(), name="api-cases-mine-personal-data"),
    path("track/<str:tracking_code>/", views.CaseTrackView.as_view(), name="api-case-track"),
    path(
        "track/<str:tracking_code>/attachments/<int:attachment_id>/",
        views.CaseTrackAttachmentView.as_view(),
        name="api-case-track-attachment",
    ),
    path("track/<str:tracking_code>/reply/", views.CaseTrackReplyView.as_view(), name="api-case-track-reply"),
    path("track/<str:tracking_code>/appeal/", views.CaseTrackAppealView.as_view(), name="api-case-track-appeal"),
    path("track/<str:tracking_code>/rating/", views.CaseTrackRatingView.as_view(), name="api-case-track-rating"),
    path(
        "track/<str:tracking_code>/consent/withdraw/",
        rights.CaseConsentWithdrawView.as_view(),
        name="api-case-track-consent-withdraw",
    ),
    path(
        "track/<str:tracking_code>/personal-data/",
        rights.CasePersonalDataView.as_view(),
        name="api-case-track-personal-data",
    ),
    path("track/<str:tracking_code>/erasure/", rights.CaseErasureRequestView.as_view(), name="api-case-track-erasure"),
    path("<int:case_id>/", views.StaffCaseView.as_view(), name="api-case-detail"),
    path("<int:case_id>/<slug:action>/", views.CaseActionView.as_view(), name="api-case-action"),
]

queue_urlpatterns = [
    path("", queue.QueueView.as_view(), name="api-queue"),
    path("ratings/", views.RatingSummaryView.as_view(), name="api-queue-ratings"),
]

erasure_urlpatterns = [
    path("", rights.ErasureQueueView.as_view(), name="api-erasure-requests"),
    path("<int:request_id>/carry-out/", rights.ErasureCarryOutView.as_view(), name="api-erasure-carry-out"),
]
