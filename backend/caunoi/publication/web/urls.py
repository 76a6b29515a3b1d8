from django.urls import path

from . import review, views

app_name = "publication"
urlpatterns = [
    # The portal's front page: this app sits above cases and shows what was answered (see cases' old home).
    path("", views.home, name="home"),
    path("hoi-dap/", views.search, name="search"),
    path("hoi-dap/<slug:slug>/", views.item, name="item"),
    path("co-quan/<str:code>/", views.agency, name="agency"),
    path("staff/publication/", review.review_index, name="review-list"),
    path("staff/publication/<int:item_id>/", review.review_item, name="review-item"),
    path("staff/publication/<int:item_id>/<slug:action>/", review.review_action, name="review-action"),
]
