"""Bulk re-pairing and re-pairing suggestions: previewed as a plan, then applied atomically."""

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import User
from accounts.permissions import Capability, check_capability, refusals_logged
from cadres.models import Cadre, CadreStatus
from divisions.models import Division, Level
from households.models import Household
from ledgers.models import DepartmentSupport, Pairing
from ledgers.selectors import households_unpaired

from .rules import (
    _as_uuid,
    _check_date,
    _ensure_pairable,
    _household_label,
    _prefix_q,
    _require_level,
    _require_reason,
    cadre_loads,
    pairing_limit,
)


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
            f"{m.household_label}: {names.get(m.from_cadre_id or 0, '—')} → "
            + (names.get(m.to_cadre_id, str(m.to_cadre_id)) if m.to_cadre_id else _("(uncovered)"))
            for m in self.moves
        ]
        for cadre_id, after in sorted(self.loads_after.items(), key=lambda item: names.get(item[0], "")):
            lines.append(
                _("%(name)s: %(before)d → %(after)d households")
                % {"name": names.get(cadre_id, cadre_id), "before": self.loads_before[cadre_id], "after": after}
            )
        return lines


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
            household_ids = [_as_uuid(value) for value in household_ids or ()]
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


def pairing_suggestions(*, division: Division, households: Sequence[Household] | None = None) -> PairingPlan:
    """Propose a cadre for each uncovered household in ``division`` (nothing is written).

    Preference: cadres already working in the same village (living or paired there), then in the same township,
    then cadres of departments that support the township; always active, under their rank's limit, and the
    least-loaded first so that load stays balanced.
    """
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


@dataclass
class AppliedPlan:
    ended: int
    created: int
    uncovered: list[PlannedMove]


@refusals_logged
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
    check_capability(actor, Capability.MANAGE_PAIRINGS)
    reason = _require_reason(reason)
    start = _check_date(date, field_name="date")
    if plan.uncovered and not allow_uncovered:
        raise ValidationError(
            _("%(count)d households would be left uncovered; add cadres to the plan or confirm leaving them uncovered.")
            % {"count": len(plan.uncovered)}
        )
    cadres, current = _lock_plan_rows(plan)
    _refuse_stale_plan(plan, current)
    _check_room_left(plan, cadres)
    to_end = [current[m.household_id] for m in plan.moves if m.household_id in current]
    _end_pairings(to_end, start=start, reason=reason, actor=actor)
    created = _start_planned_pairings(plan, start=start, reason=reason, actor=actor)
    return AppliedPlan(ended=len(to_end), created=created, uncovered=plan.uncovered)


def _lock_plan_rows(plan: PairingPlan) -> tuple[dict[int, Cadre], dict[object, Pairing]]:
    """Lock the target cadres (in id order), then the moved households' active primary pairings; return them, the
    pairings by household id."""
    target_ids = {m.to_cadre_id for m in plan.placed}
    cadres = {c.pk: c for c in Cadre.objects.select_for_update().filter(pk__in=target_ids).order_by("pk")}
    household_ids = [m.household_id for m in plan.moves]
    current = {
        p.household_id: p
        for p in Pairing.objects.select_for_update().active().filter(household_id__in=household_ids, is_primary=True)
    }
    return cadres, current


def _refuse_stale_plan(plan: PairingPlan, current: dict[object, Pairing]) -> None:
    """Refuse when a household's current cadre is no longer the one the preview assumed."""
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


def _check_room_left(plan: PairingPlan, cadres: dict[int, Cadre]) -> None:
    """Each target cadre can still be paired and, after the plan's moves out and in, stays within its limit."""
    incoming = Counter(m.to_cadre_id for m in plan.placed if m.to_cadre_id is not None)
    loads = cadre_loads(set(incoming))
    for cadre_id, count in incoming.items():
        cadre = cadres[cadre_id]
        _ensure_pairable(cadre)
        outgoing = sum(1 for m in plan.moves if m.from_cadre_id == cadre_id)
        if loads[cadre_id] - outgoing + count > pairing_limit(cadre.rank):
            raise ValidationError(
                _("%(name)s no longer has room for %(count)d more households. Preview again.")
                % {"name": cadre.name, "count": count}
            )


def _end_pairings(to_end: list[Pairing], *, start: dt.date, reason: str, actor: User | None) -> None:
    """End the households' current pairings on the day the new ones start (not before any of them began)."""
    for pairing in to_end:
        if start < pairing.start_date:
            raise ValidationError({"date": _("The date %(date)s is before a pairing started.") % {"date": start}})
        pairing.end_date, pairing.end_reason, pairing.ended_by = start, reason, actor
    if to_end:
        bulk_update_with_history(
            to_end, Pairing, ["end_date", "end_reason", "ended_by"], default_user=actor, default_change_reason=reason
        )


def _start_planned_pairings(plan: PairingPlan, *, start: dt.date, reason: str, actor: User | None) -> int:
    """Create the plan's new primary pairings; a concurrent pairing of one of the households refuses the plan.
    Returns how many were created."""
    new_rows = [
        Pairing(
            cadre_id=cast(int, m.to_cadre_id),  # placed moves have a cadre
            household_id=cast(uuid.UUID, m.household_id),
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
    return len(new_rows)
