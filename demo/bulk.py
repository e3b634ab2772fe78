"""Fast inserts for seeding tens of thousands of rows.

``bulk_create`` prepares every value through the ORM's SQL compiler and, on SQLite, is held to 999 parameters per
statement (about 50 member rows). Measured on the full demo county (75,000 members), that made it the largest
cost of a seed: ~21 s on SQLite and ~12 s on PostgreSQL for households, members, income sources and categories.
``insert_rows`` prepares each value once with the field's own ``get_db_prep_save`` (plain strings, numbers and
booleans pass through as they are) and sends the rows with PostgreSQL's ``COPY`` (psycopg 3) or SQLite's
``executemany``; any other database falls back to ``bulk_create``.

Like ``bulk_create`` it sends no signals and calls no ``save()``. Automatic primary keys are left to the
database and not read back: use it for rows whose key is set in advance (UUIDs) or never needed afterwards.
"""

from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any

from django.db import connection, models
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone

BATCH_SIZE = 2000
_PASSTHROUGH = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)


def insert_rows(model: type[models.Model], objs: Sequence[models.Model], *, batch_size: int = BATCH_SIZE) -> int:
    """Insert ``objs`` (unsaved instances of ``model``) and return how many rows were written."""
    if not objs:
        return 0
    if connection.vendor not in ("postgresql", "sqlite"):
        model._default_manager.bulk_create(objs, batch_size=batch_size)
        return len(objs)
    fields = [f for f in model._meta.local_concrete_fields if not (f.primary_key and isinstance(f, AutoFieldMixin))]
    getters = [_getter(f) for f in fields]
    rows = [tuple(get(obj) for get in getters) for obj in objs]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            # Identifiers come from the model's metadata, quoted; every value is a bound parameter.
            sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
            for start in range(0, len(rows), batch_size):
                cursor.executemany(sql, rows[start : start + batch_size])
    return len(rows)


def _plain(value: Any) -> Any:
    """Choices members as their values: psycopg would otherwise dump an Enum by its name."""
    return value.value if isinstance(value, Enum) else value


def _getter(field: models.Field) -> Callable[[models.Model], Any]:
    if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
        # The time of the insert, unless the row was given its own (a demo case submitted months ago).
        now = field.get_db_prep_save(timezone.now(), connection)
        attname = field.attname

        def stamp(obj: models.Model) -> Any:
            value = getattr(obj, attname)
            return now if value is None else field.get_db_prep_save(value, connection)

        return stamp
    if isinstance(field, models.ForeignKey):
        target = field.target_field
        convert = None if isinstance(target, _PASSTHROUGH) else target

        def related(obj: models.Model) -> Any:
            value = getattr(obj, field.attname)
            if value is None and field.is_cached(obj):  # assigned before the related row was saved
                other = field.get_cached_value(obj)
                value = other.pk if other is not None else None
            if value is None or convert is None:
                return value
            return convert.get_db_prep_save(value, connection)

        return related
    attname = field.attname
    if isinstance(field, _PASSTHROUGH):
        return lambda obj: _plain(getattr(obj, attname))
    return lambda obj: field.get_db_prep_save(getattr(obj, attname), connection)
