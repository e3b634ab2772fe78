"""Second-factor devices of the demo accounts ``leader`` and ``office`` (their roles must sign in with one).

Secrets are derived from the seed, so the same seed gives the same authenticator secret and backup codes; they are
published by ``manage.py demo_credentials`` (which ``make run`` calls) like the demo password. Demo only: the
commands that call this refuse to run in production.
"""

import hashlib
from base64 import b32encode

from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.two_factor import otp_required

BACKUP_CODES = 5
TOTP_DEVICE_NAME = "demo authenticator"
STATIC_DEVICE_NAME = "demo backup codes"


def _derive(seed: int, *parts: object) -> bytes:
    return hashlib.sha256(":".join(["songpan-demo-otp", str(seed), *map(str, parts)]).encode()).digest()


def demo_totp_key(seed: int, username: str) -> str:
    """20 bytes, hex-encoded as django-otp stores them."""
    return _derive(seed, "totp", username)[:20].hex()


def demo_backup_codes(seed: int, username: str) -> list[str]:
    """Eight lowercase base32 characters each, like django-otp's own static tokens."""
    return [b32encode(_derive(seed, "backup", username, i)[:5]).decode().lower() for i in range(BACKUP_CODES)]


def demo_devices_ensure(users: list[User], *, seed: int) -> list[User]:
    """Give each user whose role requires a second factor a confirmed authenticator and backup codes, unless it
    already has a device of that kind. Returns the users that got devices."""
    equipped = []
    for user in users:
        if not otp_required(user):
            continue
        created = False
        if not TOTPDevice.objects.filter(user=user).exists():
            TOTPDevice.objects.create(
                user=user, name=TOTP_DEVICE_NAME, key=demo_totp_key(seed, user.username), confirmed=True
            )
            created = True
        if not StaticDevice.objects.filter(user=user).exists():
            device = StaticDevice.objects.create(user=user, name=STATIC_DEVICE_NAME, confirmed=True)
            StaticToken.objects.bulk_create(
                StaticToken(device=device, token=code) for code in demo_backup_codes(seed, user.username)
            )
            created = True
        if created:
            equipped.append(user)
    return equipped
