"""Roll-ups and the dashboard's figures. Thin: the selectors read inside the caller's scope (a division outside
it gives an empty result, like ``/coverage/``)."""

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from reports.models import PeriodKind
from reports.selectors import dashboard, rollup_facts
from songpan.api.filters import validate_code
from songpan.api.schema import errors

from .serializers import DashboardSerializer, RollupTableSerializer

WITHIN = OpenApiParameter(
    "within", OpenApiTypes.STR, description="A division code (2–12 digits); default: the caller's division."
)


def _within(request) -> str | None:
    within = request.query_params.get("within")
    if within is not None:
        try:
            validate_code(within)
        except DjangoValidationError as error:
            raise ValidationError({"within": error.messages}) from None
    return within


def _period_body(period) -> dict:
    return {"kind": period.kind, "start": period.start, "end": period.end, "name": period.name}


class RollupView(APIView):
    """One period's roll-up facts summed per child division of ``within`` and metric, with their total."""

    @extend_schema(
        parameters=[
            OpenApiParameter("period", OpenApiTypes.STR, enum=PeriodKind.values, description="Default: month."),
            OpenApiParameter(
                "start", OpenApiTypes.DATE, description="The period's first day; default: the current period."
            ),
            WITHIN,
        ],
        responses={200: RollupTableSerializer, **errors(400)},
    )
    def get(self, request):
        within = _within(request)
        kind = request.query_params.get("period", PeriodKind.MONTH)
        if kind not in PeriodKind.values:
            raise ValidationError({"period": [_("Choose week, month or quarter.")]})
        start = None
        if "start" in request.query_params:
            try:
                start = dt.date.fromisoformat(request.query_params["start"])
            except ValueError:
                raise ValidationError({"start": [_("Give the period's first day as YYYY-MM-DD.")]}) from None
        try:
            table = rollup_facts(user=request.user, period=kind, start=start, within=within)
        except DjangoValidationError as error:
            raise ValidationError({"start": error.messages}) from None
        body = {
            "period": _period_body(table.period),
            "within": table.within,
            "total": table.total,
            "children": table.children,
        }
        return Response(RollupTableSerializer(body).data)


class DashboardView(APIView):
    """The current month's and quarter's figures of ``within``; ``live`` when no roll-up exists for the period
    yet and the figures were computed from the raw tables."""

    @extend_schema(parameters=[WITHIN], responses={200: DashboardSerializer, **errors(400)})
    def get(self, request):
        result = dashboard(user=request.user, within=_within(request))
        body = {
            "within": result["within"],
            "live": result["live"],
            **{
                kind: {"period": _period_body(each.period), "live": each.live, "figures": each.figures}
                for kind in ("month", "quarter")
                for each in [result[kind]]
            },
        }
        return Response(DashboardSerializer(body).data)
