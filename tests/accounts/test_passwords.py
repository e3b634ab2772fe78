"""Passwords: Argon2 hashes, at least 10 characters."""

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from songpan import settings as project_settings
from tests.factories import UserFactory


def test_a_nine_character_password_is_refused():
    with pytest.raises(ValidationError) as refused:
        validate_password("Tq7#kpz2W")

    assert "at least 10 characters" in " ".join(refused.value.messages)


def test_a_ten_character_password_is_accepted():
    validate_password("Tq7#kpz2Wm")


@pytest.mark.django_db
def test_passwords_are_stored_as_argon2_hashes(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS  # tests here use a fast hasher otherwise

    user = UserFactory(username="hashcheck")

    assert identify_hasher(user.password).algorithm == "argon2"
    assert "correct-horse-battery" not in user.password
