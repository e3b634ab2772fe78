"""The demo: leader and office get an authenticator and backup codes from the seed; ``demo_credentials`` prints
what a newcomer needs to sign in with them."""

import re
from base64 import b32decode, b32encode
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AccessEvent, AccessLog
from demo.two_factor import demo_backup_codes, demo_totp_key

from .conftest import api_sign_in, web_sign_in

pytestmark = pytest.mark.django_db
DEMO_PASSWORD = "songpan-demo-2026"


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", households=120, cadres=60, stdout=out, **options)
    return out.getvalue()


def credentials(*args) -> str:
    out = StringIO()
    call_command("demo_credentials", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(songpan_divisions, monkeypatch, settings):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    return seed()


def test_leader_and_office_get_a_confirmed_authenticator_and_backup_codes_from_the_seed(seeded):
    assert sorted(TOTPDevice.objects.filter(confirmed=True).values_list("user__username", "key")) == [
        ("leader", demo_totp_key(2026, "leader")),
        ("office", demo_totp_key(2026, "office")),
    ]
    assert set(StaticDevice.objects.values_list("user__username", flat=True)) == {"leader", "office"}
    office_codes = StaticToken.objects.filter(device__user__username="office").values_list("token", flat=True)
    assert sorted(office_codes) == sorted(demo_backup_codes(2026, "office"))
    assert len(office_codes) == 5
    assert demo_totp_key(7, "leader") != demo_totp_key(2026, "leader")
    assert "demo_credentials" in seeded


def test_demo_credentials_prints_the_secret_uri_and_backup_codes(seeded):
    output = credentials()

    for username in ("leader", "office"):
        device = TOTPDevice.objects.get(user__username=username)
        secret = re.search(rf"{username} .*?secret \(base32\): ([A-Z2-7]+)", output, re.S).group(1)
        assert secret == b32encode(device.bin_key).decode()
        assert f"otpauth://totp/Songpan%3A{username}?secret={secret}" in output
        for code in demo_backup_codes(2026, username):
            assert code in output
    assert "township" not in output


def test_a_newcomer_signs_in_as_leader_with_the_printed_secret(seeded, en_client):
    secret = re.search(r"leader .*?secret \(base32\): ([A-Z2-7]+)", credentials(), re.S).group(1)
    code = f"{TOTP(b32decode(secret)).token():06d}"

    response = web_sign_in(en_client, "leader", DEMO_PASSWORD, otp=code)

    assert response.status_code == 302
    assert AccessLog.objects.get(event=AccessEvent.LOGIN).username == "leader"


def test_a_printed_backup_code_signs_the_office_in_at_the_api_and_is_then_gone(seeded, client):
    code = re.search(r"office .*?backup codes: (\w+)", credentials(), re.S).group(1)

    assert api_sign_in(client, "office", DEMO_PASSWORD, otp=code).status_code == 200
    assert code not in credentials()


def test_the_qr_option_draws_the_uri(seeded):
    assert len(credentials("--qr").splitlines()) > 40


def test_a_county_seeded_before_two_factor_gets_its_devices_on_the_next_run(seeded):
    TOTPDevice.objects.all().delete()
    StaticDevice.objects.all().delete()

    output = seed()

    assert "Added the demo second-factor devices of leader" in output
    assert TOTPDevice.objects.count() == 2 and StaticDevice.objects.count() == 2


def test_reset_removes_the_devices_and_keeps_the_access_log(seeded, en_client):
    web_sign_in(en_client, "township", DEMO_PASSWORD)
    logged = AccessLog.objects.count()

    seed(reset=True)

    assert TOTPDevice.objects.count() == 2  # the new demo accounts' devices
    assert AccessLog.objects.count() == logged


def test_refused_in_production(settings, db):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        credentials()
