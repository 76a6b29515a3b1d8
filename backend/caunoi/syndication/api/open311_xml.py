"""Open311 GeoReport v2's XML format (the one the specification requires; JSON is its optional twin).

The views build the same plain data for both formats; this renderer spells it as the specification's XML:
a top-level list becomes `<root><item>...</item></root>` (the names come from the view: `services` /
`service`, `service_requests` / `request`), a nested list keeps its key as the wrapper and each element
takes the key's singular (`<attributes><attribute>`, `<values><value>`, `<endpoints><endpoint>`,
`<formats><format>`), booleans are `true`/`false`, a missing value is an empty element. An error answer,
whatever the view, is `<errors><error><code/><description/></error></errors>`.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from rest_framework.renderers import BaseRenderer

SINGULAR = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "services": "service",
    "service_requests": "request",
    "errors": "error",
}


class Open311XMLRenderer(BaseRenderer):
    media_type = "text/xml"
    format = "xml"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        context = renderer_context or {}
        response = context.get("response")
        view = context.get("view")
        if response is not None and response.status_code >= 400:
            root, item = "errors", "error"
        else:
            root = getattr(view, "xml_root", "response")
            item = getattr(view, "xml_item", SINGULAR.get(root, "item"))
        element = Element(root)
        if isinstance(data, list):
            for entry in data:
                _fill(SubElement(element, item), entry)
        else:
            _fill(element, data)
        return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(element, encoding="unicode").encode("utf-8")


def _fill(element: Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(child, list):
                wrapper = SubElement(element, key)
                for entry in child:
                    _fill(SubElement(wrapper, SINGULAR.get(key, "item")), entry)
            else:
                _fill(SubElement(element, key), child)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)
