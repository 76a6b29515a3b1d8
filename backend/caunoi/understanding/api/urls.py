from django.urls import path

from . import views

# Mounted under /api/v1/cases/ before the cases app's own routes (its `<id>/<action>/` takes POSTs only).
urlpatterns = [
    path("<int:case_id>/suggestions/", views.CaseSuggestionsView.as_view(), name="api-case-suggestions"),
]
