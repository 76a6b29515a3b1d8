"""The shapes of Open311 GeoReport v2 as we serve them, for the OpenAPI schema (/api/schema/).

The views build plain data (Open311's field names are fixed by the standard); these only document it."""

from __future__ import annotations

from rest_framework import serializers


class ServiceSerializer(serializers.Serializer):
    service_code = serializers.CharField(help_text="A category code, e.g. dat-dai.")
    service_name = serializers.CharField(allow_blank=True)
    description = serializers.CharField()
    metadata = serializers.BooleanField(help_text="Always true: see the service definition's attributes.")
    type = serializers.CharField(help_text="Always realtime.")
    keywords = serializers.CharField(allow_blank=True)
    group = serializers.CharField(allow_blank=True)


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
    jurisdiction_id = serializers.CharField(required=False, help_text="Accepted and ignored.")
    device_id = serializers.CharField(required=False, help_text="Accepted and ignored.")
    account_id = serializers.CharField(required=False, help_text="Accepted and ignored.")


# The attributes of the service definitions, named as Open311 sends them (attribute[<code>]).
ServiceRequestInput._declared_fields["attribute[kind]"] = serializers.ChoiceField(
    choices=["question", "feedback", "petition"], required=False
)
ServiceRequestInput._declared_fields["attribute[consent_to_publish]"] = serializers.ChoiceField(
    choices=["true", "false"], required=False
)


class CreatedSerializer(serializers.Serializer):
    service_request_id = serializers.CharField(help_text="The tracking code: the id of GET requests/<id>.")
    token = serializers.CharField(help_text="GET tokens/<token> answers with the same service_request_id.")
    service_notice = serializers.CharField()
    account_id = serializers.CharField(allow_null=True)
    access_token = serializers.CharField(help_text="Beyond the standard: the secret code to track the case.")
    expected_datetime = serializers.DateTimeField(allow_null=True)


class ServiceRequestSerializer(serializers.Serializer):
    service_request_id = serializers.CharField(
        help_text="The tracking code (what POST requests returned); a published dialogue answer's slug."
    )
    status = serializers.ChoiceField(choices=["open", "closed"], help_text="closed once answered or decided.")
    status_notes = serializers.CharField(
        allow_blank=True, help_text="The published answer, or the public label of the request's status."
    )
    service_name = serializers.CharField(allow_blank=True)
    service_code = serializers.CharField(allow_blank=True)
    description = serializers.CharField(
        allow_blank=True, help_text="The question (personal data redacted), once published; empty before."
    )
    agency_responsible = serializers.CharField(allow_blank=True)
    service_notice = serializers.CharField(allow_blank=True)
    requested_datetime = serializers.DateTimeField(allow_null=True)
    updated_datetime = serializers.DateTimeField(allow_null=True)
    expected_datetime = serializers.DateTimeField(allow_null=True)
    address = serializers.CharField(allow_blank=True)
    address_id = serializers.CharField(allow_blank=True)
    zipcode = serializers.CharField(allow_blank=True)
    lat = serializers.FloatField(allow_null=True)
    long = serializers.FloatField(allow_null=True)
    media_url = serializers.CharField(allow_blank=True)


class AttributeValueSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()


class AttributeSerializer(serializers.Serializer):
    variable = serializers.BooleanField()
    code = serializers.CharField(help_text="Sent as attribute[<code>] with POST requests.")
    datatype = serializers.CharField()
    required = serializers.BooleanField()  # type: ignore[assignment]
    datatype_description = serializers.CharField()
    order = serializers.IntegerField()
    description = serializers.CharField()
    values = AttributeValueSerializer(many=True)


class ServiceDefinitionSerializer(serializers.Serializer):
    service_code = serializers.CharField()
    attributes = AttributeSerializer(many=True)


class EndpointSerializer(serializers.Serializer):
    specification = serializers.CharField()
    url = serializers.CharField()
    changeset = serializers.CharField()
    type = serializers.CharField()
    formats = serializers.ListField(child=serializers.CharField())


class DiscoverySerializer(serializers.Serializer):
    changeset = serializers.CharField()
    contact = serializers.CharField()
    key_service = serializers.CharField()
    endpoints = EndpointSerializer(many=True)


class Open311TokenSerializer(serializers.Serializer):
    service_request_id = serializers.CharField()
    token = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    code = serializers.IntegerField()
    description = serializers.CharField(help_text="Starts with the parameter at fault.")
