"""The language switch: a GET form that works without JavaScript, a CSRF token or a cookie on page views.

Django's own `set_language` takes a POST with a CSRF token, so every page carrying the switch embedded a
per-visitor token and set a `csrftoken` cookie: no shared cache could keep any page. A language preference
is not worth protecting from cross-site requests (the worst a forged one does is show the other language),
so this view sets the language cookie on a plain GET and goes back where the visitor was.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.http import require_safe


@require_safe
def switch_language(request: HttpRequest) -> HttpResponseRedirect:
    target = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    language = request.GET.get("language", "")
    if check_for_language(language) and language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=request.is_secure(),
        )
    add_never_cache_headers(response)
    return response
