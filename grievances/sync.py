"""Cases in the sync feed (registered from ``GrievancesConfig.ready``): a case has a place of its own (its village,
its reporting cadre, its units) and may have no household."""

from django.db.models import Prefetch

from songpan.api.sync import Resource, register_resource

from .api.serializers import CaseRecordSerializer
from .models import Case, CaseUnit


def register_resources() -> None:
    register_resource(
        Resource(
            "case",
            Case,
            CaseRecordSerializer,
            anchor_path="household_id",
            own_place=True,
            api_detail="api-case-detail",
            select_related=("responsible_unit",),
            prefetch_related=(Prefetch("units", queryset=CaseUnit.objects.select_related("unit")),),
        )
    )
