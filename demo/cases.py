"""Cases of the demo county: routing rules for its departments, and a year of problems, suggestions and disputes
in every status, lived by ``demo.case_life`` the way the services and the daily overdue sweep would have written
them (timelines, units' parts, notifications, supervision notices and penalties, parties and mediation sessions).

Unlike the rest of the demo (described as of ``plan.AS_OF``), cases are dated back from the day of seeding: their
deadlines and the overdue sweep run on the real clock, so the demo accounts find work that is due now. Everything
else is drawn from the seed: the same seed on the same day gives the same cases.

Scale: about 420 livelihood problems, 95 suggestions and 150 disputes a year for the full county (DESIGN §1),
scaled with the households, with a floor so that a small demo still shows every status. A few cases are placed on
purpose so that each demo account has work waiting (``_demo_account_plans``).
"""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import Role, User
from cadres.models import CadreStatus, Department
from grievances.models import (
    AccountabilityRecord,
    Case,
    CaseCategory,
    CaseEvent,
    CaseKind,
    CaseSequence,
    CaseStatus,
    CaseUnit,
    DeadlinePolicy,
    DisputeParty,
    MediationSession,
    Notification,
    PartyRole,
    RoutingRule,
)
from grievances.services.numbering import county_prefix
from grievances.services.routing import FALLBACK_DAYS

from . import case_texts as texts
from . import names
from .bulk import insert_rows
from .case_accounts import DemoAccountCasesMixin
from .case_life import CaseLife, CasePlan, Mediation, local
from .plan import FULL_HOUSEHOLDS, SeedError
from .sampling import Weighted

FULL_CASES = {CaseKind.PROBLEM: 420, CaseKind.SUGGESTION: 95, CaseKind.DISPUTE: 150}
MIN_CASES = {CaseKind.PROBLEM: 24, CaseKind.SUGGESTION: 8, CaseKind.DISPUTE: 12}
PROBLEM_CATEGORIES = Weighted(
    {
        "roads_transport": 18,
        "water_power": 14,
        "income": 14,
        "social_security": 12,
        "health": 10,
        "housing": 10,
        "education": 8,
        "employment": 7,
        "land_forest_grassland": 5,
        "other": 5,
    }
)
SOURCES = {
    CaseKind.PROBLEM: Weighted({"visit": 55, "reception": 20, "hotline": 15, "team_activity": 10}),
    CaseKind.SUGGESTION: Weighted({"suggestion_drive": 60, "reception": 20, "visit": 20}),
    CaseKind.DISPUTE: Weighted({"visit": 40, "reception": 40, "hotline": 20}),
}
PRIORITIES = Weighted({"normal": 80, "high": 15, "urgent": 5})
OUTCOMES = Weighted({"agreement": 80, "judicial_office": 8, "court": 5, "withdrawn": 7})
# (duplicate, rejected, referred, escalated, late, reopened, stuck) shares by kind
FATES = {
    CaseKind.PROBLEM: (0.03, 0.05, 0.05, 0.04, 0.10, 0.07, 0.01),
    CaseKind.SUGGESTION: (0.05, 0.10, 0.0, 0.02, 0.06, 0.0, 0.0),
    CaseKind.DISPUTE: (0.02, 0.03, 0.0, 0.04, 0.08, 0.04, 0.01),
}
LONG_LATE_SHARE = 0.3  # of the late cases, those still open when the grace after the supervision notice ends
# Urgent cases are taken up at once (their deadline is days away).
PRIORITY_DELAYS = {
    "urgent": {"accept": (0, 0), "assign": (0, 0), "start": (0, 0)},
    "high": {"accept": (0, 1), "assign": (0, 1), "start": (0, 1)},
}
VILLAGE_LEVEL_SHARE = {CaseKind.PROBLEM: 0.15, CaseKind.SUGGESTION: 0.6, CaseKind.DISPUTE: 0.0}


