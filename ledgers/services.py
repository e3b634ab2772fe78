"""Every change to the four ledgers goes through this module.

Rows are ended, never deleted. Each function validates, writes in one transaction (with the actor recorded on
the row and in its history) and raises ``ValidationError`` with a message naming what is wrong; on error the
database is left as it was.
"""

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import User
from cadres.models import Cadre, CadreStatus, Department, Rank
from divisions.models import Division, KeyVillageDesignation, Level
from households.models import Household, HouseholdStatus

from .models import DepartmentSupport, LeaderAssignment, LedgerEntry, Pairing, VillageAssistance

# --------------------------------------------------------------------------------------------------------------
# Shared rules


def pairing_limit(rank: str) -> int:
    """How many households a cadre of ``rank`` may carry as primary pairings (settings.PAIRING_LIMITS)."""
    return settings.PAIRING_LIMITS.get(rank, settings.PAIRING_LIMITS["ordinary"])


def cadre_loads(cadre_ids: Iterable[int]) -> dict[int, int]:
    """Active primary pairings per cadre, in one query; cadres with none are 0."""
    ids = list(cadre_ids)
    counts = dict(
        Pairing.objects.active()
        .filter(is_primary=True, cadre_id__in=ids)
        .values_list("cadre_id")
        .annotate(n=Count("id"))
        .values_list("cadre_id", "n")
    )
    return {cadre_id: counts.get(cadre_id, 0) for cadre_id in ids}


def _today() -> dt.date:
    return timezone.localdate()


def _check_date(value: dt.date | None, *, field_name: str, not_before: dt.date | None = None) -> dt.date:
    value = value or _today()
    if value > _today():
        raise ValidationError({field_name: _("The date %(date)s is in the future.") % {"date": value}})
    if not_before and value < not_before:
        raise ValidationError(
            {
                field_name: _("The date %(date)s is before the start date %(start)s.")
                % {"date": value, "start": not_before}
            }
        )
    return value


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for this change.")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("The reason is too long (200 characters at most).")})
    return reason


def _ensure_pairable(cadre: Cadre) -> None:
    if cadre.status != CadreStatus.ACTIVE:
        raise ValidationError(
            {
                "cadre": _("%(name)s is %(status)s and can no longer be paired.")
                % {"name": cadre.name, "status": cadre.get_status_display()}
            }
        )


def _ensure_capacity(cadre: Cadre, *, adding: int = 1) -> None:
    """Refuse when ``cadre`` would carry more primary households than its rank allows.

    The caller holds a lock on the cadre row, so two concurrent pairings cannot both take the last place.
    """
    limit = pairing_limit(cadre.rank)
    load = cadre_loads([cadre.pk])[cadre.pk]
    if load + adding > limit:
        raise ValidationError(
            {
                "cadre": _("%(name)s already carries %(load)d households; a %(rank)s may carry at most %(limit)d.")
                % {"name": cadre.name, "load": load, "rank": cadre.get_rank_display(), "limit": limit}
            }
        )


def _lock_cadre(cadre: Cadre) -> Cadre:
    return Cadre.objects.select_for_update().get(pk=cadre.pk)


def _end_entry(entry: LedgerEntry, *, actor: User | None, end_date: dt.date | None, reason: str) -> LedgerEntry:
    if entry.end_date is not None:
        raise ValidationError(_("This ledger row already ended on %(date)s.") % {"date": entry.end_date})
    entry.end_date = _check_date(end_date, field_name="end_date", not_before=entry.start_date)
    entry.end_reason = _require_reason(reason)
    entry.ended_by = actor
    entry._history_user = actor
    entry.save(update_fields=["end_date", "end_reason", "ended_by", "updated_at"])
    return entry


def _locked_active(model: type[LedgerEntry], entry: LedgerEntry) -> LedgerEntry:
    return model.objects.select_for_update().get(pk=entry.pk)


# --------------------------------------------------------------------------------------------------------------
# Cadre–household pairing


