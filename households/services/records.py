"""What the household and member services share: locking and saving a record, copying back what was saved, the
reason written into its history, and the phone number both carry."""

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

from households.validators import validate_phone
from songpan.errors import FieldErrors, field_error

# simple-history stores the reason in a CharField(max_length=100).
REASON_MAX_LENGTH = 100


def check_reason(reason: str) -> str:
    """The reason for a change, stripped; it is required and must fit in the history row."""
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Give a reason for this change."), code="required")
    if len(reason) > REASON_MAX_LENGTH:
        raise field_error(
            "reason",
            _("Keep the reason to %(max)d characters (it has %(length)d)."),
            code="max_length",
            params={"max": REASON_MAX_LENGTH, "length": len(reason)},
        )
    return reason


def clean_phone(phone: Any, errors: FieldErrors, field: str = "phone") -> str:
    return errors.clean_optional(field, validate_phone, phone)


def lock_for_update(model: type[models.Model], instance: models.Model) -> Any:
    return model.objects.select_for_update().get(pk=instance.pk)


def copy_saved_fields(source: models.Model, target: models.Model) -> None:
    """Let a caller holding an older instance see what was saved (no extra query)."""
    if target is source:
        return
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def save_new(instance: models.Model, on_integrity_error: Callable[[], None]) -> None:
    """Insert in a savepoint; a unique constraint that fires anyway (a concurrent insert) becomes a clear error."""
    _save_in_savepoint(instance, on_integrity_error, force_insert=True)


def save_next_version(instance: Any, *, actor: Any, on_integrity_error: Callable[[], None]) -> None:
    """Save a changed record as its next version, by ``actor``; a unique constraint that fires anyway (a
    concurrent change) becomes a clear error."""
    instance.version += 1
    instance._history_user = actor
    _save_in_savepoint(instance, on_integrity_error, force_insert=False)


def _save_in_savepoint(instance: models.Model, on_integrity_error: Callable[[], None], *, force_insert: bool) -> None:
    # on_integrity_error raises the clear error when it can tell what fired; otherwise the IntegrityError goes on.
    try:
        with transaction.atomic():
            instance.save(force_insert=force_insert)
    except IntegrityError:
        on_integrity_error()
        raise