class CasesMixin(DemoAccountCasesMixin):
    """Plans (``_make_cases``) and writes (``_write_cases``) the demo's cases, after the ledgers are written."""

    def _make_cases(self) -> None:
        self.case_today = timezone.localdate()
        self.case_cutoff = local(self.case_today, dt.time(0, 0))
        self.case_categories = set(CaseCategory.objects.filter(is_active=True).values_list("code", flat=True))
        if "other" not in self.case_categories:
            raise SeedError("the case category “other” is missing or not in use (grievances migration 0002)")
        self._load_policies()
        self._make_case_staff()
        self._make_routing()
        self._index_households()
        plans = self._demo_account_plans()
        for kind, full in FULL_CASES.items():
            count = max(MIN_CASES[kind], round(full * len(self.households) / FULL_HOUSEHOLDS))
            for _ in range(count):
                offset = self.rng.randint(1, 365)
                plans.append(self._random_plan(kind, self._moment(offset)))
        plans.sort(key=lambda plan: (plan.case.created_at, plan.case.id))
        self._choose_originals(plans)
        self._number(plans)
        self.case_lives = [
            CaseLife(
                plan=plan, rng=self.rng, cutoff=self.case_cutoff, policy=self._policy, staff_of=self._staff_of
            ).live()
            for plan in plans
        ]

    # -- configuration ---------------------------------------------------------------------------------------

    def _load_policies(self) -> None:
        self.policies = {(p.category_id, p.priority): (p.days, p.grace_days) for p in DeadlinePolicy.objects.all()}
        self.default_days = getattr(settings, "SONGPAN_CASE_DEFAULT_DAYS", FALLBACK_DAYS)

    def _policy(self, category: str, priority: str) -> tuple[int, int]:
        """``grievances.services.routing.policy_days`` without a query per case."""
        found = self.policies.get((category, priority)) or self.policies.get((None, priority))
        return found or self.default_days.get(priority, FALLBACK_DAYS["normal"])

    def _unit(self, short_name: str) -> Department:
        return self.departments[self.by_short_name[short_name]]

    def _make_case_staff(self) -> None:
        """One account per township and per unit handling cases, so that every timeline entry names who acted;
        the demo township and the education bureau act through the ``township`` and ``department`` accounts."""
        demo = self.demo_users
        taken = set(
            User.objects.filter(username__startswith=texts.DEMO_STAFF_PREFIX).values_list("username", flat=True)
        )
        first_cadre: dict[int, str] = {}
        for cadre, info in zip(self.cadres, self.cadre_info, strict=True):
            if cadre.status == CadreStatus.ACTIVE:
                first_cadre.setdefault(info.department, cadre.name)
        self.case_staff: dict[int, User] = {}
        self.new_staff: list[User] = []
        password = make_password(None)  # no sign-in: these accounts only name who acted

        def account(username: str, index: int, **scope) -> User:
            if username in taken:
                raise SeedError(f"demo account name {username} already in use (run with --reset to replace)")
            unit = self.departments[index]
            name = f"{first_cadre.get(index, '')}（{unit.short_name or unit.name}）"
            user = User(username=username, password=password, first_name=name[:150], **scope)
            self.new_staff.append(user)
            return user

        for township in self.townships:
            index = self.township_department[township.code]
            if township.code == self.demo_township.code:
                self.case_staff[index] = demo["township"]
            else:
                username = texts.TOWNSHIP_USERNAME.format(code=township.code)
                self.case_staff[index] = account(username, index, role=Role.TOWNSHIP, division=township)
        education = self.by_short_name[names.DEMO_DEPARTMENT_SHORT_NAME]
        self.case_staff[education] = demo["department"]
        for short_name, username in texts.UNIT_USERNAMES.items():
            index = self.by_short_name[short_name]
            if index not in self.case_staff:
                self.case_staff[index] = account(
                    username, index, role=Role.DEPARTMENT, department=self._unit(short_name)
                )
        self.staff_by_unit = {id(self.departments[i]): user for i, user in self.case_staff.items()}

    def _staff_of(self, unit: Department) -> User:
        return self.staff_by_unit.get(id(unit), self.demo_users["office"])

    def _make_routing(self) -> None:
        existing = set(RoutingRule.objects.values_list("category_id", "township_id"))
        self.routes: dict[tuple[str, str | None], tuple[Department, list[Department], bool]] = {}
        self.routing_rules: list[tuple[RoutingRule, list[Department]]] = []
        township_codes = {t.code for t in self.townships}
        rows = [(None, *row) for row in texts.ROUTING] + [
            row for row in texts.TOWNSHIP_ROUTING if row[0] in township_codes
        ]
        for township, category, lead, co, with_township in rows:
            if category not in self.case_categories:
                continue
            unit, co_units = self._unit(lead), [self._unit(name) for name in co]
            self.routes[(category, township)] = (unit, co_units, with_township)
            if (category, township) not in existing:  # a rule of the county's own is kept as it is
                rule = RoutingRule(category_id=category, township_id=township, unit=unit, with_township=with_township)
                self.routing_rules.append((rule, co_units))

    def _route(self, category: str, township: str) -> tuple[Department, list[Department]]:
        """``grievances.services.routing.route_for`` over the demo's own table."""
        government = self.departments[self.township_department[township]]
        found = self.routes.get((category, township)) or self.routes.get((category, None))
        if found is None:
            return government, []
        unit, co_units, with_township = found
        co = [u for u in co_units if u is not unit]
        if with_township and government is not unit and government not in co:
            co.append(government)
        return unit, co

    # -- who and where -----------------------------------------------------------------------------------------

    def _index_households(self) -> None:
        self.active_households = [i for i in range(len(self.households)) if i not in self.moved]
        self.households_by_village: dict[str, list[int]] = defaultdict(list)
        self.households_by_township: dict[str, list[int]] = defaultdict(list)
        for i in self.active_households:
            village = self.household_village[i]
            self.households_by_village[village.division.code].append(i)
            self.households_by_township[village.township.code].append(i)
        demo_cadre = self.cadres[self.demo_cadre]
        self.paired_cadre = {
            row.household.id: row.cadre for row in self.pairing_rows if row.end_date is None and row.is_primary
        }
        self.demo_cadre_homes = [
            i for i in self.active_households if self.paired_cadre.get(self.households[i].id) is demo_cadre
        ]

    def _moment(self, days_ago: int, hour: int | None = None) -> dt.datetime:
        minutes = hour * 60 if hour is not None else self.rng.randint(8 * 60 + 30, 17 * 60 + 30)
        return local(self.case_today - dt.timedelta(days=days_ago), dt.time(minutes // 60, minutes % 60))

    def _random_plan(
        self,
        kind: str,
        created: dt.datetime,
        *,
        home: int | None = None,
        township: str | None = None,
        category: str | None = None,
        source: str | None = None,
        village_level: bool | None = None,
    ) -> CasePlan:
        rng = self.rng
        if home is None:
            pool = self.households_by_township.get(township or "", []) or self.active_households
            home = pool[rng.randrange(len(pool))]
        household = self.households[home]
        village = self.household_village[home]
        if village_level is None:
            village_level = rng.random() < VILLAGE_LEVEL_SHARE[kind]
        source = source or SOURCES[kind].pick(rng)
        category, title, description = self._what(kind, category, household, village, village_level)
        submitter, handler = self._who(source, household, village, village_level)
        cadre_home = not village_level and self.paired_cadre.get(household.id) is self.cadres[self.demo_cadre]
        case = Case(
            id=self._uuid(),
            kind=kind,
            category_id=category,
            source=source,
            household=None if village_level else household,
            village=village.division,
            title=title[:100],
            description=description,
            priority=PRIORITIES.pick(rng),
            reported_by=submitter,
            reporter_cadre=self.cadres[self.demo_cadre] if submitter is self.demo_users["cadre"] else None,
            created_at=created,
        )
        if kind == CaseKind.DISPUTE:
            lead = self.departments[self.township_department[village.township.code]]
            co, reason = [self._unit(texts.DISPUTE_CO_UNIT)], texts.DISPUTE_ASSIGN_REASON
        else:
            (lead, co), reason = self._route(category, village.township.code), ""
        plan = CasePlan(
            case=case,
            submitter=submitter,
            handler=handler,
            confirmer=self.demo_users["cadre"] if cadre_home else handler,
            lead=lead,
            co_units=co,
            assign_reason=reason,
            satisfaction="satisfied" if rng.random() < 0.8 else "basically_satisfied",
            delays=dict(PRIORITY_DELAYS.get(case.priority, {})),
        )
        self._fate(plan, kind)
        if kind == CaseKind.DISPUTE:
            self._dispute(plan, home)
        else:
            answers = texts.SUGGESTION_ANSWERS if kind == CaseKind.SUGGESTION else texts.RESOLUTIONS[category]
            plan.resolution = rng.choice(answers)
        return plan

    def _what(self, kind, category, household, village, village_level) -> tuple[str, str, str]:
        rng = self.rng
        who = f"{village.short_name}群众" if village_level else f"{village.short_name}{household.head_name}"
        if kind == CaseKind.SUGGESTION:
            choices = [s for s in texts.SUGGESTIONS if category is None or s[1] == category]
            text, category = rng.choice(choices or texts.SUGGESTIONS)
            return self._category(category), text, f"{who}提出：{text}。"
        if kind == CaseKind.DISPUTE:
            title, category, text = rng.choice(texts.DISPUTES)
            return self._category(category), title, f"{who}反映：{text}"
        category = category or PROBLEM_CATEGORIES.pick(rng)
        title, text = rng.choice(texts.PROBLEMS[category])
        return self._category(category), title, f"{who}反映：{text}"

    def _category(self, code: str) -> str:
        return code if code in self.case_categories else "other"

    def _who(self, source, household, village, village_level) -> tuple[User, User]:
        """Who submits and who handles: the cadre's account for its own households' visits, the county office
        for half the hotline calls, else the township's staff."""
        township_staff = self.case_staff[self.township_department[village.township.code]]
        demo_cadre = self.cadres[self.demo_cadre]
        if source == "visit" and not village_level and self.paired_cadre.get(household.id) is demo_cadre:
            return self.demo_users["cadre"], township_staff
        if source == "hotline" and self.rng.random() < 0.5:
            return self.demo_users["office"], self.demo_users["office"]
        return township_staff, township_staff

    def _fate(self, plan: CasePlan, kind: str) -> None:
        rng = self.rng
        duplicate, rejected, referred, escalated, late, reopened, stuck = FATES[kind]
        r = rng.random()
        if r < duplicate:
            plan.fate = "duplicate"
        elif r < duplicate + rejected:
            plan.fate = "reject"
            rejections = texts.SUGGESTION_REJECTIONS if kind == CaseKind.SUGGESTION else texts.REJECTIONS
            plan.reject_note = rng.choice(rejections)
        refer = texts.REFERRALS.get(plan.case.category_id)
        if refer and rng.random() < referred and self._unit(refer[0]) is not plan.lead:
            plan.refer_to = (self._unit(refer[0]), refer[1])
        plan.escalate = rng.random() < escalated
        if rng.random() < late:
            plan.late = rng.randint(12, 45) if rng.random() < LONG_LATE_SHARE else rng.randint(1, 8)
        plan.reopen = rng.random() < reopened
        if rng.random() < stuck:
            plan.stop = "start"

    def _dispute(self, plan: CasePlan, home: int) -> None:
        rng, case = self.rng, plan.case
        household = self.households[home]
        village = self.household_village[home]
        neighbours = [i for i in self.households_by_village[village.division.code] if i != home]
        parties = [
            DisputeParty(
                case=case,
                name=household.head_name,
                role=PartyRole.APPLICANT,
                household=household,
                phone=household.phone,
            )
        ]
        if neighbours and rng.random() < 0.85:
            other = self.households[rng.choice(neighbours)]
            parties.append(
                DisputeParty(
                    case=case, name=other.head_name, role=PartyRole.RESPONDENT, household=other, phone=other.phone
                )
            )
        else:
            parties.append(
                DisputeParty(case=case, name=rng.choice(texts.RESPONDENT_WITHOUT_HOUSEHOLD), role=PartyRole.RESPONDENT)
            )
        if rng.random() < 0.15:
            parties.append(
                DisputeParty(case=case, name=f"{village.short_name}村民委员会", role=PartyRole.OTHER, note="见证方")
            )
        plan.parties = parties
        plan.outcome = OUTCOMES.pick(rng)
        sessions = rng.randint(1, 3)
        results = [rng.choice(["adjourned", "no_agreement", "partial"]) for _ in range(sessions - 1)]
        results.append("agreement" if plan.outcome in ("agreement", "withdrawn") else "no_agreement")
        plan.mediations = [Mediation((1, 6), result) for result in results]
        plan.mediators = f"{village.township.name}人民调解委员会、{village.short_name}调解员"
        plan.resolution = texts.DISPUTE_RESOLUTIONS[plan.outcome]

    # -- numbering -------------------------------------------------------------------------------------------------

    def _choose_originals(self, plans: list[CasePlan]) -> None:
        """A duplicate repeats an earlier case of its township and category (else it is rejected)."""
        latest: dict[tuple[str, str], Case] = {}
        for plan in plans:
            case = plan.case
            key = (case.village.code[:9], case.category_id)
            if plan.fate == "duplicate" and plan.duplicate_of is None:
                plan.duplicate_of = latest.get(key)
                if plan.duplicate_of is None:
                    plan.fate, plan.reject_note = "reject", self.rng.choice(texts.REJECTIONS)
            if plan.fate != "duplicate":
                latest[key] = case

    def _number(self, plans: list[CasePlan]) -> None:
        """References in order of submission, continuing the county's series (``CaseSequence``) for each year."""
        county = self.county.code
        prefix = county_prefix(county)
        self.case_sequences = dict(CaseSequence.objects.filter(county=county).values_list("year", "last"))
        self.case_sequences_existing = set(self.case_sequences)
        for plan in plans:
            year = timezone.localtime(plan.case.created_at).year
            self.case_sequences[year] = self.case_sequences.get(year, 0) + 1
            plan.case.reference = f"{prefix}-{year}-{self.case_sequences[year]:06d}"

    # -- writing -------------------------------------------------------------------------------------------------

    def _write_cases(self) -> None:
        User.objects.bulk_create(self.new_staff)
        RoutingRule.objects.bulk_create([rule for rule, _co in self.routing_rules])
        through = RoutingRule.co_units.through
        through.objects.bulk_create(
            [through(routingrule=rule, department=unit) for rule, co in self.routing_rules for unit in co]
        )
        lives = self.case_lives
        insert_rows(Case, [life.case for life in lives])
        county = self.county.code
        for year, last in self.case_sequences.items():
            if year in self.case_sequences_existing:
                CaseSequence.objects.filter(county=county, year=year).update(last=last)
            else:
                CaseSequence.objects.create(county=county, year=year, last=last)
        insert_rows(CaseUnit, [part for life in lives for part in life.parts])
        insert_rows(CaseEvent, [event for life in lives for event in life.events])
        insert_rows(Notification, [row for life in lives for row in life.notifications])
        insert_rows(AccountabilityRecord, [row for life in lives for row in life.records])
        insert_rows(DisputeParty, [party for life in lives for party in getattr(life.plan, "parties", [])])
        insert_rows(MediationSession, [row for life in lives for row in life.mediations])

    def _case_counts(self) -> dict[str, int]:
        cases = [life.case for life in self.case_lives]
        counts = {f"cases_{status}": sum(1 for c in cases if c.status == status) for status in CaseStatus.values}
        counts["cases"] = len(cases)
        counts["cases_overdue"] = sum(
            1 for c in cases if c.status in ("assigned", "in_progress") and c.deadline < self.case_today
        )
        counts["supervision_notices"] = sum(
            1 for life in self.case_lives for r in life.records if r.kind == "supervision"
        )
        counts["penalties"] = sum(1 for life in self.case_lives for r in life.records if r.kind == "penalty")
        counts["routing_rules"] = len(self.routing_rules)
        return counts
