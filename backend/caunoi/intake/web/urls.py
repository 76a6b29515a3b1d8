from django.urls import path

from . import mail, staff

app_name = "intake"
urlpatterns = [
    path("staff/intake/new/", staff.enter, name="enter"),
    path("staff/intake/<int:case_id>/receipt/", staff.receipt, name="receipt"),
    path("staff/mail/", mail.held_list, name="held-mail"),
    path("staff/mail/<int:mail_id>/<slug:action>/", mail.held_action, name="held-mail-action"),
]
