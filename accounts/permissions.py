"""What each role may do to what it can see (DESIGN §6). Seeing is ``accounts.scoping``; doing is here.

A refused action on a visible object is 403 and is written to the access log; an object outside the scope is
404 (``Scope.get_or_404``) so that its existence is not confirmed.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext as _

from songpan.phones import mask_phone

from .audit import access_log_write
from .models import AccessEvent, AccessOutcome, Role, User


class Capability(StrEnum):
    REVEAL_ID_NUMBER = "reveal_id_number"  # see a full national ID number (each reveal logged)
    SEE_FULL_PHONE = "see_full_phone"  # phones unmasked
    EDIT_REGISTRY = "edit_registry"  # households and members
    MANAGE_PAIRINGS = "manage_pairings"  # the cadre–household ledger
    MANAGE_LEDGERS = "manage_ledgers"  # leader–township, department–township, key-village assistance
    MANAGE_USERS = "manage_users"  # roles and scopes
    RESOLVE_ID_CONFLICTS = "resolve_id_conflicts"  # the ID numbers refused because they are held outside a scope
    EXPORT = "export"


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.COUNTY_OFFICE: frozenset(Capability),
    Role.TOWNSHIP: frozenset(
        {
            Capability.REVEAL_ID_NUMBER,
            Capability.SEE_FULL_PHONE,
            Capability.EDIT_REGISTRY,
            Capability.MANAGE_PAIRINGS,
            Capability.EXPORT,
        }
    ),
    # County leaders read everything and reveal nothing sensitive by default.
    Role.COUNTY_LEADER: frozenset({Capability.EXPORT}),
    Role.DEPARTMENT: frozenset(),
    # A field cadre calls the households it is paired with.
    Role.CADRE: frozenset({Capability.SEE_FULL_PHONE}),
}


def has_capability(user: User, capability: Capability) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return capability in ROLE_CAPABILITIES.get(getattr(user, "role", ""), frozenset())


def require_capability(
    user: User, capability: Capability, *, request: HttpRequest | None = None, target: models.Model | None = None
) -> None:
    """Raise PermissionDenied (403) unless ``user`` may do ``capability``; a refusal is logged."""
    if has_capability(user, capability):
        return
    access_log_write(
        event=AccessEvent.ACCESS_DENIED,
        outcome=AccessOutcome.DENIED,
        user=user if user and user.is_authenticated else None,
        request=request,
        target=target,
        detail={"capability": str(capability)},
    )
    raise PermissionDenied(_("Your role may not do this."))


def phone_for(user: User, phone: str) -> str:
    """The phone as ``user`` may see it: in full, or masked (``138****5678``)."""
    if not phone or has_capability(user, Capability.SEE_FULL_PHONE):
        return phone
    return mask_phone(phone)
