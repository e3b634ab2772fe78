"""A small world for roll-up tests: rows written straight to the tables with chosen dates (the roll-ups read the
tables, so the workflow's rules are not needed here; tests/reports/test_rollup_services.py walks one real case)."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from grievances.models import Case, CaseCategory, CaseEvent
from households.models import Household
from tests.factories import CadreFactory, HouseholdFactory, PairingFactory, village

TZ = ZoneInfo("Asia/Shanghai")
V1, V2, V3 = "513224101201", "513224101202", "513224102201"  # two villages of one township, one of another
_numbers = itertools.count(1)


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def household(code: str, created: dt.date, **fields) -> Household:
    item = HouseholdFactory(village=village(code), **fields)
    Household.objects.filter(pk=item.pk).update(created_at=at(created))
    Household.history.filter(id=item.pk).update(history_date=at(created))
    return item


def change_household(item: Household, when: dt.date, **fields) -> None:
    """A recorded change (a history row dated ``when``)."""
    for name, value in fields.items():
        setattr(item, name, value)
    item.save()
    latest = Household.history.filter(id=item.pk).order_by("-history_id").first()
    Household.history.filter(history_id=latest.history_id).update(history_date=at(when))


def pairing(item: Household, start: dt.date, end: dt.date | None = None, **fields):
    return PairingFactory(household=item, cadre=CadreFactory(), start_date=start, end_date=end, **fields)


def case(code: str, created: dt.datetime | dt.date, kind: str = "problem") -> Case:
    category, _ = CaseCategory.objects.get_or_create(code="roads", defaults={"name": "Roads"})
    item = Case.objects.create(
        reference=f"T-{next(_numbers)}",
        kind=kind,
        category=category,
        source="visit",
        village=village(code),
        description="x",
    )
    when = created if isinstance(created, dt.datetime) else at(created)
    Case.objects.filter(pk=item.pk).update(created_at=when)
    item.created_at = when
    return item


def event(item: Case, action: str, when: dt.datetime | dt.date, **detail) -> CaseEvent:
    when = when if isinstance(when, dt.datetime) else at(when)
    return CaseEvent.objects.create(case=item, action=action, at=when, to_status="in_progress", detail=detail)
