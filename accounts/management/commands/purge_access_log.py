import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import AccessLog


class Command(BaseCommand):
    help = "Delete access-log rows older than the retention (SONGPAN_ACCESS_LOG_RETENTION_DAYS, at least 180 days)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="override the retention (never below 180)")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, days, dry_run, **options):
        days = settings.ACCESS_LOG_RETENTION_DAYS if days is None else days
        if days < settings.ACCESS_LOG_MINIMUM_RETENTION_DAYS:
            raise CommandError(f"The access log is kept at least {settings.ACCESS_LOG_MINIMUM_RETENTION_DAYS} days.")
        cutoff = timezone.now() - dt.timedelta(days=days)
        old = AccessLog.objects.filter(at__lt=cutoff)
        if dry_run:
            self.stdout.write(f"{old.count()} entries older than {cutoff:%Y-%m-%d} would be deleted.")
            return
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL songpan.access_log_purge = 'on'")
            deleted, _ = old.delete()
        self.stdout.write(f"Deleted {deleted} access-log entries older than {cutoff:%Y-%m-%d}.")
