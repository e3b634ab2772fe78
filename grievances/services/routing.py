"""Where a case goes by default and how long the unit has: the routing table and the deadline policies.

A township's own routing rule wins over the county-wide rule for the category; a category's own deadline policy
wins over the catch-all policy (no category), and without any policy ``SONGPAN_CASE_DEFAULT_DAYS`` applies.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from cadres.models import Department, DepartmentKind
from divisions.models import CODE_LENGTH, Level
from grievances.models import Case, DeadlinePolicy, RoutingRule
from ledgers.models import DepartmentSupport

# Days to resolve and days of grace after a supervision notice, by priority, when no policy says otherwise.
FALLBACK_DAYS = {"urgent": (3, 2), "high": (10, 5), "normal": (30, 10)}


@dataclass(frozen=True)
class Route:
    unit: Department | None
    co_units: tuple[Department, ...]


def township_government(township_code: str) -> Department | None:
    """The township's Party committee and government, as a responsible unit."""
    return (
        Department.objects.filter(division_id=township_code, kind=DepartmentKind.TOWNSHIP, is_active=True)
        .order_by("pk")
        .first()
    )


def units_serving(village_code: str) -> QuerySet[Department]:
    """The active units that serve a village: the units of its county (its bureaus and township governments) and
    the departments supporting its township now (``DepartmentSupport``; a provincial organ, say)."""
    if len(village_code) < CODE_LENGTH[Level.TOWNSHIP]:
        return Department.objects.none()
    county, township = village_code[: CODE_LENGTH[Level.COUNTY]], village_code[: CODE_LENGTH[Level.TOWNSHIP]]
    supporting = DepartmentSupport.objects.active().filter(department=OuterRef("pk"), township_id=township)
    return Department.objects.filter(Q(division__code__startswith=county) | Q(Exists(supporting)), is_active=True)


def route_for(case: Case) -> Route:
    """The default lead and co-responsible units of ``case`` (its category, and its township)."""
    township = case.village_id[:9] if case.village_id else ""
    rules = (
        RoutingRule.objects.filter(Q(township_id=township) | Q(township__isnull=True), category_id=case.category_id)
        .select_related("unit")
        .prefetch_related("co_units")
    )
    chosen = None
    for rule in rules:
        if rule.township_id == township:
            chosen = rule
            break
        chosen = chosen or rule
    if chosen is None:
        government = township_government(township) if township else None
        return Route(unit=government, co_units=())
    co_units = [unit for unit in chosen.co_units.all() if unit.is_active and unit.pk != chosen.unit_id]
    if chosen.with_township and township:
        government = township_government(township)
        if government is not None and government.pk != chosen.unit_id and government not in co_units:
            co_units.append(government)
    return Route(unit=chosen.unit, co_units=tuple(co_units))


def policy_days(*, category_id: str, priority: str) -> tuple[int, int]:
    """(days to resolve, days of grace after a supervision notice) for a category and priority."""
    policies = DeadlinePolicy.objects.filter(Q(category_id=category_id) | Q(category__isnull=True), priority=priority)
    chosen = None
    for policy in policies:
        if policy.category_id == category_id:
            chosen = policy
            break
        chosen = policy
    if chosen is not None:
        return chosen.days, chosen.grace_days
    defaults = getattr(settings, "SONGPAN_CASE_DEFAULT_DAYS", FALLBACK_DAYS)
    return defaults.get(priority, FALLBACK_DAYS["normal"])


def default_deadline(*, category_id: str, priority: str, start: dt.date) -> dt.date:
    days, _grace = policy_days(category_id=category_id, priority=priority)
    return start + dt.timedelta(days=days)
