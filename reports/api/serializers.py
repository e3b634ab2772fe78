"""Response shapes of the roll-up endpoints."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from reports.models import PeriodKind


class FiguresField(serializers.DictField):
    def __init__(self, **kwargs):
        kwargs.setdefault("child", serializers.FloatField(allow_null=True))
        kwargs.setdefault(
            "help_text",
            _(
                "metric → value: the counts (households, paired, unpaired, cases_opened, ...), satisfaction:<value> "
                "counts, and the derived coverage, avg_days_to_close, p90_days_to_close, satisfaction_share:<value> "
                "(null when there is nothing to derive them from)."
            ),
        )
        super().__init__(**kwargs)


class PeriodSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PeriodKind.choices)
    start = serializers.DateField()
    end = serializers.DateField(help_text=_("The first day after the period."))
    name = serializers.CharField(help_text=_("2026-W48, 2026-11 or 2026-Q4."))


class DivisionFiguresSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    figures = FiguresField()


class RollupTableSerializer(serializers.Serializer):
    period = PeriodSerializer()
    within = serializers.CharField(help_text=_("The division summed; empty: the whole scope."))
    total = FiguresField()
    children = DivisionFiguresSerializer(many=True)


class DashboardPeriodSerializer(serializers.Serializer):
    period = PeriodSerializer()
    live = serializers.BooleanField(help_text=_("True: no roll-up exists yet, the figures were computed now."))
    figures = FiguresField()


class DashboardSerializer(serializers.Serializer):
    within = serializers.CharField()
    live = serializers.BooleanField()
    month = DashboardPeriodSerializer()
    quarter = DashboardPeriodSerializer()
