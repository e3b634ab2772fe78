"""A cadre leaves: all of their rows end together."""

import datetime as dt
from dataclasses import dataclass
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from accounts.models import User
from accounts.permissions import Capability, check_capability, refusals_logged
from cadres.models import Cadre, CadreStatus
from households.models import Household
from ledgers.models import LeaderAssignment, LedgerEntry, Pairing, VillageAssistance
from songpan.records import save_next_version

from .rules import _check_date, _lock_cadre, _require_reason


@dataclass
class TransferResult:
    cadre: Cadre
    ended_pairings: int
    ended_leader_assignments: int
    ended_village_assistance: int
    uncovered_households: list[Household]


@refusals_logged
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
    check_capability(actor, Capability.MANAGE_LEDGERS)
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
    save_next_version(cadre, actor=actor, update_fields=["status", "updated_at"])
    primary_ids = [p.household_id for p in cast(list[Pairing], ended[Pairing]) if p.is_primary]
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