@transaction.atomic
def pairing_create(
    *,
    actor: User | None,
    cadre: Cadre,
    household: Household,
    start_date: dt.date | None = None,
    reason: str = "",
    is_primary: bool = True,
) -> Pairing:
    """Pair ``cadre`` with ``household``. A household has at most one active primary pairing."""
    cadre = _lock_cadre(cadre)
    _ensure_pairable(cadre)
    if household.status != HouseholdStatus.ACTIVE:
        raise ValidationError(
            {"household": _("Household %(label)s is no longer active.") % {"label": _household_label(household)}}
        )
    start = _check_date(start_date, field_name="start_date")
    active = Pairing.objects.active().filter(household=household).select_related("cadre")
    if any(p.cadre_id == cadre.pk for p in active):
        raise ValidationError(
            {"household": _("%(name)s is already paired with this household.") % {"name": cadre.name}}
        )
    if is_primary:
        current = next((p for p in active if p.is_primary), None)
        if current is not None:
            raise ValidationError(
                {
                    "household": _(
                        "Household %(label)s is already paired with %(name)s; end or re-pair that pairing first."
                    )
                    % {"label": _household_label(household), "name": current.cadre.name}
                }
            )
        _ensure_capacity(cadre)
    pairing = Pairing(
        cadre=cadre,
        household=household,
        is_primary=is_primary,
        start_date=start,
        start_reason=reason.strip()[:200],
        created_by=actor,
    )
    pairing._history_user = actor
    try:
        with transaction.atomic():
            pairing.save()
    except IntegrityError as exc:  # a concurrent pairing of the same household won the race
        raise ValidationError(
            {
                "household": _("Household %(label)s was paired by someone else just now.")
                % {"label": _household_label(household)}
            }
        ) from exc
    return pairing


@transaction.atomic
def pairing_end(*, actor: User | None, pairing: Pairing, reason: str, end_date: dt.date | None = None) -> Pairing:
    """End a pairing; the row stays in the ledger. The household may be left uncovered."""
    return _end_entry(_locked_active(Pairing, pairing), actor=actor, end_date=end_date, reason=reason)


@transaction.atomic
def pairing_repair(
    *, actor: User | None, household: Household, cadre: Cadre, reason: str, date: dt.date | None = None
) -> Pairing:
    """Move a household's primary pairing to ``cadre``: the old row ends and the new one starts on ``date``."""
    reason = _require_reason(reason)
    current = Pairing.objects.select_for_update().active().filter(household=household, is_primary=True).first()
    if current is None:
        raise ValidationError(
            {
                "household": _("Household %(label)s has no active pairing to move.")
                % {"label": _household_label(household)}
            }
        )
    if current.cadre_id == cadre.pk:
        raise ValidationError({"cadre": _("The household is already paired with %(name)s.") % {"name": cadre.name}})
    _end_entry(current, actor=actor, end_date=date, reason=reason)
    return pairing_create(
        actor=actor, cadre=cadre, household=household, start_date=current.end_date, reason=reason, is_primary=True
    )


# --------------------------------------------------------------------------------------------------------------
# Leader–township, department–township and official–key-village ledgers


def _require_level(division: Division, level: str, field_name: str) -> None:
    if division.level != level:
        raise ValidationError(
            {
                field_name: _("%(name)s is a %(level)s, not a %(expected)s.")
                % {"name": division.name, "level": division.get_level_display(), "expected": Level(level).label}
            }
        )


def _refuse_duplicate(model: type[LedgerEntry], message: str, **match) -> None:
    if model.objects.active().filter(**match).exists():
        raise ValidationError(message)


@transaction.atomic
def leader_assignment_create(
    *, actor: User | None, cadre: Cadre, township: Division, start_date: dt.date | None = None, reason: str = ""
) -> LeaderAssignment:
    """Make a county leader responsible for a township."""
    cadre = _lock_cadre(cadre)
    _ensure_pairable(cadre)
    if cadre.rank != Rank.COUNTY_LEADER:
        raise ValidationError({"cadre": _("Only a county leader can be responsible for a township.")})
    _require_level(township, Level.TOWNSHIP, "township")
    _refuse_duplicate(
        LeaderAssignment,
        _("%(name)s is already responsible for %(township)s.") % {"name": cadre.name, "township": township.name},
        cadre=cadre,
        township=township,
    )
    return _save_new(
        LeaderAssignment(cadre=cadre, township=township), actor=actor, start_date=start_date, reason=reason
    )


