"""GET /api/v1/cases/<id>/suggestions/: what the case page shows staff, as JSON (similar open cases and
published answers with their reasons, and the learned routing suggestions)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caunoi.cases.access import access_case_for_staff, cases_for_staff

from ..routing_training import suggest_for_case
from ..similar import Suggestion, similar_to_case


def suggestion_data(s: Suggestion) -> dict[str, Any]:
    obj = s.obj
    common: dict[str, Any] = {
        "type": s.object_type,
        "title": obj.title,
        "agency": obj.agency.code if obj.agency else None,
        "reasons": {
            "shared_words": s.shared,
            "close_in_meaning": s.meaning is not None,
            "meaning_similarity": round(s.meaning, 3) if s.meaning is not None else None,
            "same_agency": s.same_agency,
            "same_area": s.same_area,
        },
        "score": round(s.score, 5),
    }
    if s.is_case:
        common.update(id=obj.pk, tracking_code=obj.tracking_code, received_at=obj.received_at)
    else:
        common.update(slug=obj.slug, url=reverse("publication:item", args=[obj.slug]), published_at=obj.published_at)
    return common


class CaseSuggestionsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="cases_suggestions",
        summary="Similar open cases and answers, and routing suggestions, for one case",
        description="Staff only (404 outside the user's agencies). Suggestions only: linking a duplicate or "
        "transferring is done with the `link_duplicate` and `transfer` actions.",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, case_id: int) -> Response:
        case = access_case_for_staff(request.user, case_id)  # type: ignore[arg-type]
        open_case = case.closed_at is None and case.duplicate_of_id is None
        similar = similar_to_case(case, case_scope=cases_for_staff(request.user)) if open_case else []  # type: ignore[arg-type]
        routing = suggest_for_case(case) if open_case else []
        return Response(
            {
                "similar": [suggestion_data(s) for s in similar],
                "routing": [
                    {
                        "agency": r.agency.code,
                        "level": r.agency.level,
                        "confidence": round(r.probability, 3),
                        "reasons": r.reasons,
                        "model_version": r.model_version,
                    }
                    for r in routing
                ],
            }
        )
