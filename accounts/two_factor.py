"""Two-factor sign-in (django-otp): who needs it and how a code is checked.

The county leader and county office roles sign in with a password and a code: the 6 digits of an authenticator
app (a confirmed TOTP device) or one of their one-time backup codes (a static device). The county office sets the
devices up in the admin ("TOTP devices", "Static devices"); the demo seeds them (``manage.py demo_credentials``).
Both the web sign-in form and the API token endpoint call ``second_factor_check``.
"""

import enum

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from songpan.client_numbers import client_int

from .models import Role, User

OTP_REQUIRED_ROLES = frozenset({Role.COUNTY_LEADER, Role.COUNTY_OFFICE})


class SecondFactor(enum.Enum):
    NOT_REQUIRED = "not_required"
    TOTP = "totp"
    BACKUP_CODE = "backup_code"
    # Refusals:
    MISSING = "otp_required"
    INVALID = "otp_invalid"
    NO_DEVICE = "otp_not_set_up"

    @property
    def passed(self) -> bool:
        return self in {SecondFactor.NOT_REQUIRED, SecondFactor.TOTP, SecondFactor.BACKUP_CODE}


def otp_required(user: User) -> bool:
    return user.role in OTP_REQUIRED_ROLES


def _normalise(code: str) -> str:
    return "".join(code.split()).lower()


@transaction.atomic
def second_factor_check(*, user: User, code: str | None) -> SecondFactor:
    """Check ``code`` for a user whose password was right. Six digits are an authenticator code; anything else is
    tried as a backup code (which is then used up). Failed checks count towards django-otp's own throttling."""
    if not otp_required(user):
        return SecondFactor.NOT_REQUIRED
    totp_devices = list(TOTPDevice.objects.devices_for_user(user, confirmed=True))
    static_devices = list(StaticDevice.objects.devices_for_user(user, confirmed=True))
    if not totp_devices and not static_devices:
        return SecondFactor.NO_DEVICE
    code = _normalise(code or "")
    if not code:
        return SecondFactor.MISSING
    if len(code) == 6 and client_int(code) is not None:  # six ASCII digits ("²" passes isdigit())
        if any(device.verify_token(code) for device in totp_devices):
            return SecondFactor.TOTP
        return SecondFactor.INVALID
    if len(code) <= 16 and any(device.verify_token(code) for device in static_devices):
        return SecondFactor.BACKUP_CODE
    return SecondFactor.INVALID
