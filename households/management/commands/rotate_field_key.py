import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from households.services.key_rotation import field_key_rotate
from songpan.fieldcrypto import DecryptionError


class Command(BaseCommand):
    help = (
        "Re-encrypt every national ID number under a new key (SONGPAN_FIELD_KEY_NEW). Stop the web and worker "
        "processes first; afterwards set SONGPAN_FIELD_KEY to the new key and start them again."
    )

    def handle(self, *args, **options):
        new_key = os.environ.get("SONGPAN_FIELD_KEY_NEW", "")
        if not new_key:
            raise CommandError("Set SONGPAN_FIELD_KEY_NEW to the new key (32 random bytes, urlsafe base64).")
        try:
            result = field_key_rotate(actor=None, old_key=settings.FIELD_ENCRYPTION_KEY, new_key=new_key)
        except (ImproperlyConfigured, ValueError) as error:
            raise CommandError(str(error)) from error
        except DecryptionError as error:
            raise CommandError("A stored ID number cannot be read with SONGPAN_FIELD_KEY; nothing changed.") from error
        self.stdout.write(
            f"Re-encrypted {result.members} ID numbers. Now set SONGPAN_FIELD_KEY to the new key and restart."
        )
