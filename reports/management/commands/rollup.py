"""``manage.py rollup --period 2026-W48|2026-11|2026-Q4 [--division CODE]``: compute one period now;
``manage.py rollup --backfill FROM TO [--division CODE]``: every week, month and quarter between two dates."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reports.periods import KINDS, county_today, parse, periods_between
from reports.services import rollup_compute
from songpan.api.filters import validate_code


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date: write YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Compute roll-up facts: one period (--period) or every period between two dates (--backfill)."

    def add_arguments(self, parser):
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--period", help="2026-W48 (an ISO week), 2026-11 (a month) or 2026-Q4 (a quarter).")
        what.add_argument("--backfill", nargs=2, metavar=("FROM", "TO"), help="Two dates, YYYY-MM-DD.")
        parser.add_argument("--division", default="", help="Only the villages under this division code.")
        parser.add_argument("--kind", choices=KINDS, action="append", help="With --backfill: only these kinds.")

    def handle(self, *args, period=None, backfill=None, division="", kind=None, **options):
        if division:
            try:
                validate_code(division)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        today = county_today()
        if period is not None:
            try:
                periods = [parse(period)]
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        else:
            first, last = (_date(text) for text in backfill)
            if first > last:
                raise CommandError("FROM must not be after TO.")
            periods = periods_between(first, min(last, today), tuple(kind or KINDS))
        if periods and periods[0].start > today:
            raise CommandError(f"{periods[0]} has not begun.")
        for index, each in enumerate(periods, start=1):
            result = rollup_compute(period=each, division=division)
            self.stdout.write(
                f"[{index}/{len(periods)}] {each} ({each.kind}) {division or 'all villages'}: "
                f"{result.rows} facts in {result.seconds:.2f} s"
            )
