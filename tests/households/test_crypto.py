"""Encryption at rest of national ID numbers: AES-GCM ciphertext beside a keyed digest."""

import base64
import os

import pytest
from django.db import connection

from households.services import member_create
from households.validators import mask_id_number
from songpan import fieldcrypto
from tests.factories import HouseholdFactory, UserFactory, valid_id_number

NUMBER = valid_id_number()


def another_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


@pytest.fixture
def clear_key_cache():
    fieldcrypto._keys.cache_clear()
    yield
    fieldcrypto._keys.cache_clear()


def windows(text: str, width: int = 6) -> set[str]:
    return {text[i : i + width] for i in range(len(text) - width + 1)}


def test_a_number_encrypted_and_decrypted_comes_back_the_same():
    token = fieldcrypto.encrypt(NUMBER, associated="member.id_number")

    assert fieldcrypto.decrypt(token, associated="member.id_number") == NUMBER


def test_the_same_number_encrypts_differently_each_time_and_shows_none_of_its_digits():
    # when the same number is encrypted twice
    first = fieldcrypto.encrypt(NUMBER, associated="member.id_number")
    second = fieldcrypto.encrypt(NUMBER, associated="member.id_number")

    # then the ciphertexts differ (fresh nonce) and no run of six characters of the number appears in either
    assert first != second
    for token in (first, second):
        assert NUMBER not in token
        assert not windows(NUMBER) & windows(token)


def test_the_digest_is_deterministic_keyed_and_tells_numbers_apart():
    digest = fieldcrypto.digest(NUMBER)

    assert digest == fieldcrypto.digest(NUMBER)
    assert digest != fieldcrypto.digest(valid_id_number())
    assert len(digest) == 64
    assert NUMBER not in digest


def test_the_digest_depends_on_the_key(settings, clear_key_cache):
    # given the digest under the configured key
    digest = fieldcrypto.digest(NUMBER)

    # when the key changes / then the same number digests differently (the digest is not a plain hash)
    settings.FIELD_ENCRYPTION_KEY = another_key()
    assert fieldcrypto.digest(NUMBER) != digest


def test_a_ciphertext_cannot_be_read_with_another_key(settings, clear_key_cache):
    # given a number encrypted under the configured key
    token = fieldcrypto.encrypt(NUMBER, associated="member.id_number")

    # when the key is replaced by another one
    settings.FIELD_ENCRYPTION_KEY = another_key()
    fieldcrypto._keys.cache_clear()

    # then decryption fails loudly instead of returning garbage
    with pytest.raises(fieldcrypto.DecryptionError):
        fieldcrypto.decrypt(token, associated="member.id_number")


def test_a_tampered_ciphertext_is_refused():
    # given a ciphertext with one byte of its payload changed
    token = fieldcrypto.encrypt(NUMBER, associated="member.id_number")
    prefix, payload = token.split(":", 1)
    raw = bytearray(base64.urlsafe_b64decode(payload))
    raw[-1] ^= 0x01
    tampered = f"{prefix}:{base64.urlsafe_b64encode(bytes(raw)).decode()}"

    # then it cannot be decrypted
    with pytest.raises(fieldcrypto.DecryptionError):
        fieldcrypto.decrypt(tampered, associated="member.id_number")


@pytest.mark.parametrize("token", ["", "v1", "v1:not base64!", "v2:AAAA", "garbage"])
def test_malformed_ciphertexts_are_refused(token):
    with pytest.raises(fieldcrypto.DecryptionError):
        fieldcrypto.decrypt(token, associated="member.id_number")


def test_a_ciphertext_moved_to_another_field_is_refused():
    # the field name is authenticated: a ciphertext copied into another encrypted field does not decrypt there
    token = fieldcrypto.encrypt(NUMBER, associated="member.id_number")

    with pytest.raises(fieldcrypto.DecryptionError):
        fieldcrypto.decrypt(token, associated="cadre.id_number")


@pytest.mark.django_db
def test_the_full_number_is_nowhere_in_the_member_table_or_its_history():
    # given a member registered with an ID number
    number = valid_id_number()
    member = member_create(
        actor=UserFactory(), household=HouseholdFactory(), name="扎西", relation="head", id_number=number
    )

    # when the raw columns are read straight from the database
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number_encrypted, id_number_masked, id_number_digest FROM households_member WHERE id = %s",
            [member.pk.hex if connection.vendor == "sqlite" else member.pk],
        )
        encrypted, masked, digest = cursor.fetchone()
        cursor.execute("SELECT * FROM households_historicalmember")
        history = " ".join(str(value) for row in cursor.fetchall() for value in row)

    # then neither the ciphertext, the masked form, the digest nor the history holds the full number
    assert number not in encrypted
    assert number not in masked
    assert number not in digest
    assert number not in history
    assert masked == mask_id_number(number)
    # and the stored ciphertext still decrypts to it for an authorised reveal
    member.refresh_from_db()
    assert member.reveal_id_number() == number
