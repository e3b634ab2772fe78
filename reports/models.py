"""Roll-up facts (issue 14): one number per period, village and metric, computed by ``reports.services`` on
Celery. Townships, the county and anything above are sums over the code prefix at read time."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from divisions.fields import DivisionCodeField


class PeriodKind(models.TextChoices):
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class RollupFact(models.Model):
    """A count for one village over one period (ISO week, month or quarter in county time). Only counts are
    stored so that every level is a plain sum; shares, averages and percentiles are derived when read
    (``reports.metrics``). Rows are replaced a whole period at a time, never edited."""

    period_kind = models.CharField(_("period kind"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    code = DivisionCodeField(verbose_name=_("village"))
    metric = models.CharField(_("metric"), max_length=40)
    value = models.BigIntegerField(_("value"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("roll-up fact")
        verbose_name_plural = _("roll-up facts")
        ordering = ["period_kind", "period_start", "code", "metric"]
        constraints = [
            # Its index also serves the reads: one period, codes under a prefix (C collation: LIKE 'x%').
            models.UniqueConstraint(
                fields=["period_kind", "period_start", "code", "metric"], name="rollup_fact_unique"
            ),
            models.CheckConstraint(
                condition=Q(period_kind__in=[k.value for k in PeriodKind]), name="rollup_fact_kind_valid"
            ),
        ]
        indexes = [
            # Trends: one division's periods of a kind.
            models.Index(fields=["code", "period_kind", "period_start"], name="rollup_fact_code_period"),
        ]

    def __str__(self) -> str:
        return f"{self.period_kind} {self.period_start} {self.code} {self.metric}={self.value}"
