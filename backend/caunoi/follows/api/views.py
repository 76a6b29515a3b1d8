"""The API of following and "me too": the pages' services, the pages' limits (core.policy scopes "follow" and
"support" cover these routes through the middleware)."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caunoi.core.errors import NotFound
from caunoi.publication.access import access_published_item

from ..selectors import support_count
from ..services import follow_request, support_add
from .serializers import FollowApiInput, FollowRequestedSerializer, SupportResultSerializer


class FollowView(APIView):
    """POST /api/v1/follows/: follow a published answer, an agency or a category by e-mail. 202: a link to
    confirm was sent to the address (double opt-in: nothing else is sent until it is clicked). The answer is
    the same whether the address already follows it or not."""

    @extend_schema(
        operation_id="follow_request",
        request=FollowApiInput,
        responses={202: FollowRequestedSerializer},
    )
    def post(self, request: Request) -> Response:
        data = FollowApiInput(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = follow_request(**data.validated_data, language=get_language() or "vi")
        detail = _("We sent a link to %(email)s. Open it to confirm; nothing is sent before that.") % {
            "email": subscription.email
        }
        return Response({"detail": detail, "email": subscription.email}, status=status.HTTP_202_ACCEPTED)


class SupportView(APIView):
    """POST /api/v1/published/<slug>/support/: "me too" on a published answer, counted once per account (the
    pages count once per browser as well; through the API an account says who supports)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="published_support", request=None, responses={200: SupportResultSerializer})
    def post(self, request: Request, slug: str) -> Response:
        try:
            item = access_published_item(slug)
        except NotFound as exc:
            raise Http404 from exc
        added = support_add(item=item, supporter=f"u:{request.user.pk}")
        return Response(SupportResultSerializer({"added": added, "supporters": support_count(item)}).data)
