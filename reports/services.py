"""Computing roll-up facts (issue 14). ``rollup_compute`` is the one writer of ``RollupFact``: it computes one
period for every village (or those under a division prefix) and replaces that period's rows atomically.

As-of semantics: the facts of a period describe it as it ended.

- Households: the active households at the period's end, in the village they were in then, read from the
  household history (the last history row before the end). A household without any history row before the end
  counts as it is now if it was created before the end, or if a pairing of it started on or before the period's
  last day (history that starts late, registries loaded in bulk without history and with the load date as
  ``created_at``, like the demo's): that is the approximation — its status and village before its first recorded
  change are taken to be today's, and a bulk-loaded household without a pairing counts only from its loading.
- Paired: of those households, the ones with a primary pairing running at the end of the period's last day
  (``start_date`` on or before it, no ``end_date`` or one after it). The pairing's household is taken in the
  village the household was in then.
- Case figures are transitions inside the period, from the case timeline (``CaseEvent``), counted in the village
  of the case: opened (cases created), accepted, resolved, closed, found overdue (the sweep's ``overdue`` entries),
  escalated (every entry that moved the case up a level: escalations and the sweep's), reopened. A case taking the
  same step twice in one period counts twice (a closing, a reopening and a closing again are two closings).
- Days to close: whole days from the case's creation to each closing in the period, stored as a histogram so
  that the average and the 90th percentile of any level are exact.
- Satisfaction: the household's verdict at each closing (satisfied, basically satisfied) and each "not
  satisfied" that reopened a case.
- Disputes received and resolved: dispute cases created, and resolved, in the period.
- Suggestions: the case model records no "adopted" flag; a suggestion counts as adopted when its unit resolved
  it (rejected and duplicate suggestions are not adopted).
"""

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from grievances.models import Case, CaseEvent, CaseKind, EventAction, Satisfaction
from households.models import Household, HouseholdStatus
from ledgers.models import Pairing

from . import metrics as m
from .models import RollupFact
from .periods import Period

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RollupResult:
    period: Period
    division: str
    rows: int
    seconds: float


def _households_sql() -> str:
    history = Household.history.model._meta.db_table
    households = Household._meta.db_table
    pairings = Pairing._meta.db_table
    return f"""
        WITH last AS (
            SELECT DISTINCT ON (h.id) h.id, h.village_id, h.status, h.history_type
            FROM {history} h
            WHERE h.history_date < %(end)s
            ORDER BY h.id, h.history_date DESC, h.history_id DESC
        ), asof AS (
            SELECT id, village_id FROM last WHERE history_type <> '-' AND status = %(active)s
            UNION ALL
            SELECT hh.id, hh.village_id FROM {households} hh
            WHERE hh.status = %(active)s
              AND (hh.created_at < %(end)s OR EXISTS (
                  SELECT 1 FROM {pairings} p WHERE p.household_id = hh.id AND p.start_date <= %(last_day)s))
              AND NOT EXISTS (SELECT 1 FROM {history} h WHERE h.id = hh.id AND h.history_date < %(end)s)
        )
        SELECT a.village_id,
               count(*),
               count(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM {pairings} p
                   WHERE p.household_id = a.id AND p.is_primary AND p.start_date <= %(last_day)s
                     AND (p.end_date IS NULL OR p.end_date > %(last_day)s)))
        FROM asof a
        WHERE a.village_id LIKE %(prefix)s
        GROUP BY a.village_id
    """  # noqa: S608 - table names and constants; every value is a parameter


def _created_sql() -> str:
    return f"""
        SELECT c.village_id, count(*),
               count(*) FILTER (WHERE c.kind = %(dispute)s),
               count(*) FILTER (WHERE c.kind = %(suggestion)s)
        FROM {Case._meta.db_table} c
        WHERE c.created_at >= %(start)s AND c.created_at < %(end)s AND c.village_id LIKE %(prefix)s
        GROUP BY c.village_id
    """  # noqa: S608 - table names and constants; every value is a parameter


# (metric, condition on the event e and its case c); each a count of timeline entries in the period.
EVENT_METRICS: list[tuple[str, str]] = [
    (m.CASES_ACCEPTED, f"e.action = '{EventAction.ACCEPT.value}'"),
    (m.CASES_RESOLVED, f"e.action = '{EventAction.RESOLVE.value}'"),
    (m.CASES_CLOSED, f"e.action = '{EventAction.CLOSE.value}'"),
    (m.CASES_OVERDUE, f"e.action = '{EventAction.OVERDUE.value}'"),
    (m.CASES_ESCALATED, "(e.detail ->> 'to_level') IS NOT NULL"),
    (m.CASES_REOPENED, f"e.action = '{EventAction.REOPEN.value}'"),
    (m.DISPUTES_RESOLVED, f"e.action = '{EventAction.RESOLVE.value}' AND c.kind = '{CaseKind.DISPUTE.value}'"),
    (m.SUGGESTIONS_ADOPTED, f"e.action = '{EventAction.RESOLVE.value}' AND c.kind = '{CaseKind.SUGGESTION.value}'"),
] + [
    (
        m.SATISFACTION_PREFIX + value,
        f"e.action IN ('{EventAction.CLOSE.value}', '{EventAction.REOPEN.value}') "
        f"AND (e.detail ->> 'satisfaction') = '{value}'",
    )
    for value in Satisfaction.values
]


