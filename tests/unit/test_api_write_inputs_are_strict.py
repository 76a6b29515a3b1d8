"""Every operation of the API that reads a request body validates it with a serializer that refuses
unknown fields (caunoi.core.serializers): a new endpoint cannot forget it."""

from __future__ import annotations

from caunoi.cases.api.actions import ACTIONS
from caunoi.core.serializers import RejectUnknownFieldsMixin
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.plumbing import build_mock_request
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

WRITES = {"POST", "PUT", "PATCH"}


def _request_serializers():
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    for path, _regex, method, view in generator._get_paths_and_endpoints():
        if method not in WRITES or not path.startswith("/api/"):
            continue
        view.request = build_mock_request(method, path, view, None)
        found = view.schema.get_request_serializer()
        yield f"{method} {path}", found


def test_every_write_operation_reads_its_body_with_a_strict_serializer():
    checked, lax = [], []
    for operation, found in _request_serializers():
        if found is None:
            continue  # no body: the view takes none
        candidates = found.serializers if isinstance(found, PolymorphicProxySerializer) else [found]
        for candidate in candidates:
            serializer_class = type(candidate) if isinstance(candidate, serializers.BaseSerializer) else candidate
            if isinstance(serializer_class, type) and issubclass(serializer_class, serializers.BaseSerializer):
                checked.append(operation)
                if not issubclass(serializer_class, RejectUnknownFieldsMixin):
                    lax.append(f"{operation}: {serializer_class.__name__}")
    assert len(set(checked)) >= 6, checked
    assert not lax, lax


def test_every_handling_action_reads_its_body_strictly():
    assert all(issubclass(spec.input, RejectUnknownFieldsMixin) for spec in ACTIONS.values())