@transaction.atomic
def leader_assignment_end(
    *, actor: User | None, assignment: LeaderAssignment, reason: str, end_date: dt.date | None = None
) -> LeaderAssignment:
    return _end_entry(_locked_active(LeaderAssignment, assignment), actor=actor, end_date=end_date, reason=reason)


@transaction.atomic
def department_support_create(
    *,
    actor: User | None,
    department: Department,
    township: Division,
    start_date: dt.date | None = None,
    reason: str = "",
) -> DepartmentSupport:
    """Have a department support a township."""
    if not department.is_active:
        raise ValidationError({"department": _("%(name)s is no longer active.") % {"name": department.name}})
    _require_level(township, Level.TOWNSHIP, "township")
    _refuse_duplicate(
        DepartmentSupport,
        _("%(name)s already supports %(township)s.") % {"name": department.name, "township": township.name},
        department=department,
        township=township,
    )
    return _save_new(
        DepartmentSupport(department=department, township=township), actor=actor, start_date=start_date, reason=reason
    )


@transaction.atomic
def department_support_end(
    *, actor: User | None, support: DepartmentSupport, reason: str, end_date: dt.date | None = None
) -> DepartmentSupport:
    return _end_entry(_locked_active(DepartmentSupport, support), actor=actor, end_date=end_date, reason=reason)


@transaction.atomic
def village_assistance_create(
    *,
    actor: User | None,
    cadre: Cadre,
    village: Division,
    role: str,
    start_date: dt.date | None = None,
    reason: str = "",
) -> VillageAssistance:
    """Post an official to a key village."""
    cadre = _lock_cadre(cadre)
    _ensure_pairable(cadre)
    _require_level(village, Level.VILLAGE, "village")
    if not KeyVillageDesignation.objects.filter(village=village).exists():
        raise ValidationError({"village": _("%(name)s is not a key village.") % {"name": village.name}})
    _refuse_duplicate(
        VillageAssistance,
        _("%(name)s is already posted to %(village)s.") % {"name": cadre.name, "village": village.name},
        cadre=cadre,
        village=village,
    )
    return _save_new(
        VillageAssistance(cadre=cadre, village=village, role=role), actor=actor, start_date=start_date, reason=reason
    )


@transaction.atomic
def village_assistance_end(
    *, actor: User | None, assistance: VillageAssistance, reason: str, end_date: dt.date | None = None
) -> VillageAssistance:
    return _end_entry(_locked_active(VillageAssistance, assistance), actor=actor, end_date=end_date, reason=reason)


def _save_new(entry: LedgerEntry, *, actor: User | None, start_date: dt.date | None, reason: str) -> LedgerEntry:
    entry.start_date = _check_date(start_date, field_name="start_date")
    entry.start_reason = reason.strip()[:200]
    entry.created_by = actor
    entry._history_user = actor
    entry.full_clean(exclude=["created_by", "ended_by"], validate_unique=False, validate_constraints=False)
    entry.save()
    return entry


# --------------------------------------------------------------------------------------------------------------
# A cadre leaves


@dataclass
class TransferResult:
    cadre: Cadre
    ended_pairings: int
    ended_leader_assignments: int
    ended_village_assistance: int
    uncovered_households: list[Household]


