import base64
import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from accounts.models import AccessEvent, AccessLog
from households.models import Member
from songpan import fieldcrypto
from tests.factories import MemberFactory, valid_id_number

pytestmark = pytest.mark.django_db
NEW_KEY = base64.urlsafe_b64encode(b"n" * 32).decode()


def test_rotation_re_encrypts_every_number_and_keeps_lookups_working(monkeypatch, capsys):
    numbers = [valid_id_number() for _ in range(3)]
    members = [MemberFactory(id_number=number) for number in numbers]
    old_ciphertexts = set(Member.objects.values_list("id_number_encrypted", flat=True))
    monkeypatch.setenv("SONGPAN_FIELD_KEY_NEW", NEW_KEY)

    call_command("rotate_field_key")

    assert "Re-encrypted 3 ID numbers" in capsys.readouterr().out
    assert not old_ciphertexts & set(Member.objects.values_list("id_number_encrypted", flat=True))
    assert AccessLog.objects.get(event=AccessEvent.KEY_ROTATED).detail == {"members": 3}
    with override_settings(FIELD_ENCRYPTION_KEY=NEW_KEY):
        for member, number in zip(members, numbers, strict=True):
            member.refresh_from_db()
            assert member.reveal_id_number() == number
            assert Member.objects.get(id_number_digest=fieldcrypto.digest(number)) == member
    with pytest.raises(fieldcrypto.DecryptionError):  # the old key no longer reads them
        members[0].reveal_id_number()


def test_rotation_with_the_wrong_current_key_changes_nothing(monkeypatch):
    MemberFactory()
    before = list(Member.objects.values_list("id_number_encrypted", "id_number_digest"))
    monkeypatch.setenv("SONGPAN_FIELD_KEY_NEW", NEW_KEY)

    with override_settings(FIELD_ENCRYPTION_KEY=base64.urlsafe_b64encode(os.urandom(32)).decode()):
        with pytest.raises(CommandError, match="cannot be read"):
            call_command("rotate_field_key")

    assert list(Member.objects.values_list("id_number_encrypted", "id_number_digest")) == before


@pytest.mark.parametrize("new_key", ["", "short", base64.urlsafe_b64encode(b"x" * 16).decode()])
def test_a_missing_or_malformed_new_key_is_refused(monkeypatch, new_key):
    monkeypatch.setenv("SONGPAN_FIELD_KEY_NEW", new_key)

    with pytest.raises(CommandError):
        call_command("rotate_field_key")
