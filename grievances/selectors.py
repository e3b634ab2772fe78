"""Reads of cases that depend on who asks (CONVENTIONS: selectors). Every one starts from ``accounts.scoping``."""

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.db import models
from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import Role, User
from accounts.scoping import scope_for
from cadres.models import Department, DepartmentKind
from divisions.models import Division, Level
from households.models import Household

from .models import (
    OPEN_STATUSES,
    AccountabilityKind,
    AccountabilityRecord,
    Case,
    CaseEvent,
    CaseQuerySet,
    CaseStatus,
    CaseUnit,
    Notification,
    PartStatus,
    Priority,
)
from .services import notifications_for
from .services.routing import units_serving

# Roles that list new cases (grievances.services.case_submit says the same and refuses the others).
SUBMITTING_ROLES = frozenset({Role.COUNTY_OFFICE, Role.TOWNSHIP, Role.CADRE})
# Roles with a unit's inbox: department staff for their department, township staff for their township government.
INBOX_ROLES = frozenset({Role.DEPARTMENT, Role.TOWNSHIP})
# Roles that supervise the county's units (the overdue board).
SUPERVISING_ROLES = frozenset({Role.COUNTY_OFFICE, Role.COUNTY_LEADER})

SORTS = {
    "created": ("created_at", "id"),
    "-created": ("-created_at", "id"),
    "deadline": (F("deadline").asc(nulls_last=True), "-created_at", "id"),
    "-deadline": (F("deadline").desc(nulls_last=True), "-created_at", "id"),
}
PRIORITY_RANK = models.Case(
    When(priority=Priority.URGENT, then=Value(0)),
    When(priority=Priority.HIGH, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _has_role(user: User, roles: frozenset[str]) -> bool:
    return bool(user and user.is_authenticated and user.is_active and getattr(user, "role", "") in roles)


def may_submit_cases(user: User) -> bool:
    return _has_role(user, SUBMITTING_ROLES)


def has_inbox(user: User) -> bool:
    return _has_role(user, INBOX_ROLES)


def may_supervise(user: User) -> bool:
    return _has_role(user, SUPERVISING_ROLES)


def acting_units(user: User) -> QuerySet[Department]:
    """The units ``user`` acts for (``grievances.workflow.acts_for_unit``): department staff their department,
    township staff their township's government."""
    if user.role == Role.DEPARTMENT and user.department_id:
        return Department.objects.filter(pk=user.department_id)
    if user.role == Role.TOWNSHIP and user.division_id:
        return Department.objects.filter(division_id=user.division_id, kind=DepartmentKind.TOWNSHIP)
    return Department.objects.none()


def _list_columns(queryset: QuerySet[Case]) -> QuerySet[Case]:
    return queryset.select_related("village__parent", "household", "responsible_unit", "category")


def case_list(*, user: User, filters: dict[str, Any], today: dt.date | None = None) -> QuerySet[Case]:
    """The cases ``user`` may see, narrowed by ``filters`` (cleaned ``CaseFilterForm`` data) and sorted."""
    today = today or timezone.localdate()
    cases = _list_columns(scope_for(user).of(Case))
    if filters.get("status"):
        cases = cases.filter(status=filters["status"])
    if filters.get("category"):
        cases = cases.filter(category=filters["category"])
    if filters.get("kind"):
        cases = cases.filter(kind=filters["kind"])
    if filters.get("overdue") == "yes":
        cases = cast(CaseQuerySet, cases).overdue(today)
    elif filters.get("overdue") == "no":
        cases = cast(CaseQuerySet, cases).not_overdue(today)
    if filters.get("unit"):
        cases = cases.filter(responsible_unit=filters["unit"])
    if filters.get("village"):
        cases = cases.filter(village__code__startswith=filters["village"])
    if filters.get("q"):
        text = filters["q"]
        cases = cases.filter(Q(reference__icontains=text) | Q(title__icontains=text))
    return cases.order_by(*SORTS.get(filters.get("sort") or "-created", SORTS["-created"]))


def case_filter_units(*, user: User) -> QuerySet[Department]:
    """The units that hold a case the user can see (the unit filter's choices)."""
    held = scope_for(user).of(Case).filter(responsible_unit=OuterRef("pk"))
    return Department.objects.filter(Exists(held)).order_by("division_id", "name")


def case_filter_places(*, user: User) -> list[Division]:
    """Townships and villages with a case the user can see, townships first of their villages."""
    villages = Division.objects.filter(
        Exists(scope_for(user).of(Case).filter(village=OuterRef("pk"))), level=Level.VILLAGE
    ).select_related("parent")
    places: list[Division] = []
    seen: set[str] = set()
    for village in villages.order_by("code"):
        if village.parent is not None and village.parent_id not in seen:
            seen.add(village.parent.code)
            places.append(village.parent)
        places.append(village)
    return places


def case_get(*, user: User, pk: Any, request: HttpRequest | None = None) -> Case:
    """One case with everything its page shows, or 404 (logged) outside the user's scope."""
    queryset = Case.objects.select_related(
        "village__parent",
        "household",
        "responsible_unit",
        "category",
        "reported_by",
        "reporter_cadre",
        "duplicate_of",
    ).prefetch_related(
        Prefetch("units", queryset=CaseUnit.objects.select_related("unit").order_by("-role", "assigned_at", "id")),
        Prefetch("events", queryset=CaseEvent.objects.select_related("actor").order_by("at", "id")),
        Prefetch("accountability", queryset=AccountabilityRecord.objects.select_related("unit")),
        "parties",
        "mediations__recorded_by",
    )
    return scope_for(user).get_or_404(queryset, request=request, pk=pk)


def case_by_reference(*, user: User, reference: str) -> Case | None:
    """A case the user can see, by its reference (the "duplicate of" field), or None."""
    return scope_for(user).of(Case).filter(reference=reference.strip().upper()).first()


def household_cases(*, user: User, household: Household) -> QuerySet[Case]:
    return (
        scope_for(user)
        .of(Case)
        .filter(household=household)
        .select_related("responsible_unit")
        .order_by("-created_at", "id")
    )


def household_get(*, user: User, pk: Any, request: HttpRequest | None = None) -> Household:
    return scope_for(user).get_or_404(Household.objects.select_related("village__parent"), request=request, pk=pk)


def submit_households(*, user: User) -> QuerySet[Household]:
    """A cadre's households (the cadre reports only for them); the new-case form offers them."""
    return scope_for(user).of(Household).select_related("village").order_by("village_id", "number")


def submit_villages(*, user: User) -> QuerySet[Division]:
    """The villages a township or office user may list a case for (everything inside their divisions)."""
    codes = scope_for(user).division_codes if user.role in (Role.COUNTY_OFFICE, Role.TOWNSHIP) else ()
    condition = Q(pk__in=[])
    for code in codes:
        condition |= Q(code__startswith=code)
    return Division.objects.filter(condition, level=Level.VILLAGE).select_related("parent").order_by("code")


def responsible_units(*, case: Case, user: User) -> QuerySet[Department]:
    """The units ``user`` may give a case to: the units they see that serve the case's place (the same rule as
    ``case_transition``)."""
    return (
        scope_for(user)
        .filter(units_serving(case.village_id or ""))
        .select_related("division")
        .order_by("-kind", "division_id", "name")
    )


def case_inbox(*, user: User) -> QuerySet[Case]:
    """Open cases in which a unit the user acts for has a part still to do, the most urgent first."""
    pending = CaseUnit.objects.filter(case=OuterRef("pk"), unit__in=acting_units(user), status=PartStatus.PENDING)
    return (
        _list_columns(scope_for(user).of(Case))
        .filter(Exists(pending), status__in=OPEN_STATUSES)
        .annotate(priority_rank=PRIORITY_RANK)
        .order_by(F("deadline").asc(nulls_last=True), "priority_rank", "created_at", "id")
    )


def unit_notifications(*, user: User, limit: int = 50) -> QuerySet[Notification]:
    return (
        notifications_for(user)
        .filter(read_at__isnull=True)
        .select_related("case", "unit")
        .order_by("-created_at", "id")[:limit]
    )


@dataclass
class UnitRow:
    unit_id: int
    name: str
    cases: int = 0
    open: int = 0
    overdue: int = 0
    closed: int = 0
    average_days_to_close: float | None = None
    supervisions: int = 0
    penalties: int = 0


def overdue_board(*, user: User, today: dt.date | None = None) -> list[UnitRow]:
    """The responsible units of the cases ``user`` can see, most overdue cases first: open, overdue and closed
    cases, the average days from listing to closing, and supervision notices and penalties recorded against the
    unit for those cases. Two queries, whatever the number of units and cases."""
    today = today or timezone.localdate()
    cases = scope_for(user).of(Case)
    overdue = Q(status__in=OPEN_STATUSES, deadline__lt=today)
    per_unit = (
        cases.filter(responsible_unit__isnull=False)
        .values("responsible_unit", "responsible_unit__name")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            overdue=Count("pk", filter=overdue),
            closed=Count("pk", filter=Q(status=CaseStatus.CLOSED)),
            to_close=Avg(
                ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField()),
                filter=Q(status=CaseStatus.CLOSED, closed_at__isnull=False),
            ),
        )
        .order_by()
    )
    rows: dict[int, UnitRow] = {}
    for item in per_unit:
        to_close: dt.timedelta | None = item["to_close"]
        rows[item["responsible_unit"]] = UnitRow(
            unit_id=item["responsible_unit"],
            name=item["responsible_unit__name"],
            cases=item["total"],
            open=item["open"],
            overdue=item["overdue"],
            closed=item["closed"],
            average_days_to_close=round(to_close.total_seconds() / 86400, 1) if to_close is not None else None,
        )
    records = (
        AccountabilityRecord.objects.filter(case__in=cases.values("pk"))
        .values("unit", "unit__name")
        .annotate(
            supervisions=Count("pk", filter=Q(kind=AccountabilityKind.SUPERVISION)),
            penalties=Count("pk", filter=Q(kind=AccountabilityKind.PENALTY)),
        )
        .order_by()
    )
    for item in records:
        row = rows.setdefault(item["unit"], UnitRow(unit_id=item["unit"], name=item["unit__name"]))
        row.supervisions, row.penalties = item["supervisions"], item["penalties"]
    return sorted(rows.values(), key=lambda r: (-r.overdue, -r.penalties, -r.supervisions, r.name, r.unit_id))
