from django.urls import path

from . import views

app_name = "follows"
urlpatterns = [
    path("follow/", views.follow, name="follow"),
    path("follow/confirm/<str:token>/", views.confirm, name="confirm"),
    path("follow/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("hoi-dap/<slug:slug>/support/", views.support, name="support"),
    path("track/<str:tracking_code>/follow/", views.follow_case, name="follow-case"),
    path("staff/most-supported/", views.most_supported_page, name="most-supported"),
]
