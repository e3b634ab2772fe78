"""The case workflow (DESIGN §5) in one place: which actions exist, from which statuses, to which status, and who
may take each. ``grievances.services`` asks this module before every change; pages and the API ask it which
buttons to show. Nothing here writes.

    submitted → accepted → assigned → in_progress → resolved → closed
                   ↘ rejected / duplicate            ↖ reopened (not satisfied) ↙

Who is who for a case (``standing``):

- ``office``    the county mass-work office, anywhere in its county: everything but the unit's own work;
- ``township``  township staff, for cases in their township: accept, assign, reject, escalate, confirm on the
  household's behalf; they reassign only while the case is not held at county level;
- ``lead``      staff acting for the lead unit (department staff of that department, or township staff when the
  unit is their township's government): start, resolve, escalate a case beyond the unit;
- ``co``        staff of a co-responsible unit whose part is still to do: report their part done;
- ``confirmer`` the cadre paired with the household, or the cadre who reported the case: confirm (close) or
  reopen for the household.

Refusals: a role that could never take the action on this case is ``PermissionDenied`` (403); an action the
case's status does not allow is ``TransitionNotAllowed`` (409); a standing that may take the action but not from
this status (township staff reopening a closed case) is ``PermissionDenied`` again.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, User
from cadres.models import DepartmentKind
from ledgers.models import Pairing
from songpan.errors import StateConflict

from .models import LEVEL_ORDER, Case, CaseLevel, CaseStatus, PartStatus, UnitRole


class Action(StrEnum):
    ACCEPT = "accept"
    ASSIGN = "assign"
    REASSIGN = "reassign"
    START = "start"
    PART_DONE = "part_done"
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"
    ESCALATE = "escalate"
    REJECT = "reject"
    DUPLICATE = "duplicate"


ACTION_LABELS = {
    Action.ACCEPT: gettext_lazy("Accept"),
    Action.ASSIGN: gettext_lazy("Assign"),
    Action.REASSIGN: gettext_lazy("Refer to another unit"),
    Action.START: gettext_lazy("Start work"),
    Action.PART_DONE: gettext_lazy("Our part is done"),
    Action.RESOLVE: gettext_lazy("Resolve"),
    Action.CLOSE: gettext_lazy("Record the household's confirmation"),
    Action.REOPEN: gettext_lazy("Reopen"),
    Action.ESCALATE: gettext_lazy("Escalate"),
    Action.REJECT: gettext_lazy("Reject"),
    Action.DUPLICATE: gettext_lazy("Mark duplicate"),
}


class Standing(StrEnum):
    OFFICE = "office"
    TOWNSHIP = "township"
    LEAD = "lead"
    CO = "co"
    CONFIRMER = "confirmer"


class TransitionNotAllowed(StateConflict):
    """The action is not allowed from the case's current status (the API answers 409); nothing was changed."""


@dataclass(frozen=True)
class Rule:
    action: Action
    sources: frozenset[str]
    target: str | None  # None: the status does not change
    who: frozenset[Standing]


def _rule(action: Action, sources, target, *who: Standing) -> Rule:
    return Rule(action, frozenset(sources), target, frozenset(who))


S = CaseStatus
OFFICE, TOWNSHIP, LEAD, CO, CONFIRMER = Standing

RULES: list[Rule] = [
    _rule(Action.ACCEPT, [S.SUBMITTED], S.ACCEPTED, OFFICE, TOWNSHIP),
    _rule(Action.REJECT, [S.SUBMITTED, S.ACCEPTED], S.REJECTED, OFFICE, TOWNSHIP),
    _rule(Action.DUPLICATE, [S.SUBMITTED, S.ACCEPTED], S.DUPLICATE, OFFICE, TOWNSHIP),
    _rule(Action.ASSIGN, [S.ACCEPTED], S.ASSIGNED, OFFICE, TOWNSHIP),
    _rule(Action.REASSIGN, [S.ASSIGNED, S.IN_PROGRESS], S.ASSIGNED, OFFICE, TOWNSHIP),
    _rule(Action.START, [S.ASSIGNED], S.IN_PROGRESS, LEAD),
    _rule(Action.PART_DONE, [S.ASSIGNED, S.IN_PROGRESS], None, CO),
    _rule(Action.RESOLVE, [S.IN_PROGRESS], S.RESOLVED, LEAD),
    _rule(Action.ESCALATE, [S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS], None, OFFICE, TOWNSHIP, LEAD),
    _rule(Action.CLOSE, [S.RESOLVED], S.CLOSED, OFFICE, TOWNSHIP, CONFIRMER),
    _rule(Action.REOPEN, [S.RESOLVED], S.IN_PROGRESS, OFFICE, TOWNSHIP, CONFIRMER),
    _rule(Action.REOPEN, [S.CLOSED], S.IN_PROGRESS, OFFICE),
]

ACTIONS_NEEDING_NOTE = frozenset({Action.RESOLVE, Action.REOPEN, Action.ESCALATE, Action.REJECT, Action.PART_DONE})


