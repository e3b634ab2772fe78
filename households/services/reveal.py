"""Revealing a member's full national ID number: allowed roles only, inside their scope, every time logged."""

from django.db import transaction
from django.http import HttpRequest

from accounts.audit import access_log_write
from accounts.models import AccessEvent, User
from accounts.permissions import Capability, require_capability
from households.models import Member


def member_id_number_reveal(*, actor: User, member: Member, request: HttpRequest | None = None) -> str:
    """Return the full ID number of ``member`` (already fetched through the actor's scope).

    Refused with PermissionDenied for roles that may not reveal (the refusal is logged and stays logged); the
    reveal itself is logged in the same transaction as the decryption, so no number leaves without its log row.
    """
    require_capability(actor, Capability.REVEAL_ID_NUMBER, request=request, target=member)
    with transaction.atomic():
        access_log_write(
            event=AccessEvent.REVEAL,
            user=actor,
            request=request,
            target=member,
            detail={"field": "id_number", "household": str(member.household_id)},
        )
        return member.reveal_id_number()
