"""The accountability sweep (DESIGN §5, 问责制) under a frozen clock, through the real Celery task function.

The road problem of ``case_world`` is assigned on 2 March 2026 to the transport bureau (30 days by the catch-all
"normal" policy: deadline 1 April, then 10 days of grace after the supervision notice).
"""

import datetime as dt
import logging
import socket
import uuid
from contextlib import contextmanager
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab
from django.apps import apps as django_apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.utils import timezone
from freezegun import freeze_time

from grievances.models import (
    AccountabilityKind,
    AccountabilityRecord,
    Case,
    CaseEvent,
    CaseLevel,
    CaseStatus,
    EventAction,
    Notification,
    NotificationKind,
)
from grievances.tasks import sweep_overdue_cases
from songpan.celery import app as celery_app

LOCAL = ZoneInfo(settings.TIME_ZONE)
ASSIGNED_ON = dt.date(2026, 3, 2)
DEADLINE = dt.date(2026, 4, 1)
FIRST_OVERDUE_DAY = dt.date(2026, 4, 2)
PENALTY_AFTER = dt.date(2026, 4, 12)  # the first overdue day + 10 days of grace


def morning(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9, 0), tzinfo=LOCAL)


@contextmanager
def clock(day: dt.date):
    """Freeze the clock at 9:00 local time on ``day``; ``.move_to(morning(other_day))`` moves it on."""
    with freeze_time(morning(day)) as frozen:
        yield frozen


def sweep() -> dict[str, int]:
    """The beat's task, run in this process (its body, as a worker would run it)."""
    return sweep_overdue_cases()


def snapshot(case: Case) -> tuple:
    case.refresh_from_db()
    return (
        case.status,
        case.level,
        case.version,
        case.overdue_since,
        case.penalty_after,
        list(CaseEvent.objects.filter(case=case).values_list("pk", "action")),
        list(AccountabilityRecord.objects.filter(case=case).values_list("pk", "kind", "unit_id", "deadline")),
        list(Notification.objects.filter(case=case).values_list("pk", "kind", "unit_id")),
    )


@pytest.fixture
def in_progress(case_world):
    """The road problem, in progress with the transport bureau since 2 March."""
    with clock(ASSIGNED_ON):
        case = case_world.to_status(case_world.submit(), "in_progress")
    assert (case.deadline, case.responsible_unit, case.level) == (DEADLINE, case_world.transport, CaseLevel.VILLAGE)
    return case


def test_a_case_is_not_overdue_on_its_deadline_day(in_progress):
    before = snapshot(in_progress)
    with clock(DEADLINE):
        assert sweep() == {"marked": 0, "penalised": 0}
    assert snapshot(in_progress) == before


def test_the_day_after_the_deadline_the_case_is_marked_escalated_and_its_unit_supervised(case_world, in_progress):
    w, case = case_world, in_progress
    version = case.version
    events_before = CaseEvent.objects.filter(case=case).count()
    # When the sweep runs the morning after the deadline
    with clock(FIRST_OVERDUE_DAY):
        result = sweep()
    # Then the case is marked, moved up to the township, and the accountability clock runs
    assert result == {"marked": 1, "penalised": 0}
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert (case.overdue_since, case.penalty_after) == (FIRST_OVERDUE_DAY, PENALTY_AFTER)
    assert case.level == CaseLevel.TOWNSHIP
    assert case.version == version + 1
    # A supervision notice against the lead unit for the missed deadline
    record = AccountabilityRecord.objects.get(case=case)
    assert (record.kind, record.unit, record.deadline, record.days_overdue) == (
        AccountabilityKind.SUPERVISION,
        w.transport,
        DEADLINE,
        1,
    )
    # The unit is told
    assert list(Notification.objects.filter(case=case, kind=NotificationKind.OVERDUE).values_list("unit", flat=True))
    assert set(
        Notification.objects.filter(case=case, kind=NotificationKind.OVERDUE).values_list("unit", flat=True)
    ) == {w.transport.pk}
    # One "overdue" event on the timeline, written by nobody (the system), with the level change
    assert CaseEvent.objects.filter(case=case).count() == events_before + 1
    event = CaseEvent.objects.filter(case=case).order_by("at", "id").last()
    assert event.action == EventAction.OVERDUE and event.actor is None
    assert (event.from_status, event.to_status) == (CaseStatus.IN_PROGRESS, CaseStatus.IN_PROGRESS)
    assert event.detail == {"from_level": "village", "to_level": "township"}
    assert event.at.astimezone(LOCAL).date() == FIRST_OVERDUE_DAY


