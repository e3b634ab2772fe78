"""Reads over the ledgers: coverage ("zero blind spots") and ledger history.

These take a household queryset so that the caller's scope (accounts issue) can be applied before counting;
without one they count the whole registry, as the management commands do.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.db.models.functions import Substr

from divisions.models import Division
from households.models import Household, HouseholdStatus

from .models import Pairing


def _active_primary_pairing():
    return Pairing.objects.active().filter(household=OuterRef("pk"), is_primary=True)


def households_active_within(code: str, households: QuerySet[Household] | None = None) -> QuerySet[Household]:
    """Active households in division ``code`` (a prefix of the village code)."""
    base = Household.objects.all() if households is None else households
    return base.filter(village__code__startswith=code, status=HouseholdStatus.ACTIVE)


def households_unpaired(code: str, households: QuerySet[Household] | None = None) -> QuerySet[Household]:
    """Active households in ``code`` with no active primary pairing, by village and number."""
    return (
        households_active_within(code, households)
        .filter(~Exists(_active_primary_pairing()))
        .select_related("village")
        .order_by("village_id", "number")
    )


class CoverageFigures:
    """What follows from ``households`` and ``paired`` (active households, those with an active primary pairing)."""

    households: int
    paired: int

    @property
    def unpaired(self) -> int:
        return self.households - self.paired

    @property
    def coverage(self) -> float:
        """Share of active households with an active primary pairing (1.0 when there are none)."""
        return self.paired / self.households if self.households else 1.0

    @property
    def percent(self) -> float:
        return round(self.coverage * 100, 2)


@dataclass(frozen=True)
class Coverage(CoverageFigures):
    code: str
    households: int
    paired: int
    first_unpaired: list[Household]


def coverage_for_division(
    code: str, *, households: QuerySet[Household] | None = None, unpaired_limit: int = 20
) -> Coverage:
    """The four figures of "zero blind spots" for a division and its first unpaired households.

    Three queries at most: households, paired households (counted from the active primary pairings, of which a
    household has at most one), and the unpaired list when there is one. Counting from the pairings side is a
    hash join; an EXISTS per household was twice as slow on the seeded county (BENCHMARKS.md).
    """
    active = households_active_within(code, households)
    total = active.count()
    paired = Pairing.objects.active().filter(is_primary=True, household__in=active).count()
    first = list(households_unpaired(code, households)[:unpaired_limit]) if paired < total else []
    return Coverage(code=code, households=total, paired=paired, first_unpaired=first)


def pairing_history(household: Household) -> QuerySet[Pairing]:
    """Every pairing the household ever had, newest first, with the cadres and who made each change."""
    return (
        Pairing.objects.filter(household=household)
        .select_related("cadre", "created_by", "ended_by")
        .order_by("-start_date", "-id")
    )


@dataclass(frozen=True)
class CoverageRow(CoverageFigures):
    division: Division
    households: int
    paired: int


def coverage_by_child(division: Division, *, households: QuerySet[Household] | None = None) -> list[CoverageRow]:
    """Coverage of each child division (townships of a county, villages of a township), in two queries."""
    children = list(Division.objects.filter(parent=division).order_by("code"))
    if not children:
        return []
    width = len(children[0].code)
    totals = {
        row["child"]: row
        for row in households_active_within(division.code, households)
        .annotate(child=Substr("village_id", 1, width))
        .values("child")
        .annotate(households=Count("pk"), paired=Count("pk", filter=Exists(_active_primary_pairing())))
    }
    return [
        CoverageRow(
            division=child,
            households=totals.get(child.code, {}).get("households", 0),
            paired=totals.get(child.code, {}).get("paired", 0),
        )
        for child in children
    ]
