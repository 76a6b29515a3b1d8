from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .sso import views as sso_views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.login_code, name="login-code"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_sent.html"),
        name="password-reset-sent",
    ),
    path("password-reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password-reset-complete",
    ),
    path("two-factor/", views.two_factor_settings, name="two-factor"),
    path("devices/", views.devices, name="devices"),
    path("email/", views.email_change, name="email-change"),
    path("sso/start/", sso_views.sso_start, name="sso-start"),
    path("sso/<str:key>/callback/", sso_views.sso_callback, name="sso-callback"),
    path("sso/", sso_views.sso_identities, name="sso-identities"),
]
