"""A read-only admin page listing the workflow versions loaded from /workflows (they are files, reviewed
and versioned in the repository, never edited here): /admin/workflows/versions/."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from .registry import workflows


def workflow_versions(request: HttpRequest) -> HttpResponse:
    loaded = workflows()
    context: dict[str, Any] = {
        **admin.site.each_context(request),
        "title": _("Workflow versions in force"),
        "lifecycles": sorted(loaded.lifecycles.values(), key=lambda lc: lc.version),
        "routings": sorted(loaded.routings.values(), key=lambda r: r.version),
        "deadlines": sorted(loaded.deadlines.values(), key=lambda d: d.version),
        "calendar": loaded.calendar,
    }
    return render(request, "admin/workflows/versions.html", context)


_site_urls = admin.site.get_urls


def _get_urls() -> list[Any]:
    # The admin lists models; these versions are files, so the page is added to the site's own URLs.
    return [
        path("workflows/versions/", admin.site.admin_view(workflow_versions), name="workflows_versions"),
        *_site_urls(),
    ]


admin.site.get_urls = _get_urls  # type: ignore[method-assign]
