from django.urls import path

from . import views

urlpatterns = [
    path("", views.DialogueListView.as_view(), name="dialogue-list"),
    path("<int:dialogue_id>/", views.DialogueDetailView.as_view(), name="dialogue-detail"),
]
