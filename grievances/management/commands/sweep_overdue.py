"""``manage.py sweep_overdue [--date YYYY-MM-DD]``: run the overdue sweep by hand (Celery beat runs it daily)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from grievances.services import overdue_sweep


class Command(BaseCommand):
    help = (
        "Mark the cases whose deadline has passed, escalate them, record supervision notices and penalties, and "
        "tell the units (what Celery beat runs every morning). Safe to run twice: a second run changes nothing. "
        "--date sweeps as of an earlier day, e.g. to catch up after the scheduler was down."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="sweep as of this day (YYYY-MM-DD; default today, never in the future)")

    def handle(self, *args, date: str | None = None, **options):
        today = timezone.localdate()
        day = today
        if date:
            try:
                day = dt.date.fromisoformat(date)
            except ValueError as error:
                raise CommandError(_("Give --date as YYYY-MM-DD (got “%(date)s”).") % {"date": date}) from error
            if day > today:
                # A sweep "as of" a future day would hold units to account for deadlines that have not passed.
                raise CommandError(_("--date %(date)s is in the future.") % {"date": day.isoformat()})
        result = overdue_sweep(today=day)
        if options["verbosity"] == 0:
            return
        self.stdout.write(
            _("Overdue sweep of %(date)s: %(marked)d newly overdue, %(penalised)d penalised.")
            % {"date": day.isoformat(), "marked": len(result.marked), "penalised": len(result.penalised)}
        )
        for label, references in ((_("newly overdue"), result.marked), (_("penalised"), result.penalised)):
            for reference in references:
                self.stdout.write(f"  {reference} {label}")
