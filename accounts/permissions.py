"""What each role may do to what it can see (DESIGN §6). Seeing is ``accounts.scoping``; doing is here.

A refused action on a visible object is 403 and is written to the access log; an object outside the scope is
404 (``Scope.get_or_404``) so that its existence is not confirmed.
"""

import functools
import inspect
from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext as _

from songpan.phones import mask_phone

from .audit import access_log_write
from .models import AccessEvent, AccessOutcome, Role, User

Result = TypeVar("Result")


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


class Refused(PermissionDenied):
    """An action the actor's role may not take (403): raised by ``check_capability`` and by the services' own
    rules, written to the access log once (``refusal_log``) by ``refusals_logged`` or ``require_capability``."""

    def __init__(
        self, message: Any = None, *, target: models.Model | None = None, detail: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message or _("Your role may not do this."))
        self.target = target
        self.detail = detail or {}
        self.logged = False


def is_technical_administrator(user: Any) -> bool:
    """A superuser with no role: the deployment's administrator (``createsuperuser`` on the server), who works in
    the admin only; pages and the API give such an account nothing (no role, no capability)."""
    return bool(getattr(user, "is_superuser", False) and not getattr(user, "role", ""))


def check_capability(actor: User | None, capability: Capability, *, target: models.Model | None = None) -> None:
    """Raise ``Refused`` unless ``actor`` may do ``capability``; ``actor=None`` is the system (a task, a command, the
    demo seed) and may do everything, as may the technical administrator in the admin (the API and pages refuse
    that account before any service runs). Services call it first; it writes nothing (see ``refusals_logged``)."""
    if actor is None or has_capability(actor, capability) or is_technical_administrator(actor):
        return
    raise Refused(target=target, detail={"capability": str(capability)})


def refusal_log(
    *,
    user: Any,
    request: HttpRequest | None = None,
    target: models.Model | None = None,
    object_type: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Write one refused action on a visible object to the access log: the one writer of such rows (a refused
    object outside the scope is ``Scope.get_or_404``'s)."""
    access_log_write(
        event=AccessEvent.ACCESS_DENIED,
        outcome=AccessOutcome.DENIED,
        user=user if user is not None and getattr(user, "is_authenticated", False) else None,
        request=request,
        target=target,
        object_type=object_type,
        detail=detail or {},
    )


def refusals_logged(service: Callable[..., Result]) -> Callable[..., Result]:
    """Wrap a service (outside its ``@transaction.atomic``) so that a ``Refused`` it raises is written to the
    access log after its transaction was rolled back, naming ``actor`` and, when the caller passes it, ``request``
    (a keyword the wrapper takes; it is handed on only to a service that has such a parameter)."""
    takes_request = "request" in inspect.signature(service).parameters

    @functools.wraps(service)
    def wrapper(*args: Any, request: HttpRequest | None = None, **kwargs: Any) -> Result:
        if takes_request:
            kwargs["request"] = request
        try:
            return service(*args, **kwargs)
        except Refused as refused:
            if not refused.logged:
                refusal_log(user=kwargs.get("actor"), request=request, target=refused.target, detail=refused.detail)
                refused.logged = True
            raise

    return wrapper


def require_capability(
    user: User, capability: Capability, *, request: HttpRequest | None = None, target: models.Model | None = None
) -> None:
    """For a page or an API view that refuses before reading its input: raise ``Refused`` (403) unless ``user``
    may do ``capability`` by its role (the technical administrator has none here); the refusal is logged."""
    if has_capability(user, capability):
        return
    refused = Refused(target=target, detail={"capability": str(capability)})
    refusal_log(user=user, request=request, target=target, detail=refused.detail)
    refused.logged = True
    raise refused


def phone_for(user: User, phone: str) -> str:
    """The phone as ``user`` may see it: in full, or masked (``138****5678``)."""
    if not phone or has_capability(user, Capability.SEE_FULL_PHONE):
        return phone
    return mask_phone(phone)
