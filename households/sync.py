"""Households and members in the sync feed (registered from ``HouseholdsConfig.ready``): the households are the
feed's anchor (``songpan.api.sync.Anchor``), what every row enters and leaves a scope with."""

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from accounts.scoping import Scope
from ledgers.sync import active_pairing_changed_at, ended_pairings, pairings_ever
from songpan.api.sync import Anchor, Resource, register_anchor, register_resource

from .api.serializers import HouseholdRecordSerializer, MemberRecordSerializer
from .models import Household, Member


def households_left(scope: Scope) -> QuerySet[Household]:
    """Households that were in the scope and are not now, annotated ``left_at``: for division staff, those whose
    history shows them inside (they moved away; left when last changed); for a cadre, those it was paired with
    (left when its pairing with them last changed)."""
    in_scope = scope.filter(Household.objects.filter(pk=OuterRef("pk")))
    if scope.division_codes:
        was_inside = Q(pk__in=[])
        for code in scope.division_codes:
            was_inside |= Q(village__code__startswith=code)
        history = Household.history.model.objects.filter(was_inside, id=OuterRef("pk"))
        return Household.objects.filter(Exists(history)).exclude(Exists(in_scope)).annotate(left_at=F("updated_at"))
    if scope.cadre_id:
        ended = ended_pairings(scope.cadre_id)
        return (
            Household.objects.filter(Exists(ended))
            .exclude(Exists(in_scope))
            .annotate(left_at=Subquery(ended.order_by("-updated_at").values("updated_at")[:1]))
        )
    return Household.objects.none().annotate(left_at=F("updated_at"))


def households_held(scope: Scope) -> QuerySet[Household] | None:
    """Households whose members' removals the scope is told of: those in it (division staff), those the cadre is
    or was paired with."""
    if scope.division_codes:
        return scope.filter(Household.objects.all())
    if scope.cadre_id:
        return Household.objects.filter(Exists(pairings_ever(scope.cadre_id)))
    return None


def register_resources() -> None:
    register_anchor(Anchor(Household, left=households_left, entered_at=active_pairing_changed_at, held=households_held))
    register_resource(
        Resource(
            "household",
            Household,
            HouseholdRecordSerializer,
            anchor_path="pk",
            prefetch_related=("categories", "income_sources"),
            api_detail="api-household-detail",
        )
    )
    register_resource(
        Resource(
            "member",
            Member,
            MemberRecordSerializer,
            anchor_path="household_id",
            history_anchor_path="household_id",
            api_detail="api-member-detail",
        )
    )
