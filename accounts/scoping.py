"""The one place that turns "this user" into what they may see (DESIGN §6). Default deny.

Every list, detail, search, export and count of user-dependent data starts from ``scope_for(user)``:

    scope = scope_for(request.user)
    households = scope.filter(Household.objects.all())      # a list
    household = scope.get_or_404(Household, pk=household_id)  # fetch and authorize in one call

Scopes by role:

- county leader, county office: everything inside their division (the county);
- township staff: everything inside their township;
- department staff: everything inside the townships their department supports (active department–township rows);
- cadre: the households they are paired with (active pairings) and what hangs off them, and their own rows.

Cases follow their village; department staff also see every case their department has (or had) a part in,
wherever it is; a cadre sees the cases of its households and the cases it reported.

A user with no role, an inactive user or an anonymous user sees nothing. A model nobody declared here is visible
to nobody: adding a model that holds user-dependent data means adding its rule below.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest

from cadres.models import Cadre, Department
from divisions.models import Division, KeyVillageDesignation
from grievances.models import Case, CaseCategory, CaseUnit
from households.models import Household, IncomeSource, Member
from ledgers.models import DepartmentSupport, LeaderAssignment, Pairing, VillageAssistance

from .audit import access_log_write
from .models import AccessEvent, AccessOutcome, Role, User

# "Within the user's divisions": the lookup path from each model to a division code.
# "Of the cadre": a Q built from the cadre's id, for the cadre role.


def _cadre_pairs(path: str) -> Callable[[int], Q]:
    """Q: the row's household (reached by ``path``) has an active pairing with the cadre."""

    def build(cadre_id: int) -> Q:
        pairing = Pairing.objects.filter(household=OuterRef(path), cadre_id=cadre_id, end_date__isnull=True)
        return Q(Exists(pairing))

    return build


def _own(path: str) -> Callable[[int], Q]:
    return lambda cadre_id: Q(**{path: cadre_id})


def _within(*paths: str) -> Callable[[str], Q]:
    """Q: any of the lookup ``paths`` (to a division code) lies inside division ``code``."""

    def build(code: str) -> Q:
        condition = Q(pk__in=[])
        for path in paths:
            condition |= Q(**{f"{path}__startswith": code})
        return condition

    return build


def _cadre_within(code: str) -> Q:
    """Cadres who live or work in ``code``, are posted there (officials from provincial organs, for example), or
    carry a household there (county cadres paired with the township's households)."""
    posted = VillageAssistance.objects.active().filter(cadre=OuterRef("pk"), village__code__startswith=code)
    pairs = Pairing.objects.active().filter(cadre=OuterRef("pk"), household__village__code__startswith=code)
    return _within("division__code", "department__division__code")(code) | Q(Exists(posted)) | Q(Exists(pairs))


def _department_within(code: str) -> Q:
    """Departments of ``code`` (its township governments) and the departments supporting a township there."""
    supports = DepartmentSupport.objects.active().filter(department=OuterRef("pk"), township__code__startswith=code)
    return _within("division__code")(code) | Q(Exists(supports))


def _case_of_cadre(cadre_id: int) -> Q:
    return Q(reporter_cadre_id=cadre_id) | _cadre_pairs("household_id")(cadre_id)


def _case_of_department(department_id: int) -> Q:
    return Q(Exists(CaseUnit.objects.filter(case=OuterRef("pk"), unit_id=department_id)))


@dataclass(frozen=True)
class Rule:
    within: Callable[[str], Q] | None  # rows inside division ``code``; None: not reached through divisions
    of_cadre: Callable[[int], Q] | None = None  # what a cadre sees; None: nothing
    public: bool = False  # reference data every signed-in user with a role may read
    of_department: Callable[[int], Q] | None = None  # what department staff see beyond their townships
    # ``of_department`` holds even for a department that supports no township now (cases assigned to it)
    of_department_alone: bool = False


RULES: dict[type[models.Model], Rule] = {
    Division: Rule(within=None, public=True),
    KeyVillageDesignation: Rule(within=None, public=True),
    Household: Rule(within=_within("village__code"), of_cadre=_cadre_pairs("pk")),
    Member: Rule(within=_within("household__village__code"), of_cadre=_cadre_pairs("household_id")),
    IncomeSource: Rule(within=_within("household__village__code"), of_cadre=_cadre_pairs("household_id")),
    Pairing: Rule(within=_within("household__village__code"), of_cadre=_own("cadre_id")),
    LeaderAssignment: Rule(within=_within("township__code"), of_cadre=_own("cadre_id")),
    DepartmentSupport: Rule(within=_within("township__code")),
    VillageAssistance: Rule(within=_within("village__code"), of_cadre=_own("cadre_id")),
    Cadre: Rule(within=_cadre_within, of_cadre=_own("pk")),
    User: Rule(
        # Accounts scoped inside the division, plus new accounts not yet given any role or scope (so that the
        # office can give them one); an account holds no personal data beyond its name.
        within=lambda code: (
            _within("division__code", "department__division__code", "cadre__division__code")(code)
            | Q(role="", division__isnull=True, department__isnull=True, cadre__isnull=True)
        ),
        of_cadre=_own("cadre__pk"),
    ),
    Case: Rule(
        within=_within("village__code"),
        of_cadre=_case_of_cadre,
        of_department=_case_of_department,
        of_department_alone=True,
    ),
    CaseCategory: Rule(within=None, public=True),
    Department: Rule(
        within=_department_within,
        of_department=lambda department_id: Q(pk=department_id),
        of_cadre=lambda cadre_id: Q(Exists(Cadre.objects.filter(pk=cadre_id, department=OuterRef("pk")))),
    ),
}


