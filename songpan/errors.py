"""What every app's services use to report bad input.

A service collects the problems with its input in a ``FieldErrors`` and raises them together as one
``ValidationError`` (a dict of field → errors, each with a ``code`` and ``params``), so that a caller sees every
problem at once rather than one per attempt; ``field_error`` builds that error for a single field. An update made
from an out-of-date copy raises ``StaleVersionError`` (``check_version``) and writes nothing.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

__all__ = ["FieldErrors", "StaleVersionError", "StateConflict", "check_version", "field_error"]


class StateConflict(Exception):
    """The action does not fit the record's current state (a case transition not allowed from its status, for
    one); nothing was changed. The API answers 409. Each app raises its own subclass."""


class StaleVersionError(Exception):
    """The record was changed by someone else since the caller read it; nothing was written.

    The API maps this to HTTP 412 (If-Match failed); forms ask the user to reload.
    """

    def __init__(self, *, label: str, expected: int, current: int) -> None:
        self.expected = expected
        self.current = current
        super().__init__(
            gettext(
                "%(label)s was changed by someone else in the meantime (you edited version %(expected)d, it is "
                "now at version %(current)d). Nothing was saved: reload it and make your change again."
            )
            % {"label": label, "expected": expected, "current": current}
        )


def check_version(record: Any, expected_version: int | None, *, label: str) -> None:
    """Raise ``StaleVersionError`` when the caller expects a version of ``record`` (locked) other than its own."""
    if expected_version is not None and expected_version != record.version:
        raise StaleVersionError(label=label, expected=expected_version, current=record.version)


def field_error(field: str, message: Any, code: str, params: dict[str, Any] | None = None) -> ValidationError:
    """One error on one field, for a rule that stops the service on its own."""
    return ValidationError({field: ValidationError(message, code=code, params=params)})


class FieldErrors:
    """Collects field errors so that a caller sees every problem at once, not one per attempt."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[ValidationError]] = {}

    def clean_optional(self, field: str, validator, value) -> str:
        """``value`` stripped and checked by ``validator`` (which returns the normalised value); "" stays "".
        A refusal is collected under ``field`` and the value is returned as given."""
        value = str(value or "").strip()
        if not value:
            return ""
        try:
            return validator(value)
        except ValidationError as exc:
            self.extend(field, exc)
            return value

    def add(self, field: str, message: Any, code: str, params: dict[str, Any] | None = None) -> None:
        self.by_field.setdefault(field, []).append(ValidationError(message, code=code, params=params))

    def append(self, field: str, error: ValidationError) -> None:
        self.by_field.setdefault(field, []).append(error)

    def extend(self, field: str, error: ValidationError) -> None:
        self.by_field.setdefault(field, []).extend(error.error_list)

    def merge(self, error: ValidationError) -> None:
        for field, messages in error.update_error_dict({}).items():
            self.by_field.setdefault(field, []).extend(
                m if isinstance(m, ValidationError) else ValidationError(m) for m in messages
            )

    @classmethod
    def reject_not_updatable(
        cls, changes: Mapping[str, Any], allowed: frozenset[str], hints: Mapping[str, Any]
    ) -> None:
        """Raise an error (code ``not_updatable``) for each field of ``changes`` outside ``allowed``, with its hint
        (why, or where it is changed) or a general message."""
        errors = cls()
        for name in sorted(set(changes) - allowed):
            errors.add(name, hints.get(name, _("This field cannot be changed here.")), code="not_updatable")
        errors.raise_if_any()

    def full_clean(self, instance: models.Model, exclude: Iterable[str]) -> None:
        """Field lengths and choices from the model; uniqueness and rules are checked by the services themselves."""
        try:
            instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            self.merge(exc)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


class ServiceUnavailable(Exception):
    """The system cannot do this now for a reason of its own (not the caller's): pages and the API answer 503."""
