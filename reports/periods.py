"""Roll-up periods: ISO weeks, calendar months and quarters, in county time (``settings.TIME_ZONE``,
Asia/Shanghai). A period is named by its kind and its first day; ``parse`` reads the names people type
(``2026-W48``, ``2026-11``, ``2026-Q4``)."""

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

WEEK, MONTH, QUARTER = "week", "month", "quarter"
KINDS = (WEEK, MONTH, QUARTER)


def county_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def county_today() -> dt.date:
    return timezone.now().astimezone(county_tz()).date()


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    kind: str
    start: dt.date

    @classmethod
    def containing(cls, kind: str, day: dt.date) -> "Period":
        if kind == WEEK:
            return cls(WEEK, day - dt.timedelta(days=day.isoweekday() - 1))
        if kind == MONTH:
            return cls(MONTH, day.replace(day=1))
        if kind == QUARTER:
            return cls(QUARTER, dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1))
        raise ValidationError(_("Unknown period kind %(kind)s: use week, month or quarter.") % {"kind": kind})

    @classmethod
    def starting(cls, kind: str, start: dt.date) -> "Period":
        """The period of ``kind`` that starts on ``start``; a day that starts none is refused."""
        period = cls.containing(kind, start)
        if period.start != start:
            raise ValidationError(
                _("%(day)s is not the first day of a %(kind)s (that %(kind)s starts on %(start)s).")
                % {"day": start.isoformat(), "kind": kind, "start": period.start.isoformat()}
            )
        return period

    @property
    def end(self) -> dt.date:
        """The first day after the period."""
        if self.kind == WEEK:
            return self.start + dt.timedelta(days=7)
        return _add_months(self.start, 1 if self.kind == MONTH else 3)

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware datetimes at county midnight."""
        tz = county_tz()
        return (
            dt.datetime.combine(self.start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(self.end, dt.time.min, tzinfo=tz),
        )

    def next(self) -> "Period":
        return Period(self.kind, self.end)

    def previous(self) -> "Period":
        return Period.containing(self.kind, self.start - dt.timedelta(days=1))

    @property
    def name(self) -> str:
        if self.kind == WEEK:
            year, week, _day = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"

    def __str__(self) -> str:
        return self.name


_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def parse(text: str) -> Period:
    """``2026-W48`` (ISO week), ``2026-11`` (month) or ``2026-Q4``; anything else is a ``ValidationError``."""
    text = (text or "").strip().upper()
    try:
        if match := _WEEK.match(text):
            return Period(WEEK, dt.date.fromisocalendar(int(match[1]), int(match[2]), 1))
        if match := _MONTH.match(text):
            return Period(MONTH, dt.date(int(match[1]), int(match[2]), 1))
        if match := _QUARTER.match(text):
            return Period(QUARTER, dt.date(int(match[1]), (int(match[2]) - 1) * 3 + 1, 1))
    except ValueError:
        pass
    raise ValidationError(
        _("%(text)s is not a period: write 2026-W48 (a week), 2026-11 (a month) or 2026-Q4 (a quarter).")
        % {"text": text or '""'}
    )


def periods_between(first: dt.date, last: dt.date, kinds: tuple[str, ...] = KINDS) -> list[Period]:
    """Every period of each kind that overlaps [first, last], in order of kind then start."""
    result = []
    for kind in kinds:
        period = Period.containing(kind, first)
        while period.start <= last:
            result.append(period)
            period = period.next()
    return result
