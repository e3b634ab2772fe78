"""Pairings in the sync feed (registered from ``LedgersConfig.ready``), and the pairing parts of the households'
anchor (``households.sync``): a cadre's households enter and leave its scope with its pairings."""

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.fields import DateTimeField

from songpan.api.sync import Resource, register_resource

from .api.serializers import PairingRecordSerializer
from .models import Pairing


def active_pairing_changed_at(cadre_id: int, household_ref: str) -> Subquery:
    """When the cadre's active pairing with the household (whose id is at ``household_ref``) last changed."""
    pairings = Pairing.objects.active().filter(cadre_id=cadre_id, household_id=OuterRef(household_ref))
    return Subquery(pairings.order_by("-updated_at").values("updated_at")[:1], output_field=DateTimeField())


def ended_pairings(cadre_id: int) -> QuerySet[Pairing]:
    """The cadre's ended pairings with the household of the outer query."""
    return Pairing.objects.ended().filter(cadre_id=cadre_id, household_id=OuterRef("pk"))


def pairings_ever(cadre_id: int) -> QuerySet[Pairing]:
    """The cadre's pairings, active or ended, with the household of the outer query."""
    return Pairing.objects.filter(cadre_id=cadre_id, household_id=OuterRef("pk"))


def register_resources() -> None:
    register_resource(
        Resource(
            "pairing",
            Pairing,
            PairingRecordSerializer,
            anchor_path="household_id",
            own_for_cadre=True,
            api_detail="api-pairing-detail",
        )
    )