def test_running_the_sweep_again_changes_nothing(in_progress):
    with clock(FIRST_OVERDUE_DAY) as frozen:
        sweep()
        after_first = snapshot(in_progress)
        # the same day again (a retried task, a second beat)
        assert sweep() == {"marked": 0, "penalised": 0}
        assert snapshot(in_progress) == after_first
        # and every day of the grace period, its last day included
        for day in range(1, 11):
            frozen.move_to(morning(FIRST_OVERDUE_DAY + dt.timedelta(days=day)))
            assert sweep() == {"marked": 0, "penalised": 0}
        assert snapshot(in_progress) == after_first


def test_after_the_grace_days_a_penalty_is_recorded_once_and_the_case_goes_to_the_county(case_world, in_progress):
    w, case = case_world, in_progress
    with clock(FIRST_OVERDUE_DAY) as frozen:
        sweep()
        # When the sweep runs the day after ``penalty_after`` and the case is still not resolved
        frozen.move_to(morning(PENALTY_AFTER + dt.timedelta(days=1)))
        result = sweep()
        # Then a penalty is recorded against the lead unit, the case is held at county level, the unit is told
        assert result == {"marked": 0, "penalised": 1}
        penalty = AccountabilityRecord.objects.get(case=case, kind=AccountabilityKind.PENALTY)
        assert (penalty.unit, penalty.deadline, penalty.days_overdue) == (w.transport, DEADLINE, 12)
        case.refresh_from_db()
        assert case.level == CaseLevel.COUNTY and case.penalty_after is None
        assert case.overdue_since == FIRST_OVERDUE_DAY
        assert Notification.objects.filter(case=case, kind=NotificationKind.PENALTY, unit=w.transport).count() == 1
        event = CaseEvent.objects.filter(case=case).order_by("at", "id").last()
        assert (event.action, event.actor, event.detail) == (
            EventAction.PENALTY,
            None,
            {"from_level": "township", "to_level": "county"},
        )
        after_penalty = snapshot(case)
        # And only once: the same day again, and every day after
        assert sweep() == {"marked": 0, "penalised": 0}
        for day in (1, 2, 30):
            frozen.move_to(morning(PENALTY_AFTER + dt.timedelta(days=1 + day)))
            assert sweep() == {"marked": 0, "penalised": 0}
        assert snapshot(case) == after_penalty
    kinds = list(AccountabilityRecord.objects.filter(case=case).order_by("kind").values_list("kind", flat=True))
    assert kinds == [AccountabilityKind.PENALTY, AccountabilityKind.SUPERVISION]


def test_a_case_already_held_at_county_level_is_not_escalated_beyond_it(case_world, in_progress):
    w, case = case_world, in_progress
    with clock(dt.date(2026, 3, 10)) as frozen:
        case = w.take(case, "escalate", w.township, note="The township cannot move the bureau.")
        case = w.take(case, "escalate", w.office, note="County supervision from the start.")
        assert case.level == CaseLevel.COUNTY
        frozen.move_to(morning(FIRST_OVERDUE_DAY))
        assert sweep() == {"marked": 1, "penalised": 0}
        case.refresh_from_db()
        assert case.level == CaseLevel.COUNTY and case.overdue_since == FIRST_OVERDUE_DAY
        overdue = CaseEvent.objects.get(case=case, action=EventAction.OVERDUE)
        assert overdue.actor is None and overdue.detail == {}  # no level change to record
        frozen.move_to(morning(PENALTY_AFTER + dt.timedelta(days=1)))
        assert sweep() == {"marked": 0, "penalised": 1}
        case.refresh_from_db()
        assert case.level == CaseLevel.COUNTY
    assert CaseEvent.objects.filter(case=case, action=EventAction.PENALTY).count() == 1
    assert set(AccountabilityRecord.objects.filter(case=case).values_list("kind", flat=True)) == {
        AccountabilityKind.SUPERVISION,
        AccountabilityKind.PENALTY,
    }


@pytest.mark.parametrize("status", ["resolved", "closed"])
def test_a_case_resolved_before_the_sweep_is_left_alone(case_world, status):
    w = case_world
    with clock(ASSIGNED_ON):
        case = w.to_status(w.submit(), status)
    before = snapshot(case)
    with clock(FIRST_OVERDUE_DAY + dt.timedelta(days=30)):
        assert sweep() == {"marked": 0, "penalised": 0}
    assert snapshot(case) == before
    assert not AccountabilityRecord.objects.exists()


def test_cases_not_yet_with_a_unit_are_left_alone(case_world):
    w = case_world
    with clock(ASSIGNED_ON):
        submitted, accepted = w.submit(), w.to_status(w.submit(), "accepted")
    with clock(FIRST_OVERDUE_DAY + dt.timedelta(days=60)):
        assert sweep() == {"marked": 0, "penalised": 0}
    assert not AccountabilityRecord.objects.exists()
    assert {submitted.status, accepted.status} == {CaseStatus.SUBMITTED, CaseStatus.ACCEPTED}


