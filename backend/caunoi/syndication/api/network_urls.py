from django.urls import path

from .network import PushReceiverView

urlpatterns = [path("push/<slug:code>/", PushReceiverView.as_view(), name="api-network-push")]
