"""Nightly housekeeping: the access log past its retention, expired browser sessions, expired API tokens; what
Celery beat runs, and that the purge command still says what it did."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.contrib.sessions.backends.cache import SessionStore as CacheSessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client, override_settings
from django.urls import get_resolver
from django.utils import timezone
from freezegun import freeze_time

from accounts.audit import access_log_purge
from accounts.models import AccessLog, ApiToken, Role, UserSession
from accounts.sessions import api_token_issue, api_tokens_delete_expired, sessions_clear_expired
from accounts.tasks import clear_expired_sessions, delete_expired_api_tokens, purge_access_log
from songpan.celery import app as celery_app

from .conftest import ME_URL, make_user, web_sign_in

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
LOCAL = ZoneInfo(settings.TIME_ZONE)


def local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=LOCAL)


@pytest.fixture(autouse=True)
def _urls_loaded_before_the_clock_is_frozen():
    """The URLconf imports psycopg's C extension, which refuses to load while freezegun has replaced ``date``."""
    get_resolver().url_patterns  # noqa: B018 - loads the URLconf


# -- the access log ------------------------------------------------------------------------------------------


def insert_entry(days_ago: float, username: str = "someone") -> None:
    """An entry written ``days_ago`` days ago (raw SQL: the model stamps ``at`` itself). Relative to the real
    clock: on PostgreSQL the trigger compares with the database's own ``now()``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_accesslog (at, username, role, event, outcome, object_type, object_id, user_agent,"
            " path, detail) VALUES (%s, %s, '', 'login', 'ok', '', '', '', '', '{}')",
            [timezone.now() - dt.timedelta(days=days_ago), username],
        )


def remaining_entries() -> list[str]:
    return sorted(AccessLog.objects.values_list("username", flat=True))


@pytest.fixture
def aged_log():
    for days in (400, 366, 364, 201, 199, 10):
        insert_entry(days, username=f"{days}-days-ago")


@override_settings(ACCESS_LOG_RETENTION_DAYS=365)
def test_the_purge_deletes_entries_past_the_configured_retention_and_keeps_the_rest(aged_log):
    result = access_log_purge()

    assert result.count == 2
    assert abs(result.cutoff - (timezone.now() - dt.timedelta(days=365))) < dt.timedelta(minutes=1)
    assert remaining_entries() == ["10-days-ago", "199-days-ago", "201-days-ago", "364-days-ago"]


def test_the_purge_takes_a_longer_or_shorter_retention_down_to_the_minimum(aged_log):
    assert access_log_purge(days=200).count == 4
    assert remaining_entries() == ["10-days-ago", "199-days-ago"]

    assert access_log_purge(days=settings.ACCESS_LOG_MINIMUM_RETENTION_DAYS).count == 1
    assert remaining_entries() == ["10-days-ago"]


def test_a_dry_run_counts_and_deletes_nothing(aged_log):
    result = access_log_purge(days=200, dry_run=True)

    assert result.count == 4
    assert AccessLog.objects.count() == 6


@pytest.mark.parametrize("days", [179, 90, 0, -1])
def test_the_purge_refuses_a_retention_under_the_minimum_and_changes_nothing(aged_log, days):
    with pytest.raises(ValidationError) as refused:
        access_log_purge(days=days)

    assert refused.value.message_dict == {"days": ["The access log is kept at least 180 days."]}
    assert refused.value.error_dict["days"][0].code == "under_minimum_retention"
    assert AccessLog.objects.count() == 6


@postgresql_only
def test_the_purge_deletes_on_postgresql_where_the_trigger_refuses_any_other_delete(aged_log):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(username="400-days-ago").delete()

    assert access_log_purge(days=365).count == 2
    assert remaining_entries() == ["10-days-ago", "199-days-ago", "201-days-ago", "364-days-ago"]


@postgresql_only
def test_after_the_purge_the_rest_of_an_enclosing_transaction_may_not_delete(aged_log):
    with transaction.atomic():
        access_log_purge(days=365)
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AccessLog.objects.filter(username="364-days-ago").delete()

    assert "364-days-ago" in remaining_entries()


def run_command(*args) -> str:
    out = StringIO()
    call_command("purge_access_log", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_what_it_deleted_or_would_delete(aged_log):
    with freeze_time(timezone.now()):  # the real clock, held still so that the printed date is known
        cutoff = f"{timezone.now() - dt.timedelta(days=200):%Y-%m-%d}"

        assert run_command("--days", "200", "--dry-run") == f"4 entries older than {cutoff} would be deleted.\n"
        assert AccessLog.objects.count() == 6
        assert run_command("--days", "200") == f"Deleted 4 access-log entries older than {cutoff}.\n"
        assert run_command("--days", "200") == f"Deleted 0 access-log entries older than {cutoff}.\n"

    assert remaining_entries() == ["10-days-ago", "199-days-ago"]


def test_the_command_refuses_a_retention_under_the_minimum(aged_log):
    with pytest.raises(CommandError) as refused:
        run_command("--days", "90")

    assert str(refused.value) == "The access log is kept at least 180 days."
    assert AccessLog.objects.count() == 6


@override_settings(ACCESS_LOG_RETENTION_DAYS=200)
def test_the_task_purges_with_the_configured_retention_and_can_run_again(aged_log):
    assert purge_access_log() == {"deleted": 4}
    assert purge_access_log() == {"deleted": 0}
    assert remaining_entries() == ["10-days-ago", "199-days-ago"]


# -- browser sessions ----------------------------------------------------------------------------------------


def test_expired_sessions_and_their_records_go_and_live_sessions_stay():
    early, late = make_user("liwei"), make_user("zhaomin", Role.TOWNSHIP)
    early_browser, late_browser = Client(), Client()
    with freeze_time(local(1, 8)) as clock:
        assert web_sign_in(early_browser, "liwei").status_code == 302
        early_key = early_browser.session.session_key
        clock.move_to(local(1, 20, 30))
        assert web_sign_in(late_browser, "zhaomin").status_code == 302
        late_key = late_browser.session.session_key
        # a record left behind by a session that is gone already (e.g. deleted from the admin)
        UserSession.objects.create(session_key="x" * 32, user=late)
        clock.move_to(local(1, 20, 45))  # the 08:00 session passed its 12 hours at 20:00

        assert clear_expired_sessions() == {"user_sessions_forgotten": 2}

        assert list(Session.objects.values_list("session_key", flat=True)) == [late_key]
        assert list(UserSession.objects.values_list("session_key", "user")) == [(late_key, late.pk)]
        assert not Session.objects.filter(session_key=early_key).exists()
        assert late_browser.get(ME_URL).status_code == 200  # still signed in
        assert clear_expired_sessions() == {"user_sessions_forgotten": 0}
    assert UserSession.objects.filter(user=early).count() == 0


def test_a_record_of_a_live_session_is_kept_even_when_old():
    user = make_user("liwei")
    browser = Client()
    with freeze_time(local(1, 8)) as clock:
        web_sign_in(browser, "liwei")
        clock.move_to(local(1, 19, 59))

        assert sessions_clear_expired() == 0

    assert UserSession.objects.get().user == user
    assert Session.objects.filter(session_key=UserSession.objects.get().session_key).exists()


def test_records_of_sessions_gone_from_a_cache_session_store_are_forgotten(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    user = make_user("liwei")
    live = CacheSessionStore()
    live.create()
    UserSession.objects.create(session_key=live.session_key, user=user)
    UserSession.objects.create(session_key="x" * 32, user=user)

    assert sessions_clear_expired() == 1

    assert list(UserSession.objects.values_list("session_key", flat=True)) == [live.session_key]


# -- API tokens ----------------------------------------------------------------------------------------------


def test_expired_tokens_are_deleted_and_live_or_unexpiring_ones_kept(en_client):
    user, other = make_user("liwei"), make_user("zhaomin", Role.TOWNSHIP)
    with freeze_time(local(1, 9)) as clock:
        api_token_issue(user=user, device="lost phone")  # expires 31 March, 09:00
        api_token_issue(user=other, device="old tablet")
        clock.move_to(local(20, 9))
        _instance, live = api_token_issue(user=user, device="new phone")  # expires 19 April
        ApiToken.objects.create(user=other, device="kiosk", expiry=None)  # never expires
        clock.move_to(local(31, 9, 1))

        assert delete_expired_api_tokens() == {"deleted": 2}

        remaining = sorted(ApiToken.objects.values_list("user__username", "device"))
        assert remaining == [("liwei", "new phone"), ("zhaomin", "kiosk")]
        assert en_client.get(ME_URL, HTTP_AUTHORIZATION=f"Token {live}").status_code == 200
        assert delete_expired_api_tokens() == {"deleted": 0}


def test_a_token_is_kept_until_its_expiry_has_passed():
    user = make_user("liwei")
    with freeze_time(local(1, 9)) as clock:
        issued = api_token_issue(user=user, device="phone").instance
        clock.move_to(issued.expiry)

        assert api_tokens_delete_expired() == 0
        assert ApiToken.objects.filter(pk=issued.pk).exists()


# -- the schedule --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "task", "minute"),
    [
        ("purge-access-log", "accounts.tasks.purge_access_log", 30),
        ("clear-expired-sessions", "accounts.tasks.clear_expired_sessions", 40),
        ("delete-expired-api-tokens", "accounts.tasks.delete_expired_api_tokens", 50),
    ],
)
def test_housekeeping_runs_every_night_and_is_acknowledged_after_it_ran(entry, task, minute):
    celery_app.loader.import_default_modules()
    scheduled = settings.CELERY_BEAT_SCHEDULE[entry]

    assert scheduled["task"] == task
    schedule = scheduled["schedule"]
    assert isinstance(schedule, crontab)
    assert schedule.hour == {3} and schedule.minute == {minute}
    assert schedule.day_of_week == set(range(7))
    assert schedule.day_of_month == set(range(1, 32)) and schedule.month_of_year == set(range(1, 13))
    assert settings.CELERY_TIMEZONE == settings.TIME_ZONE  # 03:xx in the county's time
    assert celery_app.tasks[task].acks_late
