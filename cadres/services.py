"""Every write to departments and cadres.

Transfers (a cadre leaving one post for another and handing over its ledgers) live in ``ledgers.services``;
``cadre_update`` corrects a cadre's record and does not touch the ledgers, so it does not change the status.
``department_validate`` and ``cadre_validate`` are the rules themselves: the services call them, and forms
(the admin) call them too so that a broken rule shows as a form error instead of a failed save.
"""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import Capability, check_capability, refusals_logged
from accounts.sessions import EndReason, user_sign_ins_end
from divisions.models import Division, Level
from songpan.errors import FieldErrors, StaleVersionError, field_error
from songpan.phones import validate_phone
from songpan.records import copy_saved_fields, history_by, lock_for_update, save_next_version

from .models import Cadre, Department, DepartmentKind, DepartmentLevel, Rank

__all__ = [
    "StaleVersionError",
    "cadre_create",
    "cadre_update",
    "cadre_validate",
    "department_create",
    "department_update",
    "department_validate",
]

CADRE_SEXES = ("male", "female")
CADRE_UPDATABLE_FIELDS = frozenset(
    "name sex ethnicity rank title department division is_party_member phone user".split()
)
DEPARTMENT_UPDATABLE_FIELDS = frozenset("name short_name level kind division is_active".split())


# --- departments ---------------------------------------------------------------------------------------------


def department_validate(
    *,
    name: str,
    level: str,
    kind: str,
    division: Division | None,
    department: Department | None = None,
) -> None:
    """Raise ValidationError unless a department with these values may exist (``department``: the one edited).

    The name is unique within its division; the level is that of the division (a county bureau belongs to the
    county, a township government to its township); only a township-level department can be of kind township.
    """
    errors = FieldErrors()
    name = (name or "").strip()
    if not name:
        errors.add("name", _("Give the department's name."), code="required")
    if level not in DepartmentLevel.values:
        errors.add("level", _("%(value)s is not a valid choice."), code="invalid_choice", params={"value": level})
    if kind not in DepartmentKind.values:
        errors.add("kind", _("%(value)s is not a valid choice."), code="invalid_choice", params={"value": kind})
    if not isinstance(division, Division):
        errors.add("division", _("Choose the division whose organ this department is."), code="required")
    else:
        if level in DepartmentLevel.values and division.level != level:
            errors.add(
                "division",
                _("A %(level)s-level department belongs to a %(level)s; %(division)s is a %(division_level)s."),
                code="level_mismatch",
                params={
                    "level": DepartmentLevel(level).label.lower(),
                    "division": str(division),
                    "division_level": division.get_level_display().lower(),
                },
            )
        if name:
            taken = Department.objects.filter(division=division, name=name)
            if department is not None and department.pk is not None:
                taken = taken.exclude(pk=department.pk)
            if taken.exists():
                errors.add(
                    "name",
                    _("A department named %(name)s already exists in %(division)s."),
                    code="duplicate_name",
                    params={"name": name, "division": str(division)},
                )
    if kind == DepartmentKind.TOWNSHIP and level in DepartmentLevel.values and level != DepartmentLevel.TOWNSHIP:
        errors.add("kind", _("Only a township-level department can be a township government."), code="kind_mismatch")
    errors.raise_if_any()


def _save_department(department: Department) -> None:
    try:
        with transaction.atomic():
            department.save()
    except IntegrityError:
        taken = Department.objects.filter(division=department.division, name=department.name)
        if taken.exclude(pk=department.pk).exists():
            raise field_error(
                "name",
                _("A department named %(name)s already exists in %(division)s."),
                code="duplicate_name",
                params={"name": department.name, "division": str(department.division)},
            ) from None
        raise


