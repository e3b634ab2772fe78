"""Argument helpers shared by the ledger commands: look up the acting user, cadres and divisions by id."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from accounts.models import User
from cadres.models import Cadre
from divisions.models import Division


def actor_by_username(username: str | None) -> User | None:
    if not username:
        return None
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"No user named {username!r}.") from None


def cadre_by_id(value: str) -> Cadre:
    try:
        return Cadre.objects.get(pk=int(value))
    except (ValueError, Cadre.DoesNotExist):
        raise CommandError(f"No cadre with id {value!r}.") from None


def division_by_code(code: str) -> Division:
    try:
        return Division.objects.get(pk=code)
    except Division.DoesNotExist:
        raise CommandError(f"No division with code {code!r}.") from None


def parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from None


def validation_error_text(error: ValidationError) -> str:
    """All messages of a ValidationError on one line each, field names first."""
    if hasattr(error, "message_dict"):
        return "\n".join(f"{name}: {message}" for name, messages in error.message_dict.items() for message in messages)
    return "\n".join(error.messages)