def _events_sql() -> str:
    columns = ",\n".join(f"count(*) FILTER (WHERE {condition})" for _metric, condition in EVENT_METRICS)
    return f"""
        SELECT c.village_id, {columns}
        FROM {CaseEvent._meta.db_table} e JOIN {Case._meta.db_table} c ON c.id = e.case_id
        WHERE e.at >= %(start)s AND e.at < %(end)s AND c.village_id LIKE %(prefix)s
        GROUP BY c.village_id
    """  # noqa: S608 - table names and constants; every value is a parameter


def _close_days_sql() -> str:
    return f"""
        SELECT c.village_id,
               least(floor(extract(epoch FROM e.at - c.created_at) / 86400)::int, %(cap)s) AS days,
               count(*)
        FROM {CaseEvent._meta.db_table} e JOIN {Case._meta.db_table} c ON c.id = e.case_id
        WHERE e.action = %(close)s AND e.at >= %(start)s AND e.at < %(end)s AND c.village_id LIKE %(prefix)s
        GROUP BY 1, 2
    """  # noqa: S608 - table names and constants; every value is a parameter


def rollup_rows(period: Period, division: str = "") -> dict[tuple[str, str], int]:
    """The facts of ``period`` for the villages under ``division`` (all when empty): (village code, metric) →
    value, non-zero values only. Four aggregate queries, whatever the number of villages. Reads only."""
    start, end = period.bounds()
    params: dict[str, Any] = {
        "start": start,
        "end": end,
        "last_day": period.last_day,
        "prefix": division.replace("\\", "").replace("%", "").replace("_", "") + "%",
        "active": HouseholdStatus.ACTIVE.value,
        "dispute": CaseKind.DISPUTE.value,
        "suggestion": CaseKind.SUGGESTION.value,
        "close": EventAction.CLOSE.value,
        "cap": m.CLOSE_DAYS_CAP,
    }
    facts: dict[tuple[str, str], int] = {}

    def put(code: str, metric: str, value: int) -> None:
        if value:
            facts[(code, metric)] = facts.get((code, metric), 0) + int(value)

    with connection.cursor() as cursor:
        cursor.execute(_households_sql(), params)
        for code, households, paired in cursor.fetchall():
            put(code, m.HOUSEHOLDS, households)
            put(code, m.PAIRED, paired)
            put(code, m.UNPAIRED, households - paired)
        cursor.execute(_created_sql(), params)
        for code, opened, disputes, suggestions in cursor.fetchall():
            put(code, m.CASES_OPENED, opened)
            put(code, m.DISPUTES_RECEIVED, disputes)
            put(code, m.SUGGESTIONS_RECEIVED, suggestions)
        cursor.execute(_events_sql(), params)
        for code, *values in cursor.fetchall():
            for (metric, _condition), value in zip(EVENT_METRICS, values, strict=True):
                put(code, metric, value)
        cursor.execute(_close_days_sql(), params)
        for code, days, count in cursor.fetchall():
            put(code, f"{m.CLOSE_DAYS_PREFIX}{days}", count)
    return facts


def rollup_compute(*, actor=None, period: Period, division: str = "") -> RollupResult:
    """Compute ``period`` for the villages under ``division`` (every village when empty) and replace its facts in
    one transaction: readers see the old rows or the new ones, never half. Idempotent; two runs of the same
    period queue on a lock instead of colliding. ``actor`` is None (a task or a command): facts are the
    system's."""
    began = timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"rollup:{period.kind}:{period.start}"])
        facts = rollup_rows(period, division)
        RollupFact.objects.filter(
            period_kind=period.kind, period_start=period.start, code__startswith=division
        ).delete()
        now = timezone.now()
        RollupFact.objects.bulk_create(
            [
                RollupFact(
                    period_kind=period.kind,
                    period_start=period.start,
                    code=code,
                    metric=metric,
                    value=value,
                    computed_at=now,
                )
                for (code, metric), value in sorted(facts.items())
            ],
            batch_size=5000,
        )
    seconds = (timezone.now() - began).total_seconds()
    logger.info("Roll-up %s %s: %d facts in %.2f s", period, division or "*", len(facts), seconds)
    return RollupResult(period=period, division=division, rows=len(facts), seconds=seconds)


def rollup_backfill(
    *, first: dt.date, last: dt.date, division: str = "", kinds: Iterable[str] | None = None
) -> Iterable[RollupResult]:
    """Compute every period of each kind overlapping [first, last], yielding each result as it is done."""
    from .periods import KINDS, periods_between

    for period in periods_between(first, last, tuple(kinds or KINDS)):
        yield rollup_compute(period=period, division=division)