@refusals_logged
@transaction.atomic
def department_create(
    *,
    actor: User | None,
    name: str,
    level: str,
    kind: str,
    division: Division,
    short_name: str = "",
) -> Department:
    """Create a department (a county bureau, a township government, ...) of a division."""
    check_capability(actor, Capability.MANAGE_LEDGERS)
    department_validate(name=name, level=level, kind=kind, division=division)
    department = Department(
        name=name.strip(), short_name=(short_name or "").strip(), level=level, kind=kind, division=division
    )
    errors = FieldErrors()
    errors.full_clean(department, exclude=["division"])
    errors.raise_if_any()
    _save_department(department)
    return department


@refusals_logged
@transaction.atomic
def department_update(*, actor: User | None, department: Department, **changes: Any) -> Department:
    """Correct a department's name, short name, level, kind or division, or mark it inactive (``is_active``)."""
    check_capability(actor, Capability.MANAGE_LEDGERS)
    FieldErrors.reject_not_updatable(changes, DEPARTMENT_UPDATABLE_FIELDS, {})
    locked: Department = Department.objects.select_for_update().get(pk=department.pk)
    for name in ("name", "short_name"):
        if name in changes:
            changes[name] = str(changes[name] or "").strip()
    for name, value in changes.items():
        setattr(locked, name, value)
    department_validate(
        name=locked.name, level=locked.level, kind=locked.kind, division=locked.division, department=locked
    )
    errors = FieldErrors()
    errors.full_clean(locked, exclude=["division"])
    errors.raise_if_any()
    _save_department(locked)
    for field in locked._meta.concrete_fields:
        setattr(department, field.attname, getattr(locked, field.attname))
    return locked


# --- cadres --------------------------------------------------------------------------------------------------


def cadre_validate(
    *,
    name: str,
    sex: str,
    rank: str,
    department: Department | None,
    division: Division | None,
    phone: str = "",
    user: User | None = None,
    cadre: Cadre | None = None,
    department_changed: bool = True,
) -> dict[str, Any]:
    """Raise ValidationError unless a cadre with these values may exist; returns the normalised values.

    A cadre has a department, a home division, or both (the home division then lies within the department's
    division). Village cadres have a village as home division; county leaders belong to a county-level
    department or to the county itself. A new department must be active. ``cadre``: the one being edited.
    """
    errors = FieldErrors()
    name = (name or "").strip()
    if not name:
        errors.add("name", _("Give the cadre's name."), code="required")
    if sex not in CADRE_SEXES:
        errors.add("sex", _("%(value)s is not a valid choice."), code="invalid_choice", params={"value": sex})
    if rank not in Rank.values:
        errors.add("rank", _("%(value)s is not a valid choice."), code="invalid_choice", params={"value": rank})

    if department is None and division is None:
        errors.add("department", _("Give the cadre's department, home division, or both."), code="no_placement")
    if department is not None and department_changed and not department.is_active:
        errors.add(
            "department",
            _("%(department)s is no longer active."),
            code="inactive_department",
            params={"department": department.name},
        )
    if department is not None and division is not None and not division.is_within(department.division_id):
        errors.add(
            "division",
            _("The home division %(division)s is outside %(department)s's area (%(area)s)."),
            code="outside_department",
            params={"division": str(division), "department": department.name, "area": department.division_id},
        )
    if rank == Rank.VILLAGE_CADRE and (division is None or division.level != Level.VILLAGE):
        errors.add("division", _("A village cadre's home division must be a village."), code="village_cadre_division")
    if rank == Rank.COUNTY_LEADER:
        county_department = department is not None and department.level == DepartmentLevel.COUNTY
        county_division = division is not None and division.level == Level.COUNTY
        if not (county_department or county_division):
            errors.add(
                "rank",
                _("A county leader belongs to a county-level department or to the county itself."),
                code="county_leader_placement",
            )

    phone = errors.clean_optional("phone", validate_phone, phone)

    if user is not None:
        linked = Cadre.objects.filter(user=user)
        if cadre is not None and cadre.pk is not None:
            linked = linked.exclude(pk=cadre.pk)
        other = linked.only("name").first()
        if other is not None:
            errors.add(
                "user",
                _("The account %(username)s already belongs to the cadre %(name)s."),
                code="user_taken",
                params={"username": user.get_username(), "name": other.name},
            )
    errors.raise_if_any()
    return {"name": name, "phone": phone}


