"""The publication review by API: the list (paged, filtered, searched), one item, and the decisions.

GET /api/v1/publication-reviews/, GET …/<id>/, POST …/<id>/<decision>/ with decision one of approve,
reject, redact, unredact, edit, unpublish. Who may: the same as the review pages (moderators and admins
every item, leaders their agencies'), through the one access funnel; each decision calls the service the
page calls, so the rules and their refusals (400, 409) are the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caunoi.accounts.models import User
from caunoi.core.errors import NotFound

from .. import services
from ..access import access_item_for_review, may_review
from ..models import PublishedItem, Redaction
from ..selectors import review_list
from .review_serializers import (
    ApproveInput,
    EditInput,
    RedactInput,
    ReviewItemSerializer,
    ReviewPageSerializer,
    ReviewQuery,
    ReviewRejectInput,
    UnpublishInput,
    UnredactInput,
)


class IsReviewer(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return isinstance(request.user, User) and may_review(request.user)


class ReviewPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


ACTIVE_REDACTIONS = Prefetch("redactions", Redaction.objects.filter(is_active=True), to_attr="active_redactions")


class ReviewListView(APIView):
    permission_classes = [IsAuthenticated, IsReviewer]

    @extend_schema(
        operation_id="publication_reviews_list", parameters=[ReviewQuery], responses={200: ReviewPageSerializer}
    )
    def get(self, request: Request) -> Response:
        query = ReviewQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        items = review_list(
            request.user,  # type: ignore[arg-type]
            status=data["status"],
            agency=data.get("agency"),
            category=data.get("category"),
            kind=data.get("kind", ""),
            query=data.get("q", ""),
        ).prefetch_related(ACTIVE_REDACTIONS)
        paginator = ReviewPagination()
        page = paginator.paginate_queryset(items, request, view=self)
        return paginator.get_paginated_response(ReviewItemSerializer(page, many=True).data)


def _reviewed(user: User, item_id: int) -> PublishedItem:
    item = access_item_for_review(user, item_id)
    return (
        PublishedItem.objects.select_related("agency", "category", "case")
        .prefetch_related(ACTIVE_REDACTIONS)
        .get(pk=item.pk)
    )


class ReviewItemView(APIView):
    permission_classes = [IsAuthenticated, IsReviewer]

    @extend_schema(operation_id="publication_reviews_retrieve", responses={200: ReviewItemSerializer})
    def get(self, request: Request, item_id: int) -> Response:
        return Response(ReviewItemSerializer(_reviewed(request.user, item_id)).data)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Decision:
    input: type[Any]
    run: Callable[[PublishedItem, User, dict[str, Any]], object]


DECISIONS: dict[str, Decision] = {
    "approve": Decision(ApproveInput, lambda i, u, d: services.item_publish(item=i, by=u)),
    "reject": Decision(ReviewRejectInput, lambda i, u, d: services.item_decline(item=i, reason=d["reason"], by=u)),
    "redact": Decision(
        RedactInput,
        lambda i, u, d: services.item_redaction_add(
            item=i,
            phrase=d["phrase"],
            kind=d["kind"],
            by=u,
            field=d["field"],
            occurrence=d["occurrence"],
            everywhere=d["everywhere"],
        ),
    ),
    "unredact": Decision(
        UnredactInput, lambda i, u, d: services.item_redaction_remove(item=i, redaction_id=d["redaction"], by=u)
    ),
    "edit": Decision(
        EditInput,
        lambda i, u, d: services.item_edit(item=i, title=d["title"], question=d["question"], answer=d["answer"], by=u),
    ),
    "unpublish": Decision(UnpublishInput, lambda i, u, d: services.item_unpublish(item=i, reason=d["reason"], by=u)),
}


class ReviewDecisionView(APIView):
    permission_classes = [IsAuthenticated, IsReviewer]

    @extend_schema(
        operation_id="publication_reviews_decide",
        description="approve publishes, reject declines (with a reason), redact hides words, unredact shows "
        "them again, edit changes the texts before publication, unpublish takes a published item down. "
        "409 when the item's status does not allow it.",
        request=PolymorphicProxySerializer(
            component_name="ReviewDecisionInput",
            serializers=[ReviewRejectInput, RedactInput, UnredactInput, EditInput, UnpublishInput],
            resource_type_field_name=None,
        ),
        responses={200: ReviewItemSerializer},
    )
    def post(self, request: Request, item_id: int, decision: str) -> Response:
        spec = DECISIONS.get(decision)
        if spec is None:
            raise NotFound("Unknown decision.")
        user: User = request.user  # type: ignore[assignment]
        item = access_item_for_review(user, item_id)
        data = spec.input(data=request.data)
        data.is_valid(raise_exception=True)
        spec.run(item, user, data.validated_data)
        return Response(ReviewItemSerializer(_reviewed(user, item_id)).data)
