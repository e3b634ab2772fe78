"""The leader–township, department–township and official–key-village ledgers."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import Capability, check_capability, refusals_logged
from cadres.models import Cadre, Department, Rank
from divisions.models import Division, KeyVillageDesignation, Level
from ledgers.models import DepartmentSupport, LeaderAssignment, VillageAssistance

from .rules import (
    _end_entry,
    _ensure_pairable,
    _lock_cadre,
    _locked_active,
    _refuse_duplicate,
    _require_level,
    _save_new,
)


@refusals_logged
@transaction.atomic
def leader_assignment_create(
    *, actor: User | None, cadre: Cadre, township: Division, start_date: dt.date | None = None, reason: str = ""
) -> LeaderAssignment:
    """Make a county leader responsible for a township."""
    check_capability(actor, Capability.MANAGE_LEDGERS)
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


@refusals_logged
@transaction.atomic
def leader_assignment_end(
    *, actor: User | None, assignment: LeaderAssignment, reason: str, end_date: dt.date | None = None
) -> LeaderAssignment:
    check_capability(actor, Capability.MANAGE_LEDGERS)
    return _end_entry(_locked_active(LeaderAssignment, assignment), actor=actor, end_date=end_date, reason=reason)


@refusals_logged
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
    check_capability(actor, Capability.MANAGE_LEDGERS)
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


@refusals_logged
@transaction.atomic
def department_support_end(
    *, actor: User | None, support: DepartmentSupport, reason: str, end_date: dt.date | None = None
) -> DepartmentSupport:
    check_capability(actor, Capability.MANAGE_LEDGERS)
    return _end_entry(_locked_active(DepartmentSupport, support), actor=actor, end_date=end_date, reason=reason)


@refusals_logged
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
    check_capability(actor, Capability.MANAGE_LEDGERS)
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


@refusals_logged
@transaction.atomic
def village_assistance_end(
    *, actor: User | None, assistance: VillageAssistance, reason: str, end_date: dt.date | None = None
) -> VillageAssistance:
    check_capability(actor, Capability.MANAGE_LEDGERS)
    return _end_entry(_locked_active(VillageAssistance, assistance), actor=actor, end_date=end_date, reason=reason)
