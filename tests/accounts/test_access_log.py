"""The access log is append-only and kept at least 180 days; its writer refuses sensitive values."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from accounts.audit import access_log_write
from accounts.models import AccessEvent, AccessLog

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")


def insert_entry(days_ago: int) -> None:
    """An entry written ``days_ago`` days ago (raw SQL: the model stamps ``at`` itself)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_accesslog (at, username, role, event, outcome, object_type, object_id, user_agent,"
            " path, detail) VALUES (%s, 'someone', '', 'login', 'ok', '', '', '', '', '{}')",
            [timezone.now() - dt.timedelta(days=days_ago)],
        )


@postgresql_only
def test_the_database_refuses_to_change_or_delete_entries():
    entry = access_log_write(event=AccessEvent.LOGIN, username="someone")

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=entry.pk).update(username="someone else")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=entry.pk).delete()

    assert AccessLog.objects.get(pk=entry.pk).username == "someone"


@override_settings(ACCESS_LOG_RETENTION_DAYS=200)
def test_purge_deletes_only_entries_past_the_retention(capsys):
    insert_entry(days_ago=400)
    insert_entry(days_ago=201)
    insert_entry(days_ago=10)

    call_command("purge_access_log")

    assert "Deleted 2 access-log entries" in capsys.readouterr().out
    assert AccessLog.objects.count() == 1


def test_purge_refuses_a_retention_under_180_days():
    insert_entry(days_ago=100)

    with pytest.raises(CommandError, match="180"):
        call_command("purge_access_log", "--days", "90")

    assert AccessLog.objects.count() == 1


@postgresql_only
def test_even_the_purge_cannot_delete_recent_entries_at_the_database():
    insert_entry(days_ago=30)

    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL songpan.access_log_purge = 'on'")
        AccessLog.objects.all().delete()

    assert AccessLog.objects.count() == 1


@pytest.mark.parametrize("key", ["id_number", "password", "token", "otp", "phone"])
def test_the_writer_refuses_sensitive_values(key):
    with pytest.raises(ValueError, match="sensitive"):
        access_log_write(event=AccessEvent.REVEAL, username="x", detail={key: "secret"})

    assert not AccessLog.objects.exists()