def rules_for(action: Action) -> list[Rule]:
    return [rule for rule in RULES if rule.action == action]


def target_status(action: Action, status: str) -> str | None:
    """The status ``action`` leads to from ``status`` (None: unchanged); raises ``TransitionNotAllowed``."""
    for rule in rules_for(action):
        if status in rule.sources:
            return rule.target if rule.target is not None else status
    raise TransitionNotAllowed(
        _("“%(action)s” is not possible while the case is “%(status)s”.")
        % {"action": ACTION_LABELS[action], "status": CaseStatus(status).label}
    )


# -- who the user is for this case -------------------------------------------------------------------------------


def acts_for_unit(user: User, unit_id: int | None, unit=None) -> bool:
    if unit_id is None:
        return False
    if user.role == Role.DEPARTMENT:
        return user.department_id == unit_id
    if user.role == Role.TOWNSHIP and unit is not None:
        return unit.kind == DepartmentKind.TOWNSHIP and unit.division_id == user.division_id
    return False


# Set by ``with_standing_facts`` on the cases of a list: whether the asking cadre is paired with the household.
CALLER_PAIRED = "caller_paired_with_household"


def with_standing_facts(cases: QuerySet[Case], user: User) -> QuerySet[Case]:
    """``cases`` with what ``standing`` would otherwise look up once per case (a cadre's active pairing with the
    case's household), so that a list can say what ``user`` may do to each case in a fixed number of queries.
    The rows are then ``user``'s: pass them to ``standing`` and ``allowed_actions`` for that user only. The
    units' parts (``units`` with their ``unit``) should be prefetched as well."""
    cadre = getattr(user, "cadre", None) if getattr(user, "role", None) == Role.CADRE else None
    if cadre is None:
        return cases
    pairing = Pairing.objects.active().filter(cadre=cadre, household_id=OuterRef("household_id"))
    return cases.annotate(**{CALLER_PAIRED: Exists(pairing)})


def standing(user: User, case: Case) -> frozenset[Standing]:
    """What ``user`` is for ``case``. Call it on a case the user can see (``accounts.scoping``)."""
    if not (user and user.is_authenticated and user.is_active):
        return frozenset()
    found: set[Standing] = set()
    role = user.role
    village = case.village_id or ""
    if role == Role.COUNTY_OFFICE and user.division_id and village.startswith(user.division_id):
        found.add(OFFICE)
    if role == Role.TOWNSHIP and user.division_id and village.startswith(user.division_id):
        found.add(TOWNSHIP)
    if role in (Role.DEPARTMENT, Role.TOWNSHIP):
        for part in case.units.all():
            if part.status == PartStatus.REFERRED or not acts_for_unit(user, part.unit_id, part.unit):
                continue
            if part.role == UnitRole.LEAD:
                found.add(LEAD)
            elif part.status in (PartStatus.PENDING, PartStatus.CLOSED):  # closed: the case moved on
                found.add(CO)
    if role == Role.CADRE:
        cadre = getattr(user, "cadre", None)
        if cadre is not None and (case.reporter_cadre_id == cadre.pk or _paired_with_household(cadre, case)):
            found.add(CONFIRMER)
    return frozenset(found)


def _paired_with_household(cadre, case: Case) -> bool:
    known = getattr(case, CALLER_PAIRED, None)
    if known is not None:
        return known
    return (
        case.household_id is not None
        and Pairing.objects.active().filter(cadre=cadre, household_id=case.household_id).exists()
    )


def check(user: User, case: Case, action: Action, *, who: frozenset[Standing] | None = None) -> str | None:
    """The status ``action`` by ``user`` leads ``case`` to (None: unchanged); raises ``PermissionDenied`` or
    ``TransitionNotAllowed``."""
    who = standing(user, case) if who is None else who
    rules = rules_for(action)
    if not any(rule.who & who for rule in rules):
        raise PermissionDenied(_("Your role may not do this to this case."))
    target = target_status(action, case.status)
    rule = next(rule for rule in rules if case.status in rule.sources)
    if not rule.who & who:
        raise PermissionDenied(_("Your role may not do this to this case now."))
    if action == Action.REASSIGN and who & rule.who == {TOWNSHIP} and case.level == CaseLevel.COUNTY:
        raise PermissionDenied(_("The case is held at county level: only the county office may refer it."))
    if action == Action.ESCALATE and case.level == LEVEL_ORDER[-1]:
        raise TransitionNotAllowed(_("The case is already held at county level."))
    return target


def allowed_actions(user: User, case: Case) -> list[Action]:
    """The actions ``user`` may take on ``case`` now (the buttons of the case page)."""
    who = standing(user, case)
    allowed = []
    for action in Action:
        try:
            check(user, case, action, who=who)
        except (PermissionDenied, TransitionNotAllowed):
            continue
        allowed.append(action)
    return allowed


def next_level(level: str) -> str:
    index = LEVEL_ORDER.index(CaseLevel(level))
    return LEVEL_ORDER[min(index + 1, len(LEVEL_ORDER) - 1)]
