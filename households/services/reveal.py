"""Revealing a member's full national ID number: allowed roles only, inside their scope, every time logged."""

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.audit import access_log_write
from accounts.models import AccessEvent, AccessOutcome, User
from accounts.permissions import Capability, require_capability
from households.models import Member
from songpan.errors import ServiceUnavailable
from songpan.fieldcrypto import DecryptionError


def member_id_number_reveal(*, actor: User, member: Member, request: HttpRequest | None = None) -> str:
    """Return the full ID number of ``member`` (already fetched through the actor's scope).

    Refused with PermissionDenied for roles that may not reveal (the refusal is logged and stays logged); the
    reveal itself is logged in the same transaction as the decryption, so no number leaves without its log row.
    A number that the configured key cannot read (a wrong or rotated-away SONGPAN_FIELD_KEY) raises
    ServiceUnavailable and is logged as a failed reveal.
    """
    require_capability(actor, Capability.REVEAL_ID_NUMBER, request=request, target=member)
    try:
        return _reveal_logged(actor=actor, member=member, request=request)
    except DecryptionError:
        access_log_write(
            event=AccessEvent.REVEAL,
            outcome=AccessOutcome.FAILED,
            user=actor,
            request=request,
            target=member,
            detail={"field": "id_number", "reason": "cannot be decrypted with the configured key"},
        )
        raise ServiceUnavailable(
            _("The ID number cannot be read with the configured key. Nothing was shown; tell the administrator.")
        ) from None


def _reveal_logged(*, actor: User, member: Member, request: HttpRequest | None) -> str:
    with transaction.atomic():
        access_log_write(
            event=AccessEvent.REVEAL,
            user=actor,
            request=request,
            target=member,
            detail={"field": "id_number", "household": str(member.household_id)},
        )
        return member.reveal_id_number()
