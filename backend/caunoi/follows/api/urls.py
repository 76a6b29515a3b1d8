from django.urls import path

from . import views

# Mounted at /api/v1/follows/ and beside the published answers (/api/v1/published/<slug>/support/).
follow_urlpatterns = [path("", views.FollowView.as_view(), name="api-follow")]
support_urlpatterns = [path("<slug:slug>/support/", views.SupportView.as_view(), name="api-published-support")]