class Scope:
    """What one user may see. Build it with ``scope_for``; it is cheap and holds at most one query's result."""

    def __init__(self, user: User | Any) -> None:
        self.user = user
        active = bool(user and user.is_authenticated and user.is_active)
        self.role: str = (getattr(user, "role", "") or "") if active else ""

    # -- what the scope is made of ---------------------------------------------------------------------------

    @cached_property
    def division_codes(self) -> tuple[str, ...]:
        """The division codes whose contents the user sees (prefixes); empty for cadres and for nobody."""
        if self.role in {Role.COUNTY_LEADER, Role.COUNTY_OFFICE, Role.TOWNSHIP}:
            return (self.user.division_id,) if self.user.division_id else ()
        if self.role == Role.DEPARTMENT and self.user.department_id:
            codes = DepartmentSupport.objects.active().filter(department_id=self.user.department_id)
            return tuple(sorted(codes.values_list("township_id", flat=True)))
        return ()

    @cached_property
    def cadre_id(self) -> int | None:
        if self.role != Role.CADRE:
            return None
        return Cadre.objects.filter(user=self.user).values_list("pk", flat=True).first()

    @property
    def sees_anything(self) -> bool:
        if self.division_codes or self.cadre_id:
            return True
        # Department staff whose department supports no township still see what is assigned to it (its cases):
        # one EXISTS per such rule, only for them.
        if self.role == Role.DEPARTMENT and self.user.department_id:
            return any(
                model._default_manager.filter(rule.of_department(self.user.department_id)).exists()
                for model, rule in RULES.items()
                if rule.of_department_alone and rule.of_department is not None
            )
        return False

    # -- querysets -----------------------------------------------------------------------------------------

    def filter(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` narrowed to what the user may see (``.none()`` when nothing)."""
        rule = RULES.get(queryset.model)
        if rule is None or not self.role:
            return queryset.none()
        if rule.public:
            return queryset
        own_department = self.role == Role.DEPARTMENT and self.user.department_id and rule.of_department is not None
        if (self.division_codes and rule.within is not None) or (own_department and rule.of_department_alone):
            condition = Q(pk__in=[])
            for code in self.division_codes if rule.within is not None else ():
                condition |= rule.within(code)
            if own_department:
                condition |= rule.of_department(self.user.department_id)
            return queryset.filter(condition)
        if self.cadre_id and rule.of_cadre is not None:
            return queryset.filter(rule.of_cadre(self.cadre_id))
        return queryset.none()

    def get_or_404(
        self, model_or_queryset: type[models.Model] | QuerySet, *, request: HttpRequest | None = None, **lookup: Any
    ) -> Any:
        """Fetch one object the user may see, or raise 404 (never 403: that would confirm it exists).

        A miss is written to the access log as a refused access (with the id asked for, not what it holds).
        """
        queryset = (
            model_or_queryset if isinstance(model_or_queryset, QuerySet) else model_or_queryset._default_manager.all()
        )
        try:
            return self.filter(queryset).get(**lookup)
        except (ObjectDoesNotExist, ValidationError, ValueError, TypeError) as exc:  # missing, or a malformed id
            access_log_write(
                event=AccessEvent.ACCESS_DENIED,
                outcome=AccessOutcome.DENIED,
                user=self.user if getattr(self.user, "is_authenticated", False) else None,
                request=request,
                object_type=queryset.model._meta.label_lower,
                object_id=str(next(iter(lookup.values()), "")),  # made safe by the writer
                detail={"reason": "not found in scope"},
            )
            raise Http404 from exc

    def households(self) -> QuerySet[Household]:
        return self.filter(Household.objects.all())

    def members(self) -> QuerySet[Member]:
        return self.filter(Member.objects.all())

    def pairings(self) -> QuerySet[Pairing]:
        return self.filter(Pairing.objects.all())

    def cadres(self) -> QuerySet[Cadre]:
        return self.filter(Cadre.objects.all())

    def cases(self) -> QuerySet[Case]:
        return self.filter(Case.objects.all())

    def covers_division(self, code: str) -> bool:
        """True when everything in division ``code`` lies inside the user's scope."""
        return any(code.startswith(prefix) for prefix in self.division_codes)


def scope_for(user: User | Any) -> Scope:
    """The scope of ``user`` (anonymous and role-less users get an empty one)."""
    return Scope(user)
