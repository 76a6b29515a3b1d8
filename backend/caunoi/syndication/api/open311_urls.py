"""Open311 GeoReport v2, mounted under /open311/v2/ in config/urls.py. Every endpoint in both formats:
`.xml` (the one the specification requires) and `.json`, each route with its own renderer so that the
OpenAPI document says which content type each answers with. Route names: `<name>` for JSON (the names
the abuse policy and earlier clients know), `<name>-xml` for XML."""

from typing import Any

from django.urls import URLPattern, path
from rest_framework.renderers import JSONRenderer

from .open311 import (
    DiscoveryView,
    Open311View,
    RequestDetailView,
    RequestsView,
    ServiceDefinitionView,
    ServicesView,
    TokenView,
)
from .open311_xml import Open311XMLRenderer

app_name = "open311"


def both_formats(route: str, view: type[Open311View], name: str) -> list[URLPattern]:
    json_view: Any = view.as_view(renderer_classes=[JSONRenderer])
    xml_view: Any = view.as_view(renderer_classes=[Open311XMLRenderer])
    return [path(f"{route}.json", json_view, name=name), path(f"{route}.xml", xml_view, name=f"{name}-xml")]


urlpatterns = [
    *both_formats("discovery", DiscoveryView, "discovery"),
    *both_formats("services", ServicesView, "services"),
    *both_formats("services/<slug:service_code>", ServiceDefinitionView, "service-definition"),
    *both_formats("requests", RequestsView, "requests"),
    *both_formats("requests/<str:request_id>", RequestDetailView, "request-detail"),
    *both_formats("tokens/<str:token>", TokenView, "token"),
]
