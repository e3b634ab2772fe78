"""Serializer building blocks shared by the API's apps."""

from collections.abc import Mapping

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