@transaction.atomic
def cadre_transfer(
    *,
    actor: User | None,
    cadre: Cadre,
    reason: str,
    date: dt.date | None = None,
    status: str = CadreStatus.TRANSFERRED,
) -> TransferResult:
    """A cadre leaves (transferred, retired or inactive): every active row of theirs ends on ``date``.

    Returns the households they carried as primary cadre, which are now uncovered and need a new cadre
    (see ``pairing_suggestions``).
    """
    reason = _require_reason(reason)
    if status not in {CadreStatus.TRANSFERRED, CadreStatus.RETIRED, CadreStatus.INACTIVE}:
        raise ValidationError({"status": _("A cadre who leaves becomes transferred, retired or inactive.")})
    cadre = _lock_cadre(cadre)
    if cadre.status != CadreStatus.ACTIVE:
        raise ValidationError(
            {"cadre": _("%(name)s is already %(status)s.") % {"name": cadre.name, "status": cadre.get_status_display()}}
        )
    end = _check_date(date, field_name="date")
    ended: dict[type[LedgerEntry], list[LedgerEntry]] = {}
    for model in (Pairing, LeaderAssignment, VillageAssistance):
        rows = list(model.objects.select_for_update().active().filter(cadre=cadre))
        for row in rows:
            if end < row.start_date:
                raise ValidationError(
                    {
                        "date": _("The transfer date %(date)s is before a ledger row started (%(start)s).")
                        % {"date": end, "start": row.start_date}
                    }
                )
            row.end_date, row.end_reason, row.ended_by = end, reason, actor
        if rows:
            bulk_update_with_history(
                rows, model, ["end_date", "end_reason", "ended_by"], default_user=actor, default_change_reason=reason
            )
        ended[model] = rows
    cadre.status = status
    cadre.version += 1
    cadre._history_user = actor
    cadre.save(update_fields=["status", "version", "updated_at"])
    primary_ids = [p.household_id for p in ended[Pairing] if p.is_primary]
    uncovered = list(
        Household.objects.filter(pk__in=primary_ids)
        .exclude(pairings__end_date__isnull=True, pairings__is_primary=True)
        .order_by("village_id", "number")
    )
    return TransferResult(
        cadre=cadre,
        ended_pairings=len(ended[Pairing]),
        ended_leader_assignments=len(ended[LeaderAssignment]),
        ended_village_assistance=len(ended[VillageAssistance]),
        uncovered_households=uncovered,
    )


# --------------------------------------------------------------------------------------------------------------
# Plans: bulk re-pairing and suggestions are previewed first, then applied atomically


@dataclass(frozen=True)
class PlannedMove:
    household_id: object
    household_label: str
    from_cadre_id: int | None
    to_cadre_id: int | None  # None: nobody could take the household; it would be left uncovered


@dataclass
class PairingPlan:
    """The effect of a bulk re-pairing or of accepting suggestions, before anything is written."""

    moves: list[PlannedMove]
    loads_before: dict[int, int]
    loads_after: dict[int, int]
    cadre_names: dict[int, str] = field(default_factory=dict)

    @property
    def uncovered(self) -> list[PlannedMove]:
        return [move for move in self.moves if move.to_cadre_id is None]

    @property
    def placed(self) -> list[PlannedMove]:
        return [move for move in self.moves if move.to_cadre_id is not None]

    def describe(self) -> list[str]:
        """Human-readable lines: one per move, then each cadre's load after."""
        names = self.cadre_names
        lines = [
            f"{m.household_label}: {names.get(m.from_cadre_id, '—')} → "
            + (names.get(m.to_cadre_id, str(m.to_cadre_id)) if m.to_cadre_id else _("(uncovered)"))
            for m in self.moves
        ]
        for cadre_id, after in sorted(self.loads_after.items(), key=lambda item: names.get(item[0], "")):
            lines.append(
                _("%(name)s: %(before)d → %(after)d households")
                % {"name": names.get(cadre_id, cadre_id), "before": self.loads_before[cadre_id], "after": after}
            )
        return lines


def _household_label(household: Household) -> str:
    return f"{household.village_id}-{household.number} {household.head_name}"


def _distribute(
    households: Sequence[Household],
    *,
    from_cadre_ids: dict,
    candidates_for,
    cadres: dict[int, Cadre],
    loads: dict[int, int],
) -> PairingPlan:
    """Give each household to the least-loaded candidate under its rank limit (ties by candidate order).

    ``loads`` holds the current load of every cadre involved and is updated as households are placed, so that
    ``candidates_for`` sees the loads so far.
    """
    before = dict(loads)
    moves = []
    for household in households:
        best = None
        for cadre_id in candidates_for(household):
            if loads[cadre_id] < pairing_limit(cadres[cadre_id].rank) and (
                best is None or loads[cadre_id] < loads[best]
            ):
                best = cadre_id
        if best is not None:
            loads[best] += 1
        moves.append(
            PlannedMove(
                household_id=household.pk,
                household_label=_household_label(household),
                from_cadre_id=from_cadre_ids.get(household.pk),
                to_cadre_id=best,
            )
        )
    incoming = Counter(m.to_cadre_id for m in moves if m.to_cadre_id is not None)
    outgoing = Counter(m.from_cadre_id for m in moves if m.from_cadre_id is not None)
    touched = set(incoming) | set(outgoing)
    return PairingPlan(
        moves=moves,
        loads_before={c: before[c] for c in touched},
        loads_after={c: before[c] + incoming[c] - outgoing[c] for c in touched},
        cadre_names={c: cadres[c].name for c in touched},
    )


