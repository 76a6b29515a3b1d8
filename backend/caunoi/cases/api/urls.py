from django.urls import path

from . import views

urlpatterns = [
    path("", views.CaseSubmitView.as_view(), name="api-case-submit"),
    path("track/<str:tracking_code>/", views.CaseTrackView.as_view(), name="api-case-track"),
    path(
        "track/<str:tracking_code>/attachments/<int:attachment_id>/",
        views.CaseTrackAttachmentView.as_view(),
        name="api-case-track-attachment",
    ),
    path("<int:case_id>/", views.StaffCaseView.as_view(), name="api-case-detail"),
]
