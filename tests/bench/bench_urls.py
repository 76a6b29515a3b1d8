"""The project's URLs plus the baseline of the intake benchmark: a bare view that inserts one row."""

import json

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def bare_insert(request: HttpRequest) -> JsonResponse:
    """As little as a Django view can do for a submission: parse JSON, insert one row, answer 201."""
    data = json.loads(request.body)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_bare_row (title, body) VALUES (%s, %s) RETURNING id", [data["title"], data["body"]]
        )
        (row_id,) = cursor.fetchone()
    return JsonResponse({"id": row_id}, status=201)


urlpatterns = [
    path("bench/bare/", bare_insert),
    path("", include("caunoi.config.urls")),
]
