"""Reads of roll-up facts, inside the caller's scope (``accounts.scoping``). Townships, the county and any level
above are sums of the villages' facts over the code prefix."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from accounts.scoping import scope_for
from divisions.models import CODE_LENGTH, Division

from . import metrics
from .models import RollupFact
from .periods import MONTH, QUARTER, Period, county_today
from .services import rollup_rows

LENGTHS = sorted(CODE_LENGTH.values())


def child_width(within: str) -> int:
    """The code length of the divisions one level below ``within`` (villages stay villages)."""
    return next((length for length in LENGTHS if length > len(within)), LENGTHS[-1])


def period_for(kind: str, start: dt.date | None) -> Period:
    """The period of ``kind`` starting on ``start`` (default: the current one); refuses a day that starts no
    period and a period in the future."""
    period = Period.containing(kind, county_today()) if start is None else Period.starting(kind, start)
    if period.start > county_today():
        raise ValidationError(_("The %(kind)s starting on %(start)s has not begun.") % {"kind": kind, "start": start})
    return period


@dataclass
class DivisionFigures:
    code: str
    name: str
    figures: dict[str, Any]


@dataclass
class RollupTable:
    period: Period
    within: str
    total: dict[str, Any]
    children: list[DivisionFigures] = field(default_factory=list)


def _default_within(scope) -> str:
    return scope.division_codes[0] if len(scope.division_codes) == 1 else ""


def _sum_by_child(rows: dict[tuple[str, str], int], width: int) -> dict[str, dict[str, int]]:
    result: dict[str, dict[str, int]] = {}
    for (code, metric), value in rows.items():
        sums = result.setdefault(code[:width], {})
        sums[metric] = sums.get(metric, 0) + value
    return result


def _table(period: Period, within: str, by_child: dict[str, dict[str, int]]) -> RollupTable:
    names = dict(Division.objects.filter(code__in=list(by_child)).values_list("code", "name"))
    total: dict[str, int] = {}
    for sums in by_child.values():
        for metric, value in sums.items():
            total[metric] = total.get(metric, 0) + value
    children = [
        DivisionFigures(code=code, name=names.get(code, ""), figures=metrics.derive(sums))
        for code, sums in sorted(by_child.items())
    ]
    return RollupTable(period=period, within=within, total=metrics.derive(total), children=children)


def rollup_facts(*, user, period: str, start: dt.date | None, within: str | None) -> RollupTable:
    """The stored facts of one period summed per child division of ``within`` (default: the user's division) and
    metric, plus their total; only villages inside the user's scope count (outside it: an empty table). Two
    queries, whatever the number of villages."""
    scope = scope_for(user)
    the_period = period_for(period, start)
    within = within if within is not None else _default_within(scope)
    width = child_width(within)
    rows = (
        scope.of(RollupFact)
        .filter(period_kind=the_period.kind, period_start=the_period.start, code__startswith=within)
        .annotate(child=Substr("code", 1, width))
        .values_list("child", "metric")
        .annotate(total=Sum("value"))
        .order_by()
    )
    by_child: dict[str, dict[str, int]] = {}
    for child, metric, total in rows:
        by_child.setdefault(child, {})[metric] = int(total)
    return _table(the_period, within, by_child)


@dataclass
class DashboardPeriod:
    period: Period
    live: bool
    figures: dict[str, Any]


def dashboard(*, user, within: str | None) -> dict[str, Any]:
    """The current month's and quarter's figures of ``within`` (default: the user's division), from the facts
    when the period has any inside the scope, else computed live from the raw tables (``live``)."""
    scope = scope_for(user)
    within = within if within is not None else _default_within(scope)
    today = county_today()
    result: dict[str, Any] = {"within": within}
    for kind in (MONTH, QUARTER):
        period = Period.containing(kind, today)
        stored = (
            scope.of(RollupFact)
            .filter(period_kind=kind, period_start=period.start, code__startswith=within)
            .values_list("metric")
            .annotate(total=Sum("value"))
            .order_by()
        )
        sums = {metric: int(total) for metric, total in stored}
        live = not sums
        if live and scope.division_codes:
            rows = rollup_rows(period, within)
            for (code, metric), value in rows.items():
                if scope.covers_division(code):
                    sums[metric] = sums.get(metric, 0) + value
        result[kind] = DashboardPeriod(period=period, live=live, figures=metrics.derive(sums))
    result["live"] = any(result[kind].live for kind in (MONTH, QUARTER))
    return result