@refusals_logged
@transaction.atomic
def cadre_create(
    *,
    actor: User | None,
    name: str,
    rank: str,
    sex: str,
    department: Department | None = None,
    division: Division | None = None,
    is_party_member: bool = False,
    phone: str = "",
    title: str = "",
    ethnicity: str = "",
    user: User | None = None,
) -> Cadre:
    """Register a cadre (or Party member) who may then carry households, townships or key villages."""
    check_capability(actor, Capability.MANAGE_LEDGERS)
    cleaned = cadre_validate(
        name=name, sex=sex, rank=rank, department=department, division=division, phone=phone, user=user
    )
    cadre = Cadre(
        name=cleaned["name"],
        sex=sex,
        rank=rank,
        department=department,
        division=division,
        is_party_member=bool(is_party_member),
        phone=cleaned["phone"],
        title=(title or "").strip(),
        ethnicity=(ethnicity or "").strip(),
        user=user,
    )
    errors = FieldErrors()
    errors.full_clean(cadre, exclude=["department", "division", "user"])
    errors.raise_if_any()
    history_by(cadre, actor)
    cadre.save()
    if user is not None:  # the account now signs in as this cadre: its scope changed
        user_sign_ins_end(actor=actor, user=user, reason=EndReason.SCOPE_CHANGED)
    return cadre


def _cadre_label(cadre: Cadre) -> str:
    """How a stale-version refusal names the cadre."""
    return gettext("Cadre %(name)s") % {"name": cadre.name}


@refusals_logged
@transaction.atomic
def cadre_update(*, actor: User | None, cadre: Cadre, expected_version: int | None = None, **changes: Any) -> Cadre:
    """Correct a cadre's record; bumps ``version`` when anything changed.

    Allowed: name, sex, ethnicity, rank, title, department, division, is_party_member, phone, user. The status
    changes with a transfer or retirement, which also hands over the ledgers (``ledgers.services``).
    """
    check_capability(actor, Capability.MANAGE_LEDGERS)
    FieldErrors.reject_not_updatable(
        changes,
        CADRE_UPDATABLE_FIELDS,
        {"status": _("The status changes with a transfer or retirement, which also hands over the ledgers.")},
    )
    locked = lock_for_update(cadre, expected_version=expected_version, label=_cadre_label)
    before = {field.attname: getattr(locked, field.attname) for field in locked._meta.concrete_fields}
    for name, value in changes.items():
        if name in ("title", "ethnicity"):
            value = str(value or "").strip()
        setattr(locked, name, value)
    cleaned = cadre_validate(
        name=locked.name,
        sex=locked.sex,
        rank=locked.rank,
        department=locked.department,
        division=locked.division,
        phone=locked.phone,
        user=locked.user,
        cadre=locked,
        department_changed=locked.department_id != before["department_id"],
    )
    locked.name, locked.phone = cleaned["name"], cleaned["phone"]
    locked.is_party_member = bool(locked.is_party_member)
    errors = FieldErrors()
    errors.full_clean(locked, exclude=["department", "division", "user"])
    errors.raise_if_any()

    if any(getattr(locked, attname) != value for attname, value in before.items()):
        save_next_version(locked, actor=actor)
    copy_saved_fields(locked, cadre)
    if locked.user_id != before["user_id"]:
        # The account that signs in as this cadre changed: each account's scope (its pairings) changed with it.
        for user in User.objects.filter(pk__in={before["user_id"], locked.user_id} - {None}):
            user_sign_ins_end(actor=actor, user=user, reason=EndReason.SCOPE_CHANGED)
    return locked
