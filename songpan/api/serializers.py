"""Serializer building blocks shared by the API's apps."""

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class StrictFieldsMixin:
    """Refuses fields it does not know (a typo must not be silently dropped); ``id`` and ``version`` are accepted
    in bodies because clients send back what they read (``version`` is read by ``expected_version``)."""

    # Each unknown key is a 400 on that key (code ``unknown_field``), reported with any other field errors. A
    # serializer whose bodies never carry an id or version sets ``tolerated = frozenset()`` to refuse them too.
    tolerated = frozenset({"id", "version"})

    def to_internal_value(self, data):
        unknown = {}
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            for name in sorted(set(map(str, data)) - writable - self.tolerated):
                unknown[name] = [_("%(name)s is not a field that can be set here.") % {"name": name}]
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if not unknown:
                raise
            detail = error.detail if isinstance(error.detail, dict) else {"non_field_errors": error.detail}
            raise serializers.ValidationError({**detail, **unknown}, code="unknown_field") from None
        if unknown:
            raise serializers.ValidationError(unknown, code="unknown_field")
        return value


class StrictSerializer(StrictFieldsMixin, serializers.Serializer):
    pass


def reader(serializer: serializers.Field) -> Any:
    """Who reads the output: ``context["user"]`` (the sync feed) or the request's user (the API); None if neither."""
    context = serializer.context
    if "user" in context:
        return context["user"]
    request = context.get("request")
    return request.user if request else None


class IsoDateTimeField(serializers.DateTimeField):
    """A moment in ISO 8601 with its offset written out (DRF's own field writes ``Z`` for UTC), in
    ``context["time_zone"]`` when given (the sync feed: UTC, ``+00:00``), else in the current time zone (the API)."""

    def to_representation(self, value):
        if not value:
            return None
        return value.astimezone(self.context.get("time_zone") or timezone.get_current_timezone()).isoformat()


class RecordSerializer(serializers.ModelSerializer):
    """A read-only model serializer whose output is also a sync record (``songpan.api.sync``): the API's detail
    serializer of the model subclasses it, adding its own fields, so that both say the same of the same row.
    The reader (for masking) is ``reader(self)``."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: IsoDateTimeField,
    }
