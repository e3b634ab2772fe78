"""The roll-up metrics: what is stored (counts, summed over any code prefix) and what is derived from the sums
when read (coverage, average and 90th-percentile days to close, satisfaction shares)."""

from collections.abc import Mapping

from grievances.models import Satisfaction

# Stored counts, per village and period.
HOUSEHOLDS, PAIRED, UNPAIRED = "households", "paired", "unpaired"
CASES_OPENED, CASES_ACCEPTED, CASES_RESOLVED, CASES_CLOSED = (
    "cases_opened",
    "cases_accepted",
    "cases_resolved",
    "cases_closed",
)
CASES_OVERDUE, CASES_ESCALATED, CASES_REOPENED = "cases_overdue", "cases_escalated", "cases_reopened"
DISPUTES_RECEIVED, DISPUTES_RESOLVED = "disputes_received", "disputes_resolved"
SUGGESTIONS_RECEIVED, SUGGESTIONS_ADOPTED = "suggestions_received", "suggestions_adopted"
SATISFACTION_PREFIX = "satisfaction:"  # + a Satisfaction value: verdicts recorded in the period
CLOSE_DAYS_PREFIX = "close_days:"  # + whole days from report to closing: closings in the period (a histogram)
CLOSE_DAYS_CAP = 400  # closings after more days are counted at the cap

COUNTS = (
    HOUSEHOLDS,
    PAIRED,
    UNPAIRED,
    CASES_OPENED,
    CASES_ACCEPTED,
    CASES_RESOLVED,
    CASES_CLOSED,
    CASES_OVERDUE,
    CASES_ESCALATED,
    CASES_REOPENED,
    DISPUTES_RECEIVED,
    DISPUTES_RESOLVED,
    SUGGESTIONS_RECEIVED,
    SUGGESTIONS_ADOPTED,
)

# Derived when read.
COVERAGE = "coverage"
AVG_DAYS_TO_CLOSE, P90_DAYS_TO_CLOSE = "avg_days_to_close", "p90_days_to_close"
SATISFACTION_SHARE_PREFIX = "satisfaction_share:"


def derive(sums: Mapping[str, int]) -> dict[str, float | int | None]:
    """The figures of one division from its summed facts: every count (0 when absent), the satisfaction counts,
    and the derived figures; the days-to-close histogram is folded into its average and 90th percentile."""
    figures: dict[str, float | int | None] = {metric: int(sums.get(metric, 0)) for metric in COUNTS}
    households, paired = figures[HOUSEHOLDS] or 0, figures[PAIRED] or 0
    figures[COVERAGE] = paired / households if households else 1.0
    verdicts = {value: int(sums.get(SATISFACTION_PREFIX + value, 0)) for value in Satisfaction.values}
    total_verdicts = sum(verdicts.values())
    for value, count in verdicts.items():
        figures[SATISFACTION_PREFIX + value] = count
        figures[SATISFACTION_SHARE_PREFIX + value] = count / total_verdicts if total_verdicts else None
    histogram = sorted(
        (int(metric.removeprefix(CLOSE_DAYS_PREFIX)), int(count))
        for metric, count in sums.items()
        if metric.startswith(CLOSE_DAYS_PREFIX) and count
    )
    closings = sum(count for _days, count in histogram)
    figures[AVG_DAYS_TO_CLOSE] = (
        round(sum(days * count for days, count in histogram) / closings, 2) if closings else None
    )
    figures[P90_DAYS_TO_CLOSE] = _nearest_rank(histogram, closings, 0.9)
    return figures


def _nearest_rank(histogram: list[tuple[int, int]], total: int, share: float) -> int | None:
    """The nearest-rank percentile of a sorted (value, count) histogram: the smallest value with at least
    ``share`` of the observations at or below it."""
    if not total:
        return None
    rank, seen = -(-total * share // 1), 0  # ceil(total * share)
    for days, count in histogram:
        seen += count
        if seen >= rank:
            return days
    return histogram[-1][0]