def pairing_bulk_repair_plan(
    *,
    from_cadre: Cadre,
    to_cadres: Sequence[Cadre],
    village: Division | None = None,
    household_ids: Sequence | None = None,
) -> PairingPlan:
    """Preview moving ``from_cadre``'s households (a whole village, or a list) to ``to_cadres``.

    Nothing is written. Households are spread over the targets, least-loaded first, within their rank limits;
    those no target can take are listed as uncovered.
    """
    if not to_cadres:
        raise ValidationError({"to_cadres": _("Name at least one cadre to take the households.")})
    if (village is None) == (household_ids is None):
        raise ValidationError(_("Give either a village or a list of households, not both."))
    targets = {c.pk: c for c in to_cadres}
    if from_cadre.pk in targets:
        raise ValidationError({"to_cadres": _("The cadre giving up households cannot also receive them.")})
    for target in targets.values():
        _ensure_pairable(target)
    pairings = Pairing.objects.active().filter(cadre=from_cadre, is_primary=True).select_related("household")
    if village is not None:
        _require_level(village, Level.VILLAGE, "village")
        pairings = pairings.filter(household__village=village)
    else:
        try:
            household_ids = [_as_uuid(value) for value in household_ids]
        except ValueError:
            raise ValidationError({"households": _("Household ids must be UUIDs.")}) from None
        pairings = pairings.filter(household_id__in=household_ids)
    pairings = list(pairings.order_by("household__village_id", "household__number"))
    if household_ids is not None:
        found = {p.household_id for p in pairings}
        missing = [str(h) for h in household_ids if h not in found]
        if missing:
            raise ValidationError(
                {
                    "households": _("Not paired with %(name)s: %(ids)s")
                    % {"name": from_cadre.name, "ids": ", ".join(missing)}
                }
            )
    if not pairings:
        raise ValidationError(_("%(name)s has no households to move there.") % {"name": from_cadre.name})
    cadres = {**targets, from_cadre.pk: from_cadre}
    loads = cadre_loads(cadres)
    order = list(targets)
    return _distribute(
        [p.household for p in pairings],
        from_cadre_ids={p.household_id: from_cadre.pk for p in pairings},
        candidates_for=lambda household: order,
        cadres=cadres,
        loads=loads,
    )


def _as_uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def pairing_suggestions(*, division: Division, households: Sequence[Household] | None = None) -> PairingPlan:
    """Propose a cadre for each uncovered household in ``division`` (nothing is written).

    Preference: cadres already working in the same village (living or paired there), then in the same township,
    then cadres of departments that support the township; always active, under their rank's limit, and the
    least-loaded first so that load stays balanced.
    """
    from .selectors import households_unpaired

    if households is None:
        households = list(households_unpaired(division.code))
    if not households:
        return PairingPlan(moves=[], loads_before={}, loads_after={})
    townships = {h.village_id[:9] for h in households}
    working = (
        Pairing.objects.active()
        .filter(_prefix_q("household__village__code", townships), cadre__status=CadreStatus.ACTIVE)
        .values_list("cadre_id", "household__village_id")
        .distinct()
    )
    by_village: dict[str, set[int]] = {}
    by_township: dict[str, set[int]] = {}
    for cadre_id, village_code in working:
        by_village.setdefault(village_code, set()).add(cadre_id)
        by_township.setdefault(village_code[:9], set()).add(cadre_id)
    for cadre_id, code in Cadre.objects.filter(
        _prefix_q("division__code", townships), status=CadreStatus.ACTIVE
    ).values_list("id", "division_id"):
        if len(code) == 12:
            by_village.setdefault(code, set()).add(cadre_id)
        by_township.setdefault(code[:9], set()).add(cadre_id)
    supporting: dict[str, set[int]] = {}
    support_rows = (
        DepartmentSupport.objects.active()
        .filter(township_id__in=townships, department__cadres__status=CadreStatus.ACTIVE)
        .values_list("township_id", "department__cadres__id")
    )
    for code, cadre_id in support_rows:
        supporting.setdefault(code, set()).add(cadre_id)
    all_ids = set().union(*by_village.values(), *by_township.values(), *supporting.values())
    cadres = {c.pk: c for c in Cadre.objects.filter(pk__in=all_ids)}
    loads = cadre_loads(cadres)

    def candidates_for(household: Household) -> list[int]:
        village_ids = by_village.get(household.village_id, set())
        township_ids = by_township.get(household.village_id[:9], set()) - village_ids
        support_ids = supporting.get(household.village_id[:9], set()) - village_ids - township_ids
        for tier in (village_ids, township_ids, support_ids):
            open_ids = sorted(
                (c for c in tier if loads[c] < pairing_limit(cadres[c].rank)), key=lambda c: (loads[c], c)
            )
            if open_ids:
                return open_ids[:1]
        return []

    return _distribute(households, from_cadre_ids={}, candidates_for=candidates_for, cadres=cadres, loads=loads)


