from django.urls import path

from . import views

urlpatterns = [
    path("", views.PublishedListView.as_view(), name="published-list"),
    path("similar/", views.PublishedSimilarView.as_view(), name="published-similar"),
    path("<slug:slug>/", views.PublishedDetailView.as_view(), name="published-detail"),
]
