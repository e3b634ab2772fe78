import datetime as dt
import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError

from reports import tasks
from reports.models import RollupFact
from reports.periods import Period, county_today, parse
from tests.reports.world import V1, V3, household

D = dt.date


def run(*args) -> str:
    out = StringIO()
    call_command("rollup", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_rollup_of_one_period_and_one_division():
    household(V1, D(2026, 1, 5))
    household(V3, D(2026, 1, 5))
    assert "2026-W48 (week) 513224101: 2 facts" in run("--period", "2026-w48", "--division", "513224101")
    assert set(RollupFact.objects.values_list("period_kind", "period_start", "code")) == {("week", D(2026, 11, 23), V1)}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026-13"], "write 2026-W48 (a week), 2026-11 (a month) or 2026-Q4"),
        (["--period", "2026-W60"], "is not a period"),
        (["--period", "2026-11", "--division", "51x"], "2 to 12 digits"),
        (["--backfill", "2026-11-01", "yesterday"], "'yesterday' is not a date"),
        (["--backfill", "2026-11-01", "2026-10-01"], "FROM must not be after TO"),
    ],
)
def test_bad_periods_are_refused_with_a_clear_message(db, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        run(*args)
    assert not RollupFact.objects.exists()


def test_a_future_period_is_refused(db):
    future = Period.containing("quarter", county_today()).next()
    with pytest.raises(CommandError, match="has not begun"):
        run("--period", future.name)


@pytest.mark.django_db
def test_backfill_prints_progress_for_each_period():
    household(V1, D(2026, 1, 5))
    output = run("--backfill", "2026-09-28", "2026-10-04")
    lines = output.splitlines()
    assert [line.split()[1] for line in lines] == ["2026-W40", "2026-09", "2026-10", "2026-Q3", "2026-Q4"]
    assert lines[0].startswith("[1/5]") and lines[-1].startswith("[5/5]")
    assert RollupFact.objects.filter(metric="households").count() == 5


@pytest.mark.django_db
def test_tasks_are_idempotent_and_compute_the_period_just_ended(monkeypatch):
    household(V1, D(2026, 1, 5))
    monkeypatch.setattr(tasks, "county_today", lambda: D(2026, 12, 1))
    assert tasks.rollup_just_ended.apply(args=["month"]).get()["period"] == "2026-11"
    assert tasks.rollup_period.apply(args=["month", "2026-11-01"]).get()["rows"] == 2
    assert RollupFact.objects.filter(period_start=D(2026, 11, 1)).count() == 2
    done = tasks.rollup_current.apply().get()
    assert [each["period"] for each in done] == ["2026-W49", "2026-12", "2026-Q4"]


def test_tasks_ack_late_and_retry_transient_database_errors():
    for task in (tasks.rollup_period, tasks.rollup_just_ended, tasks.rollup_current):
        assert task.acks_late
        assert OperationalError in task.autoretry_for
        assert task.retry_backoff and task.max_retries


def test_beat_schedules_the_summary_collection_review_and_nightly_refresh():
    schedule = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "reports.tasks.rollup_current" in schedule
    by_kind = {
        entry["args"][0]: entry["schedule"]
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "reports.tasks.rollup_just_ended"
    }
    assert by_kind["week"].day_of_week == {1} and by_kind["week"].hour == {1}
    assert by_kind["month"].day_of_month == {1} and by_kind["month"].hour == {2}
    assert by_kind["quarter"].month_of_year == {1, 4, 7, 10} and by_kind["quarter"].hour == {3}
    assert parse("2026-Q4").previous().name == "2026-Q3"
