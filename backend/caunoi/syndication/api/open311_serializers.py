"""The shapes of Open311 GeoReport v2 as we serve them, for the OpenAPI schema (/api/schema/).

The views build plain data (Open311's field names are fixed by the standard); these only document it."""

from __future__ import annotations

from rest_framework import serializers


class ServiceSerializer(serializers.Serializer):
    service_code = serializers.CharField(help_text="A category code, e.g. dat-dai.")
    service_name = serializers.CharField()
    description = serializers.CharField()
    metadata = serializers.BooleanField(help_text="Always false: no extra attributes are required.")
    type = serializers.CharField(help_text="Always realtime.")
    keywords = serializers.CharField()
    group = serializers.CharField()


class ServiceRequestInput(serializers.Serializer):
    """Sent form-encoded (application/x-www-form-urlencoded) by Open311 clients; JSON is accepted too."""

    service_code = serializers.CharField(help_text="A category code from services.json.")
    description = serializers.CharField(help_text="10 to 10,000 characters; its start becomes the title.")
    first_name = serializers.CharField()
    last_name = serializers.CharField(required=False)
    email = serializers.EmailField(required=False)
    phone = serializers.CharField(required=False, help_text="A Vietnamese number.")
    address_string = serializers.CharField(required=False)
    address_id = serializers.CharField(required=False, help_text="An area code (province or commune).")
    lat = serializers.FloatField(required=False)
    long = serializers.FloatField(required=False)
    media_url = serializers.URLField(required=False, help_text="Kept as a link in the text; not downloaded.")
    api_key = serializers.CharField(required=False, help_text="Accepted and ignored.")
    attribute_kind = serializers.ChoiceField(
        choices=["question", "feedback", "petition"], required=False, help_text="Sent as attribute[kind]."
    )


class CreatedSerializer(serializers.Serializer):
    service_request_id = serializers.CharField(help_text="The tracking code.")
    service_notice = serializers.CharField()
    account_id = serializers.CharField(allow_null=True)
    access_token = serializers.CharField(help_text="Beyond the standard: the secret code to track the case.")
    expected_datetime = serializers.DateTimeField(allow_null=True)


class ServiceRequestSerializer(serializers.Serializer):
    service_request_id = serializers.CharField(help_text="The published item's slug.")
    status = serializers.CharField(help_text="Always closed: only answered requests are published.")
    status_notes = serializers.CharField(help_text="The answer.")
    service_name = serializers.CharField()
    service_code = serializers.CharField()
    description = serializers.CharField(help_text="The question (personal data redacted).")
    agency_responsible = serializers.CharField()
    service_notice = serializers.CharField()
    requested_datetime = serializers.DateTimeField(allow_null=True)
    updated_datetime = serializers.DateTimeField(allow_null=True)
    expected_datetime = serializers.DateTimeField(allow_null=True)
    address = serializers.CharField()
    address_id = serializers.CharField()
    zipcode = serializers.CharField()
    lat = serializers.FloatField(allow_null=True)
    long = serializers.FloatField(allow_null=True)
    media_url = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    code = serializers.IntegerField()
    description = serializers.CharField(help_text="Starts with the parameter at fault.")
