"""Request and response shapes of the API authentication endpoints (described in the OpenAPI schema)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, write_only=True)
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        write_only=True,
        help_text=_("Required for the county leader and county office roles: an authenticator or backup code."),
    )
    device = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text=_("A name for this device; signing in again on the same device replaces its token."),
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Send as `Authorization: Token <token>`. Shown only once."))
    expiry = serializers.DateTimeField()
    device = serializers.CharField()


class RevokedSerializer(serializers.Serializer):
    revoked = serializers.IntegerField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(required=False)


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField(source="get_full_name")
    role = serializers.CharField()
    division = serializers.CharField(source="division_id", allow_null=True)
    department = serializers.IntegerField(source="department_id", allow_null=True)
