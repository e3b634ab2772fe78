"""Shared pieces of the login-security tests: accounts with a known password, authenticator codes, a clean slate."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from tests.factories import UserFactory, county, township

PASSWORD = "correct-horse-battery"
LOGIN_URL = "/accounts/login/"
TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/auth/me/"
BACKUP_CODES = ["backup0001", "backup0002"]


@pytest.fixture(autouse=True)
def _fresh_throttles_and_otp(settings):
    """Throttle counts live in the cache; django-otp's own delay after a wrong code would hide what these tests
    check (our lockout), so it is switched off here. Passwords are hashed fast."""
    cache.clear()
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    yield
    cache.clear()


def make_user(username: str, role: str = Role.TOWNSHIP, **fields):
    scope = {}
    if role in {Role.COUNTY_LEADER, Role.COUNTY_OFFICE}:
        scope["division"] = county()
    elif role == Role.TOWNSHIP:
        scope["division"] = township()
    return UserFactory(username=username, role=role, **{**scope, **fields})


def add_authenticator(user) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in BACKUP_CODES)
    return device


def current_code(device: TOTPDevice) -> str:
    """The code the authenticator shows now (and a code is accepted once: reset ``last_t`` to reuse it)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def wrong_code(device: TOTPDevice) -> str:
    """A six-digit code the authenticator does not show in the accepted window (now, one step before or after)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now = totp.t()
    accepted = set()
    for step in (now - 1, now, now + 1):
        totp.time = (step - device.drift) * device.step + device.t0
        accepted.add(f"{totp.token():06d}")
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


def web_sign_in(client, username: str, password: str = PASSWORD, otp: str = "", **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password, "otp": otp}, **extra)


def api_sign_in(client, username: str, password: str = PASSWORD, headers: dict | None = None, **fields):
    body = {"username": username, "password": password, **fields}
    return client.post(TOKEN_URL, body, content_type="application/json", **(headers or {}))


def signed_in_home(client):
    return client.get(reverse("home"))


@pytest.fixture
def en_client():
    """A browser that asks for English pages (the product's default language is Simplified Chinese)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def township_user(db):
    return make_user("liwei", Role.TOWNSHIP)


@pytest.fixture
def leader(db):
    user = make_user("zhangsan", Role.COUNTY_LEADER)
    user.device = add_authenticator(user)
    return user


@pytest.fixture
def office(db):
    user = make_user("wangfang", Role.COUNTY_OFFICE)
    user.device = add_authenticator(user)
    return user
