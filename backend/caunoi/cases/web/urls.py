from django.urls import path

from . import actions, area_choice, citizen, drafts, held, queue, rights, views

app_name = "cases"
urlpatterns = [
    path("submit/", views.submit, name="submit"),
    path("submit/done/", views.submit_done, name="submit-done"),
    path("submit/communes/", area_choice.communes_json, name="submit-communes"),
    path("track/", views.track, name="track"),
    path("my-cases/", views.my_cases, name="my-cases"),
    path("my-cases/personal-data/", rights.account_personal_data, name="my-personal-data"),
    path("track/<str:tracking_code>/", views.track_detail, name="track-detail"),
    path("track/<str:tracking_code>/attachments/<int:attachment_id>/", views.track_attachment, name="track-attachment"),
    path("staff/queue/", queue.queue_page, name="staff-queue"),
    path("staff/held/", held.held_list, name="staff-held"),
    path("staff/held/<int:case_id>/release/", held.held_release, name="staff-held-release"),
    path("staff/cases/<int:case_id>/", views.staff_case, name="staff-case"),
    path("staff/cases/<int:case_id>/draft/autosave/", drafts.draft_autosave, name="staff-draft-autosave"),
    path("staff/drafts/download/", drafts.draft_download, name="staff-draft-download"),
    path("staff/cases/<int:case_id>/<slug:action>/", actions.staff_case_action, name="staff-case-action"),
    path("track/<str:tracking_code>/reply/", citizen.track_reply, name="track-reply"),
    path("track/<str:tracking_code>/rating/", citizen.track_rating, name="track-rating"),
    path("track/<str:tracking_code>/appeal/", citizen.track_appeal, name="track-appeal"),
    path("track/<str:tracking_code>/consent/withdraw/", rights.track_consent_withdraw, name="track-consent-withdraw"),
    path("track/<str:tracking_code>/personal-data/", rights.track_personal_data, name="track-personal-data"),
    path("track/<str:tracking_code>/erasure/", rights.track_erasure, name="track-erasure"),
    path("staff/erasure-requests/", rights.erasure_queue, name="staff-erasure-requests"),
    path(
        "staff/erasure-requests/<int:request_id>/carry-out/", rights.erasure_carry_out, name="staff-erasure-carry-out"
    ),
    path(
        "staff/cases/<int:case_id>/attachments/<int:attachment_id>/",
        views.staff_attachment,
        name="staff-attachment",
    ),
]
