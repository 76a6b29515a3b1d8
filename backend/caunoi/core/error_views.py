"""Error responses outside the views (config/urls.py's handler400/403/404/500 and the request guard).

Under the API prefixes every error is JSON in the API's shape, whatever raised it (a body too large, a
suspicious Host header, an unknown address): {"detail": "..."}, or Open311's own list of
{"code", "description"} under /open311/. Elsewhere Django's pages are kept.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, SubElement, tostring

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

API_PREFIXES = ("/api/", "/open311/")


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIXES)


def error_json(request: HttpRequest, message: str, status: int) -> HttpResponse:
    """The API's error body for `message`, in Open311's shape under /open311/ (in XML at an .xml address)."""
    if request.path.startswith("/open311/") and request.path.endswith(".xml"):
        errors = Element("errors")
        error = SubElement(errors, "error")
        SubElement(error, "code").text = str(status)
        SubElement(error, "description").text = str(message)
        body = '<?xml version="1.0" encoding="utf-8"?>\n' + tostring(errors, encoding="unicode")
        return HttpResponse(body.encode("utf-8"), status=status, content_type="text/xml; charset=utf-8")
    if request.path.startswith("/open311/"):
        return JsonResponse([{"code": status, "description": message}], status=status, safe=False)
    return JsonResponse({"detail": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception, template_name: str = "400.html") -> HttpResponse:
    too_big = isinstance(exception, RequestDataTooBig)
    if not is_api_request(request):
        return defaults.bad_request(request, exception, template_name)
    if too_big:
        return error_json(request, _("The request body is too large."), 413)
    # BadRequest raised by this project carries a message for the client; Django's own (a bad Host header,
    # too many fields) say nothing useful beyond "bad request".
    message = str(exception) if type(exception).__name__ == "BadRequest" and str(exception) else ""
    return error_json(request, message or _("The request could not be understood."), 400)


def permission_denied(request: HttpRequest, exception: Exception, template_name: str = "403.html") -> HttpResponse:
    if is_api_request(request):
        return error_json(request, _("You do not have permission to perform this action."), 403)
    return defaults.permission_denied(request, exception, template_name)


def page_not_found(request: HttpRequest, exception: Exception, template_name: str = "404.html") -> HttpResponse:
    if is_api_request(request):
        return error_json(request, _("Not found."), 404)
    return defaults.page_not_found(request, exception, template_name)


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    if is_api_request(request):
        return error_json(request, _("Something went wrong on our side. Please try again later."), 500)
    return defaults.server_error(request, template_name)
