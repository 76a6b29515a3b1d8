from django.urls import path

from . import views

category_urlpatterns = [path("", views.CategoryListView.as_view(), name="api-categories")]
area_urlpatterns = [path("", views.AreaListView.as_view(), name="api-areas")]
