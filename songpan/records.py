"""How a service writes a versioned record: lock it, check the version the caller edited, save the next version.

Every record a person edits from a form or a phone carries a ``version`` (a ``PositiveIntegerField`` starting at
1): the API sends it as the ETag and takes it back in ``If-Match`` (or ``version`` in the body), forms keep it in a
hidden field. A change made from an out-of-date copy must be refused with nothing written
(``songpan.errors.StaleVersionError``: the API answers 412, a form asks to reload), and each saved change must
bump the version exactly once. Services do it with these functions and never write ``version += 1`` themselves.

A service of a new app (visits, activities) that changes a record::

    from songpan.records import lock_for_update, save_next_version

    @transaction.atomic
    def visit_update(*, actor: User, visit: Visit, expected_version: int | None = None, **changes) -> Visit:
        locked = lock_for_update(visit, expected_version=expected_version, label=visit_label)
        ...                                     # check the actor and the changes (raise: nothing is written)
        if nothing_changed:
            return locked                       # no new version for no change: a replayed PUT stays 200 "1"
        locked.note = changes["note"]
        save_next_version(locked, actor=actor)  # version + 1, the history row names the actor
        return locked

``lock_for_update`` must run inside the service's transaction (``@transaction.atomic``): the row lock lasts until
it ends, so that two changes of one record are checked and saved one after the other, never both from the same
version. A record is created with ``save_new`` (or the model's ``create``) at version 1. An offline create — a
phone choosing the id — is made idempotent in the API by ``songpan.api.viewsets.IdempotentCreateMixin``; the
service only refuses an id that exists already (a ``ValidationError`` on ``id``) and lets the database refuse a
simultaneous second insert.

The model keeps its history with django-simple-history: ``actor`` becomes the history row's user and ``reason``
its change reason.
"""

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction

from songpan.errors import check_version

__all__ = ["copy_saved_fields", "history_by", "lock_for_update", "save_new", "save_next_version"]

Record = TypeVar("Record", bound=models.Model)


def lock_for_update(
    record: Record, *, expected_version: int | None = None, label: Callable[[Record], str] = str
) -> Record:
    """``record`` read again with a row lock held until the end of the transaction, as it is now.

    With ``expected_version`` (the version the caller edited), raise ``StaleVersionError`` — naming the record
    by ``label(locked record)`` — when the record has moved on since; the caller's transaction then writes nothing.
    """
    locked = type(record)._default_manager.select_for_update().get(pk=record.pk)
    check_version(locked, expected_version, label=label(locked) if expected_version is not None else "")
    return locked


def save_next_version(
    record: Any,
    *,
    actor: Any,
    reason: str = "",
    update_fields: Sequence[str] | None = None,
    on_integrity_error: Callable[[], None] | None = None,
) -> None:
    """Save a changed (locked) record as its next version, by ``actor`` (None: the system), with ``reason`` in its
    history when given.

    ``update_fields`` saves only those (``version`` is added). ``on_integrity_error``: save in a savepoint, and
    when a database constraint refuses it anyway (a concurrent change took the same unique value), call it to
    raise the clear error; if it raises nothing, the ``IntegrityError`` goes on.
    """
    record.version += 1
    history_by(record, actor, reason)
    fields = None if update_fields is None else [*update_fields, "version"]
    if on_integrity_error is None:
        record.save(update_fields=fields)
    else:
        _save_in_savepoint(record, on_integrity_error, update_fields=fields)


def history_by(record: models.Model, actor: Any, reason: str = "") -> None:
    """Name ``actor`` (None: the system) and ``reason`` in the history row django-simple-history writes when
    ``record`` is next saved."""
    record._history_user = actor  # type: ignore[attr-defined]  # simple-history reads these two attributes
    if reason:
        record._change_reason = reason  # type: ignore[attr-defined]


def save_new(record: models.Model, *, on_integrity_error: Callable[[], None]) -> None:
    """Insert a new record (at its first version) in a savepoint; when a database constraint refuses it anyway (a
    concurrent insert of the same id or unique value), call ``on_integrity_error`` to raise the clear error."""
    _save_in_savepoint(record, on_integrity_error, force_insert=True)


def copy_saved_fields(source: models.Model, target: models.Model) -> None:
    """Let a caller holding an older instance of the record see what was saved (no extra query)."""
    if target is source:
        return
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def _save_in_savepoint(record: models.Model, on_integrity_error: Callable[[], None], **save_options: Any) -> None:
    try:
        with transaction.atomic():
            record.save(**save_options)
    except IntegrityError:
        on_integrity_error()
        raise
