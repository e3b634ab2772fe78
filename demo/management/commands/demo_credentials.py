"""``manage.py demo_credentials [--qr] [--codes]``: how the demo's leader and office accounts sign in.

Their roles must sign in with a second factor. This prints, for each, the authenticator secret (base32, what an
authenticator app takes), the ``otpauth://`` URI, and the backup codes not used yet. Refused in production.
"""

import io
from base64 import b32encode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.two_factor import OTP_REQUIRED_ROLES
from demo.plan import DEMO_USERNAMES


class Command(BaseCommand):
    help = (
        "Print the second-factor credentials of the demo accounts whose roles need one (leader, office): the "
        "authenticator secret and otpauth:// URI, and the unused backup codes. Refused in production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--qr", action="store_true", help="also draw each otpauth:// URI as a QR code")
        parser.add_argument("--codes", action="store_true", help="also print each account's current 6-digit code")

    def handle(self, *args, qr: bool, codes: bool, **options):
        if settings.PRODUCTION:
            raise CommandError("demo_credentials refuses to run in production mode (SONGPAN_ENV=production).")
        users = User.objects.filter(username__in=DEMO_USERNAMES, role__in=OTP_REQUIRED_ROLES).order_by("username")
        if not users:
            raise CommandError("No demo accounts: run manage.py seed_demo first.")
        write = self.stdout.write
        write("Two-factor sign-in (demo only). Add a secret to an authenticator app (or scan --qr), then sign in")
        write("with the password and the app's 6-digit code; each backup code works once instead.")
        for user in users:
            write("")
            write(f"  {user.username} ({user.get_role_display()})")
            devices = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk")
            if not devices:
                write("    no authenticator set up (run manage.py seed_demo)")
            for device in devices:
                write(f"    authenticator secret (base32): {b32encode(device.bin_key).decode()}")
                write(f"    otpauth URI: {device.config_url}")
                if codes:
                    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
                    write(f"    current code: {code:0{device.digits}d}")
                if qr:
                    write(self._qr(device.config_url))
            backup = StaticToken.objects.filter(device__user=user, device__confirmed=True).order_by("pk")
            write(f"    backup codes: {' '.join(token.token for token in backup) or '(all used)'}")

    @staticmethod
    def _qr(uri: str) -> str:
        import qrcode

        code = qrcode.QRCode(border=1)
        code.add_data(uri)
        out = io.StringIO()
        code.print_ascii(out=out, invert=True)
        return out.getvalue()
