"""GET /api/v1/categories/ and /api/v1/areas/: the codes intake accepts, so that a client can offer them."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny

from ..selectors import area_list, category_list
from .serializers import AreaQuery, AreaSerializer, CategorySerializer, ReferenceQuery


class AreaPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class CategoryListView(ListAPIView):  # type: ignore[type-arg]
    """The active categories, by name (not paged: a portal has a few dozen)."""

    permission_classes = [AllowAny]
    serializer_class = CategorySerializer
    pagination_class = None
    filter_backends: list[Any] = []

    @extend_schema(operation_id="categories_list", parameters=[ReferenceQuery])
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        query = ReferenceQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return category_list(query=query.validated_data.get("q", ""))


class AreaListView(ListAPIView):  # type: ignore[type-arg]
    """The administrative areas in tree order: the country, then each province followed by its communes
    (100 a page). `?parent=<code>` lists one area's direct children, `?parent=top` the roots."""

    permission_classes = [AllowAny]
    serializer_class = AreaSerializer
    pagination_class = AreaPagination
    filter_backends: list[Any] = []

    @extend_schema(operation_id="areas_list", parameters=[AreaQuery])
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        query = AreaQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        parent = query.validated_data.get("parent")
        return area_list(
            parent=parent if not isinstance(parent, str) else None,
            top=parent == "top",
            query=query.validated_data.get("q", ""),
        )
