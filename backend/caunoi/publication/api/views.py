"""The public API of published items: search, one item, similar questions. Read-only, anyone may call it."""

from __future__ import annotations

from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from caunoi.core import hooks
from caunoi.core.errors import ValidationFailed
from caunoi.core.replica import portal_read
from caunoi.portals.selectors import site_of

from ..access import access_published_item
from ..filters import MAX_PAGE, PAGE_SIZE, PublishedSearchFilterSet
from ..models import PublishedItem
from ..search import CANDIDATES, MAX_QUERY_LENGTH, published_search
from ..selectors import SIMILAR_MAX_TEXT, published_similar
from ..signals import search_performed
from .serializers import PublishedItemSerializer, SearchHitSerializer, SearchPageSerializer, SimilarPageSerializer

SEARCH_PARAMETERS = [
    OpenApiParameter(
        "q",
        {"type": "string", "maxLength": MAX_QUERY_LENGTH},
        description="Words to find, with or without diacritics. Phrases in quotes, "
        "`-word` excludes, `or` between words. At most 200 characters.",
    ),
    OpenApiParameter("agency", str, description="Agency code; includes the agencies below it."),
    OpenApiParameter("category", str, description="Category code, e.g. dat-dai."),
    OpenApiParameter("kind", str, enum=["question", "feedback", "petition"]),
    OpenApiParameter("from", OpenApiTypes.DATE, description="Published on or after (YYYY-MM-DD)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Published on or before (YYYY-MM-DD)."),
    OpenApiParameter(
        "page",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
        description=f"Page number, 1 to {MAX_PAGE} ({PAGE_SIZE} items a page).",
    ),
]


def parse_search(params: object) -> PublishedSearchFilterSet:
    """The validated search parameters. Raises ValidationFailed with a message per field."""
    filterset = PublishedSearchFilterSet(params, queryset=PublishedItem.objects.none())  # type: ignore[arg-type]
    if not filterset.is_valid():
        raise ValidationFailed({name: [str(m) for m in messages] for name, messages in filterset.errors.items()})
    return filterset


method_portal_read = method_decorator(portal_read)


class PublishedListView(APIView):
    @extend_schema(
        operation_id="published_search",
        summary="Search published answers",
        description="Ranked full-text search over published questions and answers (latest first without q). "
        f"Only the first {CANDIDATES} matches are ranked; a page past the end is empty.",
        parameters=SEARCH_PARAMETERS,
        responses={200: SearchPageSerializer, 429: OpenApiTypes.OBJECT},
    )
    @method_portal_read
    def get(self, request: Request) -> Response:
        filterset = parse_search(request.query_params)
        page = filterset.page_number()
        result = published_search(
            q=filterset.query(),
            filters=filterset.search_filters(within_path=site_of(request).agency_path),
            offset=(page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
        url = request.build_absolute_uri()
        has_next = page * PAGE_SIZE < result.total
        search_performed.send(
            PublishedItem, request=request, query=filterset.query(), result_count=result.total, page=page
        )
        return Response(
            {
                "count": result.total,
                "count_is_capped": result.total_is_capped,
                "page": page,
                "next": replace_query_param(url, "page", page + 1) if has_next else None,
                "previous": (
                    None
                    if page == 1
                    else remove_query_param(url, "page")
                    if page == 2
                    else replace_query_param(url, "page", page - 1)
                ),
                "suggestion": result.suggestion,
                "results": SearchHitSerializer(result.items, many=True, context={"request": request}).data,
            }
        )


class PublishedDetailView(APIView):
    @extend_schema(operation_id="published_retrieve", summary="One published answer", responses=PublishedItemSerializer)
    @method_portal_read
    def get(self, request: Request, slug: str) -> Response:
        item = access_published_item(slug)
        return Response(PublishedItemSerializer(item, context={"request": request}).data)


class PublishedSimilarView(APIView):
    @extend_schema(
        operation_id="published_similar",
        summary="Published answers similar to a text",
        description="For a citizen about to ask: published questions whose title resembles the text "
        "(diacritics ignored) or which share its words. Fewer than 6 characters find nothing.",
        parameters=[
            OpenApiParameter(
                "text",
                {"type": "string", "maxLength": SIMILAR_MAX_TEXT},
                description=f"At most {SIMILAR_MAX_TEXT} characters; without it (or with too little) nothing is found.",
            )
        ],
        responses={200: SimilarPageSerializer, 429: OpenApiTypes.OBJECT},
    )
    @method_portal_read
    def get(self, request: Request) -> Response:
        text = request.query_params.get("text", "")
        if len(text) > SIMILAR_MAX_TEXT:
            raise ValidationFailed({"text": [str(_("Send at most %(max)d characters.") % {"max": SIMILAR_MAX_TEXT})]})
        within_path = site_of(request).agency_path
        # Meaning and words fused, with the words shared, when the app that understands text is installed
        # (core/hooks.py); the trigram lookup alone otherwise.
        suggestions = hooks.similar_published.call(text=text, within_path=within_path)
        found: list[tuple[PublishedItem, list[str], str | None]]
        if suggestions is None:
            found = [(item, [], None) for item in published_similar(text=text, within_path=within_path)]
        else:
            found = [(s.obj, s.shared, s.faq_url) for s in suggestions]
        return Response(
            {
                "results": [
                    {
                        "slug": item.slug,
                        "title": item.title,
                        "url": reverse("publication:item", args=[item.slug]),
                        "agency": item.agency.display_name if item.agency else item.origin_agency_name,
                        "published_at": item.published_at,
                        "shared_words": shared,
                        "faq_url": faq_url,
                    }
                    for item, shared, faq_url in found
                ]
            }
        )
