from django.urls import path

from .views import TokenListView, TokenLoginView, TokenRevokeView

urlpatterns = [
    path("token/", TokenLoginView.as_view(), name="api-token"),
    path("tokens/", TokenListView.as_view(), name="api-tokens"),
    path("tokens/<str:token_id>/", TokenRevokeView.as_view(), name="api-token-revoke"),
]