def test_a_referral_with_a_new_deadline_restarts_the_clock(case_world, in_progress):
    w, case = case_world, in_progress
    with clock(FIRST_OVERDUE_DAY) as frozen:
        sweep()
        # When the township refers the overdue case to the education bureau on 5 April
        frozen.move_to(morning(dt.date(2026, 4, 5)))
        case = w.take(case, "reassign", w.township, unit=w.education, reason="A school road: the bureau builds it.")
        # Then the new unit has a new deadline and the clock starts again
        assert (case.responsible_unit, case.deadline) == (w.education, dt.date(2026, 5, 5))
        assert (case.overdue_since, case.penalty_after) == (None, None)
        # No penalty at the end of the old grace period, nothing while the new deadline runs
        for day in (dt.date(2026, 4, 13), dt.date(2026, 5, 5)):
            frozen.move_to(morning(day))
            assert sweep() == {"marked": 0, "penalised": 0}
        assert not AccountabilityRecord.objects.filter(kind=AccountabilityKind.PENALTY).exists()
        # The day after the new deadline: the new unit is supervised, and the case moves up again
        frozen.move_to(morning(dt.date(2026, 5, 6)))
        assert sweep() == {"marked": 1, "penalised": 0}
    case.refresh_from_db()
    assert case.overdue_since == dt.date(2026, 5, 6) and case.level == CaseLevel.COUNTY
    supervision = AccountabilityRecord.objects.filter(case=case, kind=AccountabilityKind.SUPERVISION)
    assert set(supervision.values_list("unit", "deadline")) == {
        (w.transport.pk, DEADLINE),
        (w.education.pk, dt.date(2026, 5, 5)),
    }
    assert Notification.objects.filter(case=case, kind=NotificationKind.OVERDUE, unit=w.education).count() == 1


def test_a_reopened_case_gets_a_fresh_deadline(case_world, in_progress):
    w, case = case_world, in_progress
    with clock(FIRST_OVERDUE_DAY) as frozen:
        sweep()
        # Given the bureau resolves the case late, and the household is not satisfied on 6 April
        frozen.move_to(morning(dt.date(2026, 4, 5)))
        case = w.take(case, "resolve", w.department, note="Gravel laid.")
        frozen.move_to(morning(dt.date(2026, 4, 6)))
        case = w.take(case, "close", w.cadre, satisfaction="not_satisfied", note="Washed out again by the rain.")
        # Then the case is back with the bureau, 30 new days to go, and a clean accountability clock
        assert case.status == CaseStatus.IN_PROGRESS and case.reopen_count == 1
        assert (case.deadline, case.overdue_since, case.penalty_after) == (dt.date(2026, 5, 6), None, None)
        for day in (dt.date(2026, 4, 13), dt.date(2026, 5, 6)):
            frozen.move_to(morning(day))
            assert sweep() == {"marked": 0, "penalised": 0}
        frozen.move_to(morning(dt.date(2026, 5, 7)))
        assert sweep() == {"marked": 1, "penalised": 0}
    assert set(
        AccountabilityRecord.objects.filter(case=case, kind=AccountabilityKind.SUPERVISION).values_list(
            "deadline", flat=True
        )
    ) == {DEADLINE, dt.date(2026, 5, 6)}
    assert not AccountabilityRecord.objects.filter(kind=AccountabilityKind.PENALTY).exists()


def test_the_sweep_handles_many_cases_in_one_run(case_world):
    w = case_world
    with clock(ASSIGNED_ON):
        cases = [w.to_status(w.submit(), "in_progress") for _ in range(3)]
        resolved = w.to_status(w.submit(), "resolved")
    with clock(FIRST_OVERDUE_DAY):
        assert sweep() == {"marked": 3, "penalised": 0}
    assert AccountabilityRecord.objects.filter(case__in=cases).count() == 3
    assert not AccountabilityRecord.objects.filter(case=resolved).exists()


# -- the schedule ------------------------------------------------------------------------------------------


def test_the_beat_schedule_names_registered_tasks_run_daily():
    # The worker imports every app's tasks.py on start (autodiscovery); do the same.
    celery_app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["sweep-overdue-cases"]["task"] == "grievances.tasks.sweep_overdue_cases"
    for name, entry in schedule.items():
        assert entry["task"] in celery_app.tasks, name
    sweep_entry = schedule["sweep-overdue-cases"]["schedule"]
    assert isinstance(sweep_entry, crontab)
    # once a day: one hour, one minute, every day of the week and month, every month
    assert len(sweep_entry.hour) == 1 and len(sweep_entry.minute) == 1
    assert sweep_entry.day_of_week == set(range(7))
    assert sweep_entry.day_of_month == set(range(1, 32)) and sweep_entry.month_of_year == set(range(1, 13))
    assert sweep_entry.hour == {settings.SONGPAN_OVERDUE_SWEEP_HOUR}
    # acknowledged after it ran: a worker dying half-way leaves the message for the next one (the task is idempotent)
    assert celery_app.tasks["grievances.tasks.sweep_overdue_cases"].acks_late


