"""The four ledgers of the demo county: leader–township, department–township, key-village assistance and
cadre–household pairing (with a little history: cadres transferred or retired, households moved away)."""

import datetime as dt
from collections import defaultdict

from cadres.models import CadreStatus, Rank
from ledgers.models import AssistanceRole, DepartmentSupport, LeaderAssignment, Pairing, VillageAssistance

from . import names
from .bulk import insert_rows
from .pairing import PairingAllocator, PairingCapacityError
from .plan import FULL_HOUSEHOLDS, KEY_VILLAGE_YEAR, SeedError
from .sampling import weighted_sample

FIRST_ROUND = dt.date(2025, 3, 1)
ASSISTANCE_ROTATION = dt.date(2026, 1, 5)
DEMO_CADRE_HOUSEHOLDS = 10
FULL_HISTORY = 200
UPPER_LEVEL_WEIGHT = {"province": 3.0, "prefecture": 2.0, "county": 1.0}


class LedgersMixin:
    """Builds and writes the ledger rows from the cadres, departments and households already planned."""

    def _make_ledgers(self) -> None:
        rng = self.rng
        self.leader_rows: list[LeaderAssignment] = []
        self.support_rows: list[DepartmentSupport] = []
        self.assistance_rows: list[VillageAssistance] = []
        self.pairing_rows: list[Pairing] = []
        office = self.office

        # Leader–township: every township one or two leaders, every leader one or two townships.
        leaders = [i for i, info in enumerate(self.cadre_info) if info.group == "leader" and i != self.former_leader]
        townships = list(self.townships)
        rng.shuffle(townships)
        assigned: dict[str, list[int]] = defaultdict(list)
        per_leader: dict[int, int] = defaultdict(int)
        for j, township in enumerate(townships):
            leader = leaders[j % len(leaders)]
            assigned[township.code].append(leader)
            per_leader[leader] += 1
        for leader in sorted(leaders, key=lambda i: per_leader[i]):  # leaders still without a township first
            single = [t for t in townships if len(assigned[t.code]) == 1 and leader not in assigned[t.code]]
            wants = per_leader[leader] == 0 or (per_leader[leader] == 1 and rng.random() < 0.3)
            if wants and single:
                township = rng.choice(single)
                assigned[township.code].append(leader)
                per_leader[leader] += 1
        self.leader_townships: dict[int, list[str]] = defaultdict(list)
        for township in self.townships:
            for leader in assigned[township.code]:
                self.leader_townships[leader].append(township.code)
                self.leader_rows.append(
                    LeaderAssignment(
                        cadre=self.cadres[leader],
                        township=township,
                        start_date=dt.date(2025, 2, 10) + dt.timedelta(days=rng.randint(0, 10)),
                        start_reason="县级领导联系乡镇年度分工",
                        created_by=office,
                    )
                )
        former_township = rng.choice(self.townships)
        self.leader_rows.append(
            LeaderAssignment(
                cadre=self.cadres[self.former_leader],
                township=former_township,
                start_date=dt.date(2025, 2, 10),
                end_date=dt.date(2025, 12, 20),
                start_reason="县级领导联系乡镇年度分工",
                end_reason="职务调整",
                created_by=office,
                ended_by=office,
            )
        )

        # Department–township: two to four county departments per township, spread evenly.
        support_count = dict.fromkeys(self.county_departments, 0)
        self.department_townships: dict[int, list[str]] = defaultdict(list)
        for township in self.townships:
            k = rng.randint(2, 4)
            order = sorted(self.county_departments, key=lambda d: (support_count[d], rng.random()))
            for department in sorted(order[:k]):
                support_count[department] += 1
                self.department_townships[department].append(township.code)
                self.support_rows.append(
                    DepartmentSupport(
                        department=self.departments[department],
                        township=township,
                        start_date=dt.date(2025, 2, 20) + dt.timedelta(days=rng.randint(0, 10)),
                        start_reason="部门联系乡镇安排",
                        created_by=office,
                    )
                )

        self._make_assistance()
        self._make_pairings()

    def _make_assistance(self) -> None:
        rng = self.rng
        office = self.office
        inactive = set(self.inactive)
        county_staff = [
            i
            for i, info in enumerate(self.cadre_info)
            if info.group == "county"
            and i not in inactive
            and self.cadres[i].department.short_name not in names.LEADER_OFFICES.values()
        ]
        county_officials = sorted(rng.sample(county_staff, self.county_official_count))
        pool = self.upper_officials + county_officials
        weights = [
            UPPER_LEVEL_WEIGHT[self.departments[self.cadre_info[i].department].level]
            * (1.5 if self.cadres[i].rank == Rank.SECTION_LEVEL else 1.0)
            for i in pool
        ]
        first = [pool[j] for j in weighted_sample(rng, weights, len(self.key_villages))]
        rng.shuffle(first)
        taken = set(first)
        members = [i for i in pool if i not in taken]
        rng.shuffle(members)
        team = [1] * len(self.key_villages)
        extra = len(members) - len(self.key_villages)
        while extra > 0:
            j = rng.randrange(len(team))
            if team[j] < 3:
                team[j] += 1
                extra -= 1
        if len(members) < len(self.key_villages):  # fewer than two officials per village: some have none
            team = [1 if j < len(members) else 0 for j in range(len(team))]
        cursor = 0
        for village, secretary, size in zip(self.key_villages, first, team, strict=True):
            posted = [(secretary, AssistanceRole.FIRST_SECRETARY)]
            posted += [(i, AssistanceRole.TEAM_MEMBER) for i in members[cursor : cursor + size]]
            cursor += size
            for cadre, role in posted:
                self.cadre_info[cadre].posted_to = village.division.code
                self.assistance_rows.append(
                    VillageAssistance(
                        cadre=self.cadres[cadre],
                        village=village.division,
                        role=role,
                        start_date=ASSISTANCE_ROTATION + dt.timedelta(days=rng.randint(0, 60)),
                        start_reason=f"{KEY_VILLAGE_YEAR}年驻村帮扶轮换",
                        created_by=office,
                    )
                )

    def _make_pairings(self) -> None:
        """Pair every active household with a cadre (the demo cadre's first, a few left unpaired on purpose), with
        the history of cadres who left and of households that moved away. The steps draw from ``self.rng`` in
        this order, which fixes the county a seed gives."""
        inactive = set(self.inactive)
        allocator = self._pairing_allocator(inactive)
        active = [i for i in range(len(self.households)) if i not in self.moved]
        demo_households = self._demo_cadre_households(active)
        self._choose_unpaired(active, set(demo_households))
        assignment, order = self._assign_households(allocator, active, demo_households)
        changed = self._cadre_changes(order)
        self._add_current_pairings(assignment, changed)
        self._add_moved_pairings(inactive)

    def _pairing_allocator(self, inactive: set[int]) -> PairingAllocator:
        """An allocator holding each cadre who can take households under the places it serves: its village or
        posting, its township, the leader's townships, or a county department's supported townships and the
        county."""
        limits = [max(0, self.limits.get(c.rank, 0)) if i not in inactive else 0 for i, c in enumerate(self.cadres)]
        limits[self.former_leader] = 0
        allocator = PairingAllocator([max(1, limit) for limit in limits], [self.rng.random() for _ in self.cadres])
        for i, info in enumerate(self.cadre_info):
            if limits[i] == 0 or i == self.demo_cadre:
                continue
            if info.posted_to:
                allocator.add("village", info.posted_to, i)
            elif info.group == "village":
                allocator.add("village", info.village, i)
            elif info.group == "township":
                allocator.add("township", info.township, i)
            elif info.group == "leader":
                for township in self.leader_townships[i]:
                    allocator.add("township", township, i)
            elif info.group == "county":
                for township in self.department_townships.get(info.department, []):
                    allocator.add("support", township, i)
                allocator.add("county", None, i)
        return allocator

    def _demo_cadre_households(self, active: list[int]) -> list[int]:
        """The demo cadre's households: its own village first, then the rest of its township."""
        demo_limit = min(DEMO_CADRE_HOUSEHOLDS, self.limits.get(Rank.VILLAGE_CADRE, DEMO_CADRE_HOUSEHOLDS))
        own = [i for i in active if self.household_village[i] is self.demo_village]
        near = [
            i
            for i in active
            if self.household_village[i].township is self.demo_village.township
            and self.household_village[i] is not self.demo_village
        ]
        self.rng.shuffle(own)
        self.rng.shuffle(near)
        return (own + near)[:demo_limit]

    def _choose_unpaired(self, active: list[int], demo_set: set[int]) -> None:
        """Sets ``self.unpaired``: a handful left unpaired on purpose, spread over a few villages away from the demo
        cadre."""
        rng = self.rng
        unpaired_count = max(5, min(15, round(12 * len(self.households) / FULL_HOUSEHOLDS)))
        by_village: dict[str, list[int]] = defaultdict(list)
        for i in active:
            village = self.household_village[i]
            if i not in demo_set and village is not self.demo_village:
                by_village[village.division.code].append(i)
        villages = sorted(by_village)
        rng.shuffle(villages)
        chosen_villages = villages[: max(3, min(5, len(villages)))]
        self.unpaired: list[int] = []
        while len(self.unpaired) < unpaired_count and any(by_village[v] for v in chosen_villages):
            for code in chosen_villages:
                if by_village[code] and len(self.unpaired) < unpaired_count:
                    self.unpaired.append(by_village[code].pop(rng.randrange(len(by_village[code]))))

    def _assign_households(
        self, allocator: PairingAllocator, active: list[int], demo_households: list[int]
    ) -> tuple[dict[int, int], list[int]]:
        """Each active household's current cadre (household index to cadre index), and the other households in the
        order they were given out; sets ``self.loads``. Too few cadres for the limits is a ``SeedError``."""
        assignment: dict[int, int] = {}
        for i in demo_households:
            assignment[i] = self.demo_cadre
            allocator.take(self.demo_cadre)
        demo_set, unpaired = set(demo_households), set(self.unpaired)
        order = [i for i in active if i not in demo_set and i not in unpaired]
        self.rng.shuffle(order)
        try:
            for i in order:
                village = self.household_village[i]
                assignment[i] = allocator.assign(village=village.division.code, township=village.township.code)
        except PairingCapacityError as error:
            raise SeedError(
                f"{len(self.cadres)} cadres cannot carry {len(order)} households under the pairing limits per rank "
                f"({error}); ask for more --cadres or fewer --households"
            ) from error
        self.loads = allocator.loads
        return assignment, order

    def _cadre_changes(self, order: list[int]) -> dict[int, int]:
        """History: the households that changed cadre when theirs was transferred or retired, each with its
        former (now inactive) cadre."""
        history_count = min(len(order), round(FULL_HISTORY * len(self.households) / FULL_HOUSEHOLDS))
        chosen = self.rng.sample(order, history_count)
        inactive_order = list(self.inactive)
        return {i: inactive_order[n % len(inactive_order)] for n, i in enumerate(sorted(chosen))}

    def _add_current_pairings(self, assignment: dict[int, int], changed: dict[int, int]) -> None:
        """The current pairing of each assigned household, preceded by the ended one with its former cadre for the
        households that changed."""
        rng, office = self.rng, self.office
        for i in sorted(assignment):
            household = self.households[i]
            start = FIRST_ROUND + dt.timedelta(days=rng.randint(0, 45))
            previous = changed.get(i)
            if previous is not None:
                status = self.cadres[previous].status
                end = dt.date(2025, 7, 1) + dt.timedelta(days=rng.randint(0, 364))
                self.pairing_rows.append(
                    Pairing(
                        cadre=self.cadres[previous],
                        household=household,
                        start_date=start,
                        end_date=end,
                        start_reason="首轮结对",
                        end_reason="干部退休" if status == CadreStatus.RETIRED else "干部调动",
                        created_by=office,
                        ended_by=office,
                    )
                )
                start, reason = end, "原结对干部调离，重新结对"
            else:
                reason = "首轮结对"
            self.pairing_rows.append(
                Pairing(
                    cadre=self.cadres[assignment[i]],
                    household=household,
                    start_date=start,
                    start_reason=reason,
                    created_by=office,
                )
            )

    def _add_moved_pairings(self, inactive: set[int]) -> None:
        """Households that moved away: their pairing, with an active cadre of their township, ended when they
        left."""
        rng, office = self.rng, self.office
        township_staff: dict[str, list[int]] = defaultdict(list)
        for i, info in enumerate(self.cadre_info):
            if info.group == "township" and i not in inactive:
                township_staff[info.township].append(i)
        for i in sorted(self.moved):
            village = self.household_village[i]
            staff = township_staff.get(village.township.code) or [self.demo_cadre]
            self.pairing_rows.append(
                Pairing(
                    cadre=self.cadres[rng.choice(staff)],
                    household=self.households[i],
                    start_date=FIRST_ROUND + dt.timedelta(days=rng.randint(0, 45)),
                    end_date=dt.date(2025, 9, 1) + dt.timedelta(days=rng.randint(0, 360)),
                    start_reason="首轮结对",
                    end_reason="户籍迁出",
                    created_by=office,
                    ended_by=office,
                )
            )

    def _write_ledgers(self) -> None:
        for model, rows in (
            (LeaderAssignment, self.leader_rows),
            (DepartmentSupport, self.support_rows),
            (VillageAssistance, self.assistance_rows),
            (Pairing, self.pairing_rows),
        ):
            insert_rows(model, rows)
