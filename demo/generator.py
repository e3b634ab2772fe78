"""The demo county, built at the scale of the real one from the real division file.

``DemoCountyBuilder(county=..., options=...).build()`` makes, in one transaction: the county's departments (and a
few provincial and prefectural organs), cadres of every rank, households with members, income sources and
categories, key villages, the four ledgers, one demo account per role, and a year of cases (``demo.cases``: routing
rules, problems, suggestions and disputes in every status with their timelines and accountability). Everything is
drawn from one ``random.Random(seed)`` (UUIDs too), so the same seed gives the same county; cases are dated back
from the day of seeding (their deadlines run on the real clock), so they are the same for a seed on the same day.

Rows are written with ``bulk_create`` (departments, cadres, accounts: their keys are needed) or
``demo.bulk.insert_rows`` (COPY on PostgreSQL, ``executemany`` on SQLite), both of which bypass ``save()``:
django-simple-history therefore records no history rows for seeded data. That is deliberate: the seeded state is
where the demo's history begins, and the first real edit of any row starts its history as usual.
"""

import math
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction

from cadres.models import Cadre, Department
from divisions.models import Division, Level
from grievances.models import Case, CaseEvent, CaseUnit, Notification
from households.models import Household, IncomeSource, Member
from ledgers.models import Pairing

from . import names
from .cases import CasesMixin
from .households import HouseholdsMixin
from .ledger_rows import LedgersMixin
from .organisation import OrganisationMixin
from .people import FamilyMaker, PeopleMaker
from .plan import (
    AS_OF,
    DEMO_TOWNSHIP_SUFFIX,
    DEMO_USERNAMES,
    FULL_CADRES,
    FULL_HOUSEHOLDS,
    MIN_CADRES,
    SEAT_TOWNSHIP_SUFFIX,
    SeedError,
    SeedOptions,
    SeedSummary,
    VillagePlan,
    village_short_name,
)
from .sampling import Weighted, apportion

__all__ = ["FULL_CADRES", "FULL_HOUSEHOLDS", "DemoCountyBuilder", "SeedError", "SeedOptions", "SeedSummary"]


class DemoCountyBuilder(HouseholdsMixin, OrganisationMixin, LedgersMixin, CasesMixin):
    """Plans the whole county in memory, then writes it in dependency order inside one transaction.

    The mixins hold the three parts of the plan (households, organisation, ledgers); they share the builder's
    state: ``rng``, the planned villages and townships, and the lists of unsaved rows each part adds to.
    """

    def __init__(self, *, county: Division, options: SeedOptions, log: Callable[[str], None] | None = None):
        self.county = county
        self.options = options
        self.rng = random.Random(options.seed)
        self.people = PeopleMaker(self.rng, region=county.code, as_of=AS_OF)
        self.families = FamilyMaker(self.rng, self.people)
        self.scale = options.cadres / FULL_CADRES
        self.limits = {rank: int(limit) for rank, limit in settings.PAIRING_LIMITS.items()}
        self._log = log or (lambda message: None)
        self._clock = time.perf_counter()

    def build(self) -> SeedSummary:
        started = time.perf_counter()
        if self.options.cadres < MIN_CADRES:
            raise SeedError(f"at least {MIN_CADRES} cadres are needed to staff the townships, villages and ledgers")
        if self.options.households < 1:
            raise SeedError("at least one household is needed")
        with transaction.atomic():
            self._load_geography()
            self._plan_villages()
            self._make_households()
            self._step("households and members built")
            self._make_departments()
            self._make_cadres()
            self._make_key_villages()
            self._write_organisation()
            self._step("departments, accounts, cadres and key villages written")
            self._make_ledgers()
            self._write_households()
            self._step("households, members, income sources and categories written")
            self._write_ledgers()
            self._step("ledgers written")
            self._make_cases()
            self._write_cases()
            self._step("cases written")
        if connection.vendor == "postgresql":
            self._analyze()
        summary = self._summary()
        summary.elapsed = time.perf_counter() - started
        return summary

    def _step(self, message: str) -> None:
        now = time.perf_counter()
        self._log(f"  {message} ({now - self._clock:.1f} s)")
        self._clock = now

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _load_geography(self) -> None:
        county = self.county
        townships = Division.objects.filter(parent=county, level=Level.TOWNSHIP).order_by("code")
        # Township codes 4xx are farms, forestry bureaus and the like: no households of their own.
        self.townships = [t for t in townships if t.code[6:9] < "400"]
        if not self.townships:
            raise SeedError(f"{county} has no townships; import the division file first")
        by_code = {t.code: t for t in self.townships}
        villages = Division.objects.filter(parent__in=self.townships, level=Level.VILLAGE).order_by("code")
        self.villages = [
            VillagePlan(v, by_code[v.parent_id], village_short_name(v.name), v.code[9:12] < "200") for v in villages
        ]
        if not self.villages:
            raise SeedError(f"{county} has no villages; import the division file first")
        self.township_villages: dict[str, list[VillagePlan]] = defaultdict(list)
        for village in self.villages:
            self.township_villages[village.township.code].append(village)
        self.demo_township = by_code.get(county.code + DEMO_TOWNSHIP_SUFFIX, self.townships[0])
        self.uppers = {d.level: d for d in Division.objects.filter(code__in=[county.code[:2], county.code[:4]])}
        self.mixes = {
            t.code: Weighted(names.ETHNIC_MIX_BY_TOWNSHIP.get(t.code, names.ETHNIC_MIX_DEFAULT)) for t in self.townships
        }

    def _plan_villages(self) -> None:
        rng = self.rng
        weights = []
        for village in self.villages:
            weight = math.exp(rng.gauss(0, 0.35))
            suffix = village.township.code[6:9]
            if suffix == SEAT_TOWNSHIP_SUFFIX:
                weight *= 3.0 if village.is_community else 1.3
            elif suffix == DEMO_TOWNSHIP_SUFFIX:
                weight *= 2.5 if village.is_community else 1.2
            elif village.is_community:
                weight *= 1.5
            weights.append(weight)
        for village, count in zip(self.villages, apportion(self.options.households, weights), strict=True):
            village.households = count
        demo_villages = self.township_villages[self.demo_township.code]
        self.demo_village = max(demo_villages, key=lambda v: (v.households, -int(v.division.code)))

    def _analyze(self) -> None:
        """Give PostgreSQL's planner statistics for the freshly filled tables."""
        models = (Household, Member, IncomeSource, Cadre, Pairing, Department, Case, CaseEvent, CaseUnit, Notification)
        tables = [m._meta.db_table for m in models]
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")

    def _summary(self) -> SeedSummary:
        active_pairings = sum(1 for row in self.pairing_rows if row.end_date is None)
        counts = {
            "townships": len(self.townships),
            "villages": len(self.villages),
            "households": len(self.households),
            "households_active": len(self.households) - len(self.moved),
            "members": len(self.members),
            "income_sources": len(self.income_sources),
            "category_assignments": self.category_rows,
            "departments": len(self.departments),
            "cadres": len(self.cadres),
            "cadres_inactive": len(self.inactive) + 1,
            "leader_assignments": len(self.leader_rows),
            "department_supports": len(self.support_rows),
            "pairings_active": active_pairings,
            "pairings_ended": len(self.pairing_rows) - active_pairings,
            "unpaired_households": len(self.unpaired),
            "key_villages": len(self.key_villages),
            "key_village_designations": len(self.designations),
            "officials": len(self.assistance_rows),
            "demo_cadre_households": self.loads[self.demo_cadre],
            **self._case_counts(),
        }
        return SeedSummary(counts=counts, usernames=list(DEMO_USERNAMES))
