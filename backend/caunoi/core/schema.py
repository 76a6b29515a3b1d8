"""The OpenAPI document's shared parts: every operation's error responses, added in one postprocessing hook
(drf-spectacular's POSTPROCESSING_HOOKS) rather than by hand on each view, and the schema view itself.

The error bodies are the ones caunoi.core.api and caunoi.core.error_views produce: {"detail": "..."} (with
extra keys for some refusals), field errors as {"field": ["message", ...]} for 400, and under /open311/
Open311's list of {"code", "description"}.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.request import Request

# status → what it means for any operation of this API. 413 is added only where there is a request body.
ERROR_RESPONSES = {
    "400": "The request is invalid: a parameter, field or body that cannot be used. Field errors name the field.",
    "401": "Authentication is required, or the credentials sent are not valid.",
    "403": "The authenticated user may not do this (or the account is locked).",
    "404": "No such object, or the client may not see it: both look the same.",
    "409": "The object changed state meanwhile (for example, another official acted first); reload and retry.",
    "413": "The request body is larger than the service accepts.",
    "429": "Too many requests from this client address; try again later.",
    "503": "The service is briefly unavailable (Retry-After says when to try again).",
}

ERROR_SCHEMA = {
    "type": "object",
    "description": "An error: `detail` says what is wrong, in the request's language; some carry more keys.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": "Either `detail`, or each invalid field with a list of messages (nested for nested fields).",
    "additionalProperties": True,
}
OPEN311_ERROR_SCHEMA = {
    "type": "array",
    "description": "Open311 GeoReport v2 errors.",
    "items": {
        "type": "object",
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        "required": ["code", "description"],
    },
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: documents every error status on every operation, without
    replacing the ones a view documents itself (a more precise schema or description)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    schemas.setdefault("ValidationError", VALIDATION_ERROR_SCHEMA)
    schemas.setdefault("Open311Errors", OPEN311_ERROR_SCHEMA)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            for parameter in operation.get("parameters", []):
                # Query parameters are parsed by forms, filtersets and serializers that read an empty value
                # ("?to=", a form's "any" option) as absent: the document says so (Open311's parsers too).
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_RESPONSES.items():
                if status == "413" and "requestBody" not in operation:
                    continue
                if status not in responses:
                    responses[status] = _response(path, status, description)
                elif not responses[status].get("content"):
                    # A view that described the error in words only: the body is still the API's error shape.
                    responses[status]["content"] = _response(path, status, description)["content"]
    return result


def _response(path: str, status: str, description: str) -> dict[str, Any]:
    name = "Open311Errors" if path.startswith("/open311/") else "ValidationError" if status == "400" else "Error"
    # Open311's .xml endpoints answer errors in XML too (<errors><error>), with the same fields.
    media_type = "text/xml" if path.endswith(".xml") else "application/json"
    response: dict[str, Any] = {
        "description": description,
        "content": {media_type: {"schema": {"$ref": f"#/components/schemas/{name}"}}},
    }
    if status == "503":
        response["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}
    return response


class SchemaView(SpectacularAPIView):
    """/api/schema/: drf-spectacular's view with a plain ASCII file name. The title ("Cầu Nối API") would be
    sent RFC 2047-encoded in Content-Disposition, which browsers and HTTP clients do not decode."""

    def _get_filename(self, request: Request, version: str | None) -> str:
        suffix = self.perform_content_negotiation(request, force=True)[0].format
        return f"caunoi-api{f'-{version}' if version else ''}.{suffix}"


class DocsView(SpectacularSwaggerSplitView):
    """/api/docs/: the Swagger page. Only GET and HEAD: drf-spectacular's view answers every method through its
    HTML template, which cannot render OPTIONS' description of the view or another method's refusal (a 500)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in {"GET", "HEAD"}:
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return super().dispatch(request, *args, **kwargs)
