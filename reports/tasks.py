"""Roll-up jobs on Celery (beat: ``CELERY_BEAT_SCHEDULE`` in settings). Each task is idempotent (it replaces its
period) and acknowledged late, so a worker killed mid-period leaves the task to be run again whole."""

import datetime as dt

from celery import shared_task
from django.db import OperationalError

from .periods import KINDS, Period, county_today
from .services import rollup_compute

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": 30, "retry_backoff_max": 600, "max_retries": 5}


@shared_task(name="reports.tasks.rollup_period", acks_late=True, **RETRY)
def rollup_period(kind: str, start: str, division: str | None = None) -> dict:
    """Compute one period (``start``: its first day, ISO format) for every village or those under ``division``."""
    period = Period.starting(kind, dt.date.fromisoformat(start))
    result = rollup_compute(period=period, division=division or "")
    return {"period": period.name, "division": division or "", "rows": result.rows, "seconds": result.seconds}


@shared_task(name="reports.tasks.rollup_just_ended", acks_late=True, **RETRY)
def rollup_just_ended(kind: str) -> dict:
    """The weekly summary, monthly collection or quarterly review: the period of ``kind`` that ended yesterday
    (beat runs it on the period's first day)."""
    period = Period.containing(kind, county_today()).previous()
    return rollup_period(kind, period.start.isoformat())


@shared_task(name="reports.tasks.rollup_current", acks_late=True, **RETRY)
def rollup_current() -> list[dict]:
    """The nightly refresh of the periods under way (this week, month and quarter)."""
    today = county_today()
    return [rollup_period(kind, Period.containing(kind, today).start.isoformat()) for kind in KINDS]