# -- the management command --------------------------------------------------------------------------------


def run_command(*args: str) -> str:
    out = StringIO()
    call_command("sweep_overdue", *args, stdout=out)
    return out.getvalue()


def test_the_command_sweeps_today_and_prints_what_it_did(in_progress):
    with clock(FIRST_OVERDUE_DAY):
        output = run_command()
        again = run_command()
    assert f"Overdue sweep of {FIRST_OVERDUE_DAY}: 1 newly overdue, 0 penalised." in output
    assert in_progress.reference in output
    assert f"Overdue sweep of {FIRST_OVERDUE_DAY}: 0 newly overdue, 0 penalised." in again
    in_progress.refresh_from_db()
    assert in_progress.overdue_since == FIRST_OVERDUE_DAY


def test_the_command_sweeps_a_given_past_date(in_progress):
    with clock(dt.date(2026, 4, 20)):
        output = run_command("--date", "2026-04-02")
    assert "Overdue sweep of 2026-04-02: 1 newly overdue, 0 penalised." in output
    in_progress.refresh_from_db()
    assert (in_progress.overdue_since, in_progress.penalty_after) == (FIRST_OVERDUE_DAY, PENALTY_AFTER)
    record = AccountabilityRecord.objects.get(case=in_progress)
    assert record.days_overdue == 1


@pytest.mark.parametrize(
    ("value", "message"), [("2026-13-01", "YYYY-MM-DD"), ("yesterday", "YYYY-MM-DD"), ("2026-04-03", "future")]
)
def test_the_command_refuses_a_bad_or_future_date_and_changes_nothing(in_progress, value, message):
    before = snapshot(in_progress)
    with clock(FIRST_OVERDUE_DAY), pytest.raises(CommandError, match=message):
        run_command("--date", value)
    assert snapshot(in_progress) == before


# -- a real worker -----------------------------------------------------------------------------------------


def _redis_reachable() -> bool:
    broker = celery_app.connection_for_write()
    host, port = broker.hostname or "127.0.0.1", broker.port or 6379
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def root_logging_kept():
    """The embedded worker sets up Celery's logging, which takes over the root logger; give it back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis broker reachable (CELERY_BROKER_URL)")
@pytest.mark.django_db(
    transaction=True,
    serialized_rollback=True,
    # Listing every app makes the flush after the test TRUNCATE … CASCADE: PostgreSQL refuses to empty
    # accounts_user otherwise, because knox's own (swapped-out, always empty) token table still points at it.
    available_apps=[app.name for app in django_apps.get_app_configs()],
)
def test_a_real_worker_runs_the_task_from_the_redis_broker(case_world):
    """The beat's message goes through Redis to a worker (in a thread of this process) that sweeps the database.

    The worker's thread has its own database connection, which cannot see the uncommitted transaction of an
    ordinary test: this test commits (``transaction=True``: the tables are emptied afterwards and the rows the
    migrations wrote are restored before the next such test; pytest-django runs these tests after the others).
    Its own queue keeps any other worker on the same Redis away from its message.
    """
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    w = case_world
    # Given a case assigned two months ago, whose deadline passed a month ago (the real clock, for the worker)
    today = timezone.localdate()
    with clock(today - dt.timedelta(days=60)):
        case = w.to_status(w.submit(), "in_progress")
    assert case.deadline < today

    def close_worker_connections(**_kwargs):
        connections.close_all()  # the worker thread's own connections, so that the test database can be dropped

    queue = f"songpan-test-{uuid.uuid4().hex}"
    task_postrun.connect(close_worker_connections, weak=False)
    try:
        with (
            root_logging_kept(),
            start_worker(celery_app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30),
        ):
            # When the task is sent through the broker, as beat sends it
            result = sweep_overdue_cases.apply_async(queue=queue)
            outcome = result.get(timeout=30)
    finally:
        task_postrun.disconnect(close_worker_connections)
        with celery_app.connection_for_write() as broker:  # leave nothing of the test's queue on the broker
            bound = celery_app.amqp.queues[queue](broker.default_channel)
            bound.declare()  # known to this channel, so that the delete also drops its bindings
            bound.delete()
    # Then the worker swept the committed case
    assert outcome == {"marked": 1, "penalised": 0}
    case.refresh_from_db()
    assert case.overdue_since == today and case.level == CaseLevel.TOWNSHIP
    assert AccountabilityRecord.objects.filter(case=case, kind=AccountabilityKind.SUPERVISION).count() == 1
    assert CaseEvent.objects.filter(case=case, action=EventAction.OVERDUE, actor__isnull=True).count() == 1
