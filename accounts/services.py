"""Writes to user accounts that the county office makes: assigning a role and its scope.

(Sign-in, tokens and disabling accounts are in ``accounts.sessions``.)
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from cadres.models import Cadre, Department
from divisions.models import Division, Level
from songpan.records import history_by

from .audit import access_log_write
from .models import AccessEvent, Role, User
from .permissions import Capability, require_capability
from .scoping import scope_for
from .sessions import EndReason, user_sign_ins_end

# Which divisions each role may be scoped to.
ROLE_DIVISION_LEVELS: dict[str, set[str]] = {
    Role.COUNTY_LEADER: {Level.COUNTY, Level.PREFECTURE, Level.PROVINCE},
    Role.COUNTY_OFFICE: {Level.COUNTY, Level.PREFECTURE, Level.PROVINCE},
    Role.TOWNSHIP: {Level.TOWNSHIP},
}


def _scope_code(user: User) -> str:
    if user.division_id:
        return user.division_id
    if user.department_id:
        return f"department:{user.department_id}"
    return ""


def _validate(*, actor: User, user: User, role: str, division: Division | None, department: Department | None) -> None:
    if role and role not in Role.values:
        raise ValidationError({"role": _("Unknown role %(role)s.") % {"role": role}})
    if role in ROLE_DIVISION_LEVELS:
        if division is None or division.level not in ROLE_DIVISION_LEVELS[role]:
            raise ValidationError(
                {"division": _("A %(role)s is scoped to a division of the right level.") % {"role": Role(role).label}}
            )
        if department is not None:
            raise ValidationError({"department": _("This role is scoped to a division, not a department.")})
    elif role == Role.DEPARTMENT:
        if department is None:
            raise ValidationError({"department": _("Department staff need their department.")})
        if division is not None:
            raise ValidationError({"division": _("Department staff are scoped to their department, not a division.")})
    elif role == Role.CADRE:
        if not Cadre.objects.filter(user=user).exists():
            raise ValidationError({"role": _("Link this account to its cadre record before giving it the cadre role.")})
        if division is not None or department is not None:
            raise ValidationError({"role": _("A cadre's scope is its own pairings; give no division or department.")})
    elif division is not None or department is not None:
        raise ValidationError({"role": _("An account without a role has no scope.")})
    actor_scope = scope_for(actor)
    if division is not None and not actor_scope.covers_division(division.code):
        raise ValidationError({"division": _("%(name)s is outside your own scope.") % {"name": division.name}})
    if department is not None and not actor_scope.filter(Department.objects.filter(pk=department.pk)).exists():
        raise ValidationError({"department": _("%(name)s is outside your own scope.") % {"name": department.name}})


def user_assign_role(
    *,
    actor: User,
    user: User,
    role: str,
    division: Division | None = None,
    department: Department | None = None,
    request: HttpRequest | None = None,
) -> User:
    """Give ``user`` one role and its scope. County office only, inside its own scope; recorded twice over:
    in the user's history (old and new values) and in the access log (event ``role_changed``). A change ends
    the account's sessions and API tokens (event ``sessions_ended``)."""
    require_capability(actor, Capability.MANAGE_USERS, request=request, target=user)
    _validate(actor=actor, user=user, role=role, division=division, department=department)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = {"role": locked.role, "scope": _scope_code(locked)}
        locked.role = role
        locked.division = division
        locked.department = department
        after = {"role": locked.role, "scope": _scope_code(locked)}
        if before == after:
            return locked
        history_by(locked, actor, "role assigned")
        locked.save(update_fields=["role", "division", "department"])
        access_log_write(
            event=AccessEvent.ROLE_CHANGED,
            user=actor,
            request=request,
            target=locked,
            detail={"from": before, "to": after},
        )
        # What was issued under the old role (a token obtained without a second factor, a session of the old
        # scope) must not carry over into the new one.
        user_sign_ins_end(actor=actor, user=locked, reason=EndReason.ROLE_CHANGED, request=request)
    return locked
