from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.audit import access_log_purge


class Command(BaseCommand):
    help = "Delete access-log rows older than the retention (SONGPAN_ACCESS_LOG_RETENTION_DAYS, at least 180 days)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="override the retention (never below 180)")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, days, dry_run, **options):
        try:
            cutoff, count = access_log_purge(days=days, dry_run=dry_run)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if dry_run:
            self.stdout.write(f"{count} entries older than {cutoff:%Y-%m-%d} would be deleted.")
        else:
            self.stdout.write(f"Deleted {count} access-log entries older than {cutoff:%Y-%m-%d}.")
