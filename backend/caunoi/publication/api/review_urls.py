from django.urls import path

from . import review

urlpatterns = [
    path("", review.ReviewListView.as_view(), name="api-publication-reviews"),
    path("<int:item_id>/", review.ReviewItemView.as_view(), name="api-publication-review"),
    path("<int:item_id>/<slug:decision>/", review.ReviewDecisionView.as_view(), name="api-publication-review-decide"),
]
