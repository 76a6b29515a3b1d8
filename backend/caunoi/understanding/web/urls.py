from django.urls import path

from . import views

app_name = "understanding"
urlpatterns = [
    path("co-quan/<str:code>/cau-hoi-thuong-gap/", views.faq, name="faq"),
]
