"""Re-encrypting every stored ID number under a new field key (``manage.py rotate_field_key``)."""

from dataclasses import dataclass

from django.db import transaction

from accounts.audit import access_log_write
from accounts.models import AccessEvent, User
from households.models import Member
from songpan import fieldcrypto

_ASSOCIATED = "member.id_number"
BATCH_SIZE = 2000


@dataclass(frozen=True)
class RotationResult:
    members: int


@transaction.atomic
def field_key_rotate(*, actor: User | None, old_key: str, new_key: str) -> RotationResult:
    """Decrypt each ID number with ``old_key``, encrypt it and recompute its digest with ``new_key``; all or nothing.

    Run it with the web and worker processes stopped, then start them with SONGPAN_FIELD_KEY set to the new key:
    a process still holding the old key could neither read the new ciphertexts nor match the new digests.
    A wrong ``old_key`` fails on the first row (authenticated encryption) and changes nothing.
    """
    for key in (old_key, new_key):
        fieldcrypto.key_bytes(key)  # well formed, or ImproperlyConfigured
    if old_key == new_key:
        raise ValueError("the new key is the current key")
    members = Member.objects.exclude(id_number_encrypted="").only("pk", "id_number_encrypted").order_by("pk")
    batch: list[Member] = []
    count = 0
    for member in members.iterator(chunk_size=BATCH_SIZE):
        number = fieldcrypto.decrypt(member.id_number_encrypted, associated=_ASSOCIATED, key=old_key)
        member.id_number_encrypted = fieldcrypto.encrypt(number, associated=_ASSOCIATED, key=new_key)
        member.id_number_digest = fieldcrypto.digest(number, key=new_key)
        batch.append(member)
        if len(batch) == BATCH_SIZE:
            count += _write(batch)
    count += _write(batch)
    access_log_write(event=AccessEvent.KEY_ROTATED, user=actor, detail={"members": count})
    return RotationResult(members=count)


def _write(batch: list[Member]) -> int:
    # Plain bulk_update: the history of members does not hold ciphertexts or digests, so there is nothing to add.
    Member.objects.bulk_update(batch, ["id_number_encrypted", "id_number_digest"])
    written = len(batch)
    batch.clear()
    return written
