"""The one place that turns "this user" into what they may see (DESIGN §6). Default deny.

Every list, detail, search, export and count of user-dependent data starts from ``scope_for(user)``:

    scope = scope_for(request.user)
    households = scope.of(Household)                          # a list (or scope.filter(a queryset))
    household = scope.get_or_404(Household, pk=household_id)  # fetch and authorize in one call

Scopes by role:

- county leader, county office: everything inside their division (the county);
- township staff: everything inside their township;
- department staff: everything inside the townships their department supports (active department–township rows);
- cadre: the households they are paired with (active pairings) and what hangs off them, and their own rows.

This module is the mechanism only. Each app declares the rules of its own models in ``<app>/scoping.py`` and
registers them from its ``AppConfig.ready()`` with ``register(Model, Rule(...))``; the two facts the mechanism
needs about the domain (which townships a department supports, which cadre an account is) are registered the same
way with ``register_basis``. A user with no role, an inactive user or an anonymous user sees nothing, and a model
nobody registered is visible to nobody.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from divisions.models import Division, KeyVillageDesignation

from .audit import access_log_write
from .models import AccessEvent, AccessOutcome, Role, User


def within(*paths: str) -> Callable[[str], Q]:
    """A ``Rule.within``: any of the lookup ``paths`` (to a division code) lies inside division ``code``."""

    def build(code: str) -> Q:
        condition = Q(pk__in=[])
        for path in paths:
            condition |= Q(**{f"{path}__startswith": code})
        return condition

    return build


def own(path: str) -> Callable[[int], Q]:
    """A ``Rule.of_cadre``: the row's ``path`` is the cadre's id (its own pairings, its own record)."""
    return lambda cadre_id: Q(**{path: cadre_id})


@dataclass(frozen=True)
class Rule:
    within: Callable[[str], Q] | None  # rows inside division ``code``; None: not reached through divisions
    of_cadre: Callable[[int], Q] | None = None  # what a cadre sees; None: nothing
    public: bool = False  # reference data every signed-in user with a role may read
    of_department: Callable[[int], Q] | None = None  # what department staff see beyond their townships
    # ``of_department`` holds even for a department that supports no township now (cases assigned to it)
    of_department_alone: bool = False


RULES: dict[type[models.Model], Rule] = {}


def register(model: type[models.Model], rule: Rule) -> None:
    """Declare who sees rows of ``model`` (from the model's own app, in ``AppConfig.ready()``)."""
    if RULES.get(model, rule) != rule:
        raise RuntimeError(f"{model._meta.label} has a scope rule already")
    RULES[model] = rule


@dataclass
class _Basis:
    department_townships: Callable[[int], Iterable[str]] = lambda department_id: ()
    cadre_of_user: Callable[[Any], int | None] = lambda user: None


_BASIS = _Basis()


def register_basis(
    *,
    department_townships: Callable[[int], Iterable[str]] | None = None,
    cadre_of_user: Callable[[Any], int | None] | None = None,
) -> None:
    """Tell the mechanism which township codes a department supports now (the ledgers app) and which cadre an
    account belongs to (the cadres app). Until they are registered, departments and cadres see nothing."""
    if department_townships is not None:
        _BASIS.department_townships = department_townships
    if cadre_of_user is not None:
        _BASIS.cadre_of_user = cadre_of_user


# Reference data, and the accounts themselves (this app's own models).
register(Division, Rule(within=None, public=True))
register(KeyVillageDesignation, Rule(within=None, public=True))
register(
    User,
    Rule(
        # Accounts scoped inside the division, plus new accounts not yet given any role or scope (so that the
        # office can give them one); an account holds no personal data beyond its name.
        within=lambda code: (
            within("division__code", "department__division__code", "cadre__division__code")(code)
            | Q(role="", division__isnull=True, department__isnull=True, cadre__isnull=True)
        ),
        of_cadre=own("cadre__pk"),
    ),
)


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
            return tuple(sorted(_BASIS.department_townships(self.user.department_id)))
        return ()

    @cached_property
    def cadre_id(self) -> int | None:
        if self.role != Role.CADRE:
            return None
        return _BASIS.cadre_of_user(self.user)

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
        department_id = self.user.department_id if self.role == Role.DEPARTMENT else None
        of_department = rule.of_department if department_id else None
        if (self.division_codes and rule.within is not None) or (of_department and rule.of_department_alone):
            condition = Q(pk__in=[])
            if rule.within is not None:
                for code in self.division_codes:
                    condition |= rule.within(code)
            if of_department is not None and department_id is not None:
                condition |= of_department(department_id)
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

    def of(self, model: type[models.Model]) -> QuerySet:
        """Every row of ``model`` the user may see."""
        return self.filter(model._default_manager.all())

    def covers_division(self, code: str) -> bool:
        """True when everything in division ``code`` lies inside the user's scope."""
        return any(code.startswith(prefix) for prefix in self.division_codes)


def scope_for(user: User | Any) -> Scope:
    """The scope of ``user`` (anonymous and role-less users get an empty one)."""
    return Scope(user)
