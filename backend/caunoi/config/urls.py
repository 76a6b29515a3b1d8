from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from caunoi.agencies.api.urls import area_urlpatterns, category_urlpatterns
from caunoi.cases.api.urls import erasure_urlpatterns, queue_urlpatterns
from caunoi.config.metrics import metrics
from caunoi.core import health
from caunoi.core.language import switch_language
from caunoi.core.schema import DocsView, SchemaView
from caunoi.follows.api.urls import follow_urlpatterns, support_urlpatterns

api_v1 = [
    path("auth/", include("caunoi.accounts.api.urls")),
    path("cases/", include("caunoi.understanding.api.urls")),
    path("cases/", include("caunoi.cases.api.urls")),
    path("queue/", include(queue_urlpatterns)),
    path("erasure-requests/", include(erasure_urlpatterns)),
    path("published/", include(support_urlpatterns)),
    path("published/", include("caunoi.publication.api.urls")),
    path("follows/", include(follow_urlpatterns)),
    path("dialogues/", include("caunoi.dialogues.api.urls")),
    path("reports/", include("caunoi.reports.api.urls")),
    path("publication-reviews/", include("caunoi.publication.api.review_urls")),
    path("network/", include("caunoi.syndication.api.network_urls")),
    path("categories/", include(category_urlpatterns)),
    path("areas/", include(area_urlpatterns)),
    path("intake/", include("caunoi.intake.api.urls")),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("i18n/setlang/", switch_language, name="set_language"),
    # The admin's own login would skip two-factor login: everyone logs in through one page.
    path("admin/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    path("admin/", admin.site.urls),
    path("accounts/", include("caunoi.accounts.urls")),
    path("feeds/", include("caunoi.syndication.web.urls")),
    path("open311/v2/", include("caunoi.syndication.api.open311_urls")),
    path("", include("caunoi.portals.urls")),
    path("", include("caunoi.understanding.web.urls")),
    path("", include("caunoi.publication.web.urls")),
    path("", include("caunoi.dialogues.web.urls")),
    path("", include("caunoi.reports.web.urls")),
    path("", include("caunoi.analytics.web.urls")),
    path("", include("caunoi.cases.web.urls")),
    path("", include("caunoi.intake.web.urls")),
    path("", include("caunoi.follows.urls")),
]

# JSON under /api/ and /open311/, Django's pages elsewhere (caunoi.core.error_views).
handler400 = "caunoi.core.error_views.bad_request"
handler403 = "caunoi.core.error_views.permission_denied"
handler404 = "caunoi.core.error_views.page_not_found"
handler500 = "caunoi.core.error_views.server_error"