def _prefix_q(field_name: str, prefixes: Iterable[str]) -> Q:
    q = Q()
    for prefix in prefixes:
        q |= Q(**{f"{field_name}__startswith": prefix})
    return q


@dataclass
class AppliedPlan:
    ended: int
    created: int
    uncovered: list[PlannedMove]


@transaction.atomic
def pairing_plan_apply(
    *,
    actor: User | None,
    plan: PairingPlan,
    reason: str,
    date: dt.date | None = None,
    allow_uncovered: bool = False,
) -> AppliedPlan:
    """Apply a previewed plan in one transaction, or nothing at all.

    Refuses if the ledger changed since the preview (a household's current cadre is no longer the one the plan
    assumed, a target left or filled up), or if the plan would leave households uncovered and
    ``allow_uncovered`` is not set.
    """
    reason = _require_reason(reason)
    start = _check_date(date, field_name="date")
    if plan.uncovered and not allow_uncovered:
        raise ValidationError(
            _("%(count)d households would be left uncovered; add cadres to the plan or confirm leaving them uncovered.")
            % {"count": len(plan.uncovered)}
        )
    target_ids = {m.to_cadre_id for m in plan.placed}
    cadres = {c.pk: c for c in Cadre.objects.select_for_update().filter(pk__in=target_ids).order_by("pk")}
    household_ids = [m.household_id for m in plan.moves]
    current = {
        p.household_id: p
        for p in Pairing.objects.select_for_update().active().filter(household_id__in=household_ids, is_primary=True)
    }
    stale = [
        m.household_label
        for m in plan.moves
        if (current[m.household_id].cadre_id if m.household_id in current else None) != m.from_cadre_id
    ]
    if stale:
        raise ValidationError(
            _("The ledger changed since the preview for: %(households)s. Preview again.")
            % {"households": ", ".join(stale)}
        )
    incoming = Counter(m.to_cadre_id for m in plan.placed)
    loads = cadre_loads(target_ids)
    for cadre_id, count in incoming.items():
        cadre = cadres[cadre_id]
        _ensure_pairable(cadre)
        outgoing = sum(1 for m in plan.moves if m.from_cadre_id == cadre_id)
        if loads[cadre_id] - outgoing + count > pairing_limit(cadre.rank):
            raise ValidationError(
                _("%(name)s no longer has room for %(count)d more households. Preview again.")
                % {"name": cadre.name, "count": count}
            )
    to_end = [current[m.household_id] for m in plan.moves if m.household_id in current]
    for pairing in to_end:
        if start < pairing.start_date:
            raise ValidationError({"date": _("The date %(date)s is before a pairing started.") % {"date": start}})
        pairing.end_date, pairing.end_reason, pairing.ended_by = start, reason, actor
    if to_end:
        bulk_update_with_history(
            to_end, Pairing, ["end_date", "end_reason", "ended_by"], default_user=actor, default_change_reason=reason
        )
    new_rows = [
        Pairing(
            cadre_id=m.to_cadre_id,
            household_id=m.household_id,
            is_primary=True,
            start_date=start,
            start_reason=reason,
            created_by=actor,
        )
        for m in plan.placed
    ]
    try:
        with transaction.atomic():
            bulk_create_with_history(new_rows, Pairing, default_user=actor, default_change_reason=reason)
    except IntegrityError as exc:
        raise ValidationError(_("Someone paired one of these households just now. Preview again.")) from exc
    return AppliedPlan(ended=len(to_end), created=len(new_rows), uncovered=plan.uncovered)
