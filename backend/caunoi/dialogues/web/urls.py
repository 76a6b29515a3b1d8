from django.urls import path

from . import views

app_name = "dialogues"
urlpatterns = [
    path("dialogues/", views.dialogue_list, name="list"),
    path("dialogues/schedule/", views.dialogue_schedule_page, name="schedule"),
    path("dialogues/<int:dialogue_id>/", views.dialogue_detail, name="detail"),
    path("dialogues/<int:dialogue_id>/ask/", views.dialogue_ask, name="ask"),
    path("dialogues/<int:dialogue_id>/transcript/", views.dialogue_transcript, name="transcript"),
    path("dialogues/<int:dialogue_id>/moderate/", views.dialogue_moderate, name="moderate"),
    path("dialogues/<int:dialogue_id>/host/", views.dialogue_host, name="host"),
    path("dialogues/<int:dialogue_id>/act/<slug:action>/", views.dialogue_act, name="act"),
    path("dialogues/<int:dialogue_id>/reschedule/", views.dialogue_reschedule_page, name="reschedule"),
    path("dialogues/<int:dialogue_id>/words/", views.dialogue_words_page, name="words"),
    path("dialogues/<int:dialogue_id>/advance/", views.dialogue_advance_page, name="advance"),
]
