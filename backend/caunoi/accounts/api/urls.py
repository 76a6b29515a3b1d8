from django.urls import path

from .views import TokenLoginView

urlpatterns = [
    path("token/", TokenLoginView.as_view(), name="api-token"),
]
