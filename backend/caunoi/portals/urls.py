from django.urls import path

from . import views

app_name = "portals"
urlpatterns = [
    path("portal-theme.css", views.portal_theme, name="theme"),
    path("portal-logo/<int:portal_id>/", views.portal_logo, name="logo"),
]
