"""The submit form's place: a province, then (optionally) one of its communes or wards.

Without JavaScript the province is chosen first and the form sent back with "Show its communes" (the page
comes back with everything typed and the province's communes listed); js/commune-choice.js fills the list
from `communes_json` as soon as the province changes. The case's area is the commune if one is chosen, else
the province; the API takes either code in `area`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse, QueryDict
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from caunoi.agencies.models import Area

# Sent by the form's secondary button: show the communes of the province chosen, store nothing.
SHOW_COMMUNES = "show_communes"


def wants_communes_listed(data: QueryDict) -> bool:
    """Whether the form was sent to list a province's communes rather than to be stored: by its "show"
    button, for a province whose communes the page did not list yet. Enter in a text field presses the
    form's first submit button, which is that one: with the list already there (or no province) it means Send."""
    province = (data.get("province") or "").strip()
    return SHOW_COMMUNES in data and bool(province) and data.get("communes_for", "") != province


def communes_of(province_code: str) -> list[Area]:
    """The communes and wards of the province `province_code`, by name; none for an unknown code."""
    if not province_code:
        return []
    return list(
        Area.objects.filter(kind=Area.Kind.COMMUNE, parent__code=province_code, parent__kind=Area.Kind.PROVINCE)
        .only("code", "name")
        .order_by("name", "code")
    )


def chosen_area(data: QueryDict | dict[str, Any]) -> tuple[str, dict[str, list[str]]]:
    """The area code the form means (commune, else province, else an `area` sent as the API does) and the
    errors about the choice, by field (a commune outside the province chosen)."""
    province = (data.get("province") or "").strip()
    commune = (data.get("commune") or "").strip()
    if not commune:
        return province or (data.get("area") or "").strip(), {}
    if province and commune not in {area.code for area in communes_of(province)}:
        return commune, {"commune": [_("Choose a commune or ward of the province chosen, or none.")]}
    return commune, {}


def place_errors_where_chosen(errors: dict[str, Any], data: QueryDict | dict[str, Any]) -> dict[str, Any]:
    """The serializer's errors with one about `area` (an unknown code) moved beside the list it came from."""
    if "area" not in errors:
        return errors
    errors = dict(errors)
    errors["commune" if data.get("commune") else "province"] = errors.pop("area")
    return errors


@require_GET
@cache_control(max_age=3600, public=True)  # the area tree changes with administrative reforms, not hourly
def communes_json(request: HttpRequest) -> JsonResponse:
    """GET /submit/communes/?province=<code>: {"communes": [{"code", "name"}]} for js/commune-choice.js."""
    communes = communes_of(request.GET.get("province", "").strip())
    return JsonResponse({"communes": [{"code": area.code, "name": area.name} for area in communes]})
