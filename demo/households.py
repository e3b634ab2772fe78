"""Households of the demo county: members with valid ID numbers, occupations, health, categories, income
sources, and what the household tells its cadre (difficulties, aspirations, special problems, risk)."""

import math

from households.models import Household, HouseholdCategory, HouseholdStatus, IncomeSource, Member, RiskLevel

from . import names
from .bulk import insert_rows
from .people import HOUSEHOLD_SIZES, Person
from .plan import AS_OF, DEMO_TOWNSHIP_SUFFIX, SEAT_TOWNSHIP_SUFFIX, VillagePlan
from .sampling import Weighted, weighted_sample

CATEGORY_SHARES = {"five_guarantee": 0.01, "low_income": 0.08, "relapse_monitored": 0.03, "military_family": 0.006}
MOVED_SHARE = 0.005

_URBAN_WORK = Weighted({"local": 40, "self_employed": 28, "farming": 12, "unemployed": 12, "migrant": 8})
_RURAL_WORK = Weighted({"farming": 68, "local": 12, "self_employed": 9, "unemployed": 7, "migrant": 4})
_EDUCATION_BY_COHORT = [
    (1960, Weighted({"none": 42, "primary": 40, "junior": 13, "senior": 4, "college": 1})),
    (1980, Weighted({"none": 14, "primary": 38, "junior": 32, "senior": 11, "college": 5})),
    (1996, Weighted({"none": 4, "primary": 18, "junior": 40, "senior": 22, "college": 16})),
    (10_000, Weighted({"primary": 4, "junior": 28, "senior": 36, "college": 32})),
]
_RISK = {
    "monitored": Weighted({"low": 40, "medium": 42, "high": 18}),
    "needy": Weighted({"none": 40, "low": 45, "medium": 12, "high": 3}),
    "ordinary": Weighted({"none": 80, "low": 16, "medium": 3, "high": 1}),
}
_INCOME_SOURCE_COUNT = Weighted({1: 25, 2: 45, 3: 30})


class HouseholdsMixin:
    """Builds ``households``, ``members``, ``income_sources`` and the set ``moved`` from the planned villages."""

    def _make_households(self) -> None:
        self.households: list[Household] = []
        self.household_village: list[VillagePlan] = []
        self.members: list[Member] = []
        facts = []
        for village in self.villages:
            groups = max(1, math.ceil(village.households / 45))
            per_group = math.ceil(village.households / groups) if village.households else 1
            mix = self.mixes[village.township.code]
            for index in range(village.households):
                group, house = divmod(index, per_group)
                household = Household(
                    id=self._uuid(),
                    village=village.division,
                    number=f"{index + 1:04d}",
                    address=f"{village.short_name}{group + 1}组{house + 1}号",
                )
                family = self.families.family(HOUSEHOLD_SIZES.pick(self.rng), mix.pick(self.rng), mix)
                members = [self._member(household, person, village) for person in family]
                household.head_name = members[0].name
                household.phone = members[0].phone
                self.households.append(household)
                self.household_village.append(village)
                self.members.extend(members)
                facts.append(self._facts(family, members, village))
        self._categorise(facts)
        self.household_categories: list[list[str]] = [fact["categories"] for fact in facts]
        self.income_sources: list[IncomeSource] = []
        for household, village, fact in zip(self.households, self.household_village, facts, strict=True):
            self._income(household, village, fact)
            self._needs(household, fact)
        self._mark_moved()

    def _member(self, household: Household, person: Person, village: VillagePlan) -> Member:
        rng, people = self.rng, self.people
        birth = people.birth_date(person.age)
        employment, education = self._occupation(person, village)
        health, note = self._health(person.age)
        adult = person.age >= 18
        member = Member(
            id=self._uuid(),
            household=household,
            name=people.name(surname=person.surname, ethnicity=person.ethnicity, sex=person.sex, birth_year=birth.year),
            relation=person.relation,
            sex=person.sex,
            birth_date=birth,
            ethnicity=person.ethnicity,
            education=education,
            health=health,
            health_note=note,
            employment=employment,
            phone=people.mobile()
            if person.relation == "head" or (adult and person.age <= 65 and rng.random() < 0.55)
            else "",
            is_party_member=adult and rng.random() < (0.1 if person.relation == "head" and person.age >= 35 else 0.05),
        )
        member.set_id_number(people.id_number(birth, person.sex))
        person.extra = {"employment": employment, "health": health}
        return member

    def _occupation(self, person: Person, village: VillagePlan) -> tuple[str, str]:
        """(employment, education) plausible for the age, the generation and the place."""
        rng, age = self.rng, person.age
        urban = village.is_community and village.township.code[6:9] in (SEAT_TOWNSHIP_SUFFIX, DEMO_TOWNSHIP_SUFFIX)
        if age < 3:
            return "child", ""
        if age < 6:
            return "child", "preschool"
        if age < 16:
            return "student", "primary" if age < 12 else "junior"
        birth_year = AS_OF.year - age
        if age < 19 and rng.random() < 0.75:
            return "student", "senior"
        if 19 <= age < 23 and rng.random() < 0.3:
            return "student", "college"
        education = self._adult_education(birth_year)
        if age >= 70:
            return "retired", education
        if age >= 60:
            return ("retired" if urban or rng.random() < 0.55 else "farming"), education
        migrant_share = 0.12 if urban else (0.42 if person.relation in ("child", "child_in_law") else 0.2)
        if age <= 55 and rng.random() < migrant_share:
            return "migrant", education
        return (_URBAN_WORK if urban else _RURAL_WORK).pick(rng), education

    def _adult_education(self, birth_year: int) -> str:
        for before, table in _EDUCATION_BY_COHORT:
            if birth_year < before:
                return table.pick(self.rng)
        raise AssertionError("unreachable: the last cohort is open-ended")

    def _health(self, age: int) -> tuple[str, str]:
        rng = self.rng
        roll = rng.random()
        disabled = 0.004 + 0.0003 * age
        serious = disabled + 0.002 + 0.00015 * age
        chronic = serious + (0.01 if age < 18 else 0.05 if age < 45 else 0.16 if age < 60 else 0.36)
        if roll < disabled:
            return "disabled", rng.choice(names.DISABLED_NOTES)
        if roll < serious:
            return "serious", rng.choice(names.SERIOUS_NOTES)
        if roll < chronic:
            return "chronic", rng.choice(names.CHRONIC_NOTES)
        return "healthy", ""

    def _facts(self, family: list[Person], members: list[Member], village: VillagePlan) -> dict:
        ages = [p.age for p in family]
        employment = [p.extra["employment"] for p in family]
        health = [p.extra["health"] for p in family]
        at_home_working_age = any(
            18 <= a < 60 and e != "migrant" and e != "student" for a, e in zip(ages, employment, strict=True)
        )
        has_migrant = "migrant" in employment
        elderly = any(a >= 60 for a in ages)
        young = any(a < 16 for a in ages)
        return {
            "size": len(family),
            "head_age": family[0].age,
            "ages": ages,
            "employment": employment,
            "disabled": "disabled" in health,
            "serious": "serious" in health,
            "chronic": health.count("chronic"),
            "migrants": employment.count("migrant"),
            "elderly_count": sum(a >= 60 for a in ages),
            "left_behind_children": young and not at_home_working_age and elderly,
            "left_behind_elderly": elderly and not at_home_working_age and (has_migrant or self.rng.random() < 0.35),
            "young_men": any(18 <= a <= 30 and p.sex == "male" for a, p in zip(ages, family, strict=True)),
            "no_earner": not at_home_working_age and not has_migrant,
            "village": village,
            "categories": [],
        }

    def _categorise(self, facts: list[dict]) -> None:
        rng, n = self.rng, len(facts)
        self.categories = {c.code: c for c in HouseholdCategory.objects.all()}
        chosen: dict[str, set[int]] = {}
        weights = [
            0.02 + 6 * (f["head_age"] >= 60 and f["size"] <= 3 and f["no_earner"]) + 2 * f["disabled"] for f in facts
        ]
        chosen["five_guarantee"] = set(weighted_sample(rng, weights, round(n * CATEGORY_SHARES["five_guarantee"])))
        weights = [
            0.0
            if i in chosen["five_guarantee"]
            else 1 + 3 * f["disabled"] + 3 * f["serious"] + f["chronic"] + 1.5 * f["no_earner"]
            for i, f in enumerate(facts)
        ]
        chosen["low_income"] = set(weighted_sample(rng, weights, round(n * CATEGORY_SHARES["low_income"])))
        weights = [
            (0.0 if i in chosen["five_guarantee"] else 0.4 if i in chosen["low_income"] else 1.0)
            * (1 + 2 * f["serious"] + 1.5 * f["disabled"] + f["left_behind_elderly"])
            for i, f in enumerate(facts)
        ]
        chosen["relapse_monitored"] = set(
            weighted_sample(rng, weights, round(n * CATEGORY_SHARES["relapse_monitored"]))
        )
        weights = [1 + 2 * f["young_men"] for f in facts]
        chosen["military_family"] = set(weighted_sample(rng, weights, round(n * CATEGORY_SHARES["military_family"])))
        for i, fact in enumerate(facts):
            codes = [code for code, indices in chosen.items() if i in indices]
            codes += [code for code in ("left_behind_elderly", "left_behind_children") if fact[code]]
            if fact["disabled"]:
                codes.append("disabled_member")
            fact["categories"] = [code for code in codes if code in self.categories]

    def _income(self, household: Household, village: VillagePlan, fact: dict) -> None:
        rng = self.rng
        township = village.township.code
        pastoral = township in names.PASTORAL_TOWNSHIPS and not village.is_community
        employment = fact["employment"]
        candidates = {}
        if not village.is_community:
            candidates["farming"] = 3 if "farming" in employment else 1
        if pastoral or (not village.is_community and rng.random() < 0.15):
            candidates["herding"] = 5 if pastoral else 1
        if fact["migrants"]:
            candidates["migrant_work"] = 6
        if "local" in employment:
            candidates["wages"] = 5
        if "self_employed" in employment:
            candidates["business"] = 5
        elif township in names.TOWN_TOWNSHIPS:
            candidates["business"] = 1
        if fact["elderly_count"]:
            candidates["pensions"] = 3
        categories = fact["categories"]
        needy = {"low_income", "five_guarantee", "disabled_member"} & set(categories)
        candidates["subsidies"] = 6 if needy else 0.6
        count = min(len(candidates), _INCOME_SOURCE_COUNT.pick(rng))
        picked = weighted_sample(rng, list(candidates.values()), count)
        kinds = [list(candidates)[i] for i in picked]
        if needy and "subsidies" not in kinds:
            kinds[-1] = "subsidies"
        for kind in kinds:
            amount = self._income_amount(kind, fact)
            note = rng.choice(names.INCOME_NOTES[kind])
            self.income_sources.append(
                IncomeSource(household=household, year=AS_OF.year, kind=kind, annual_amount=amount, note=note)
            )

    def _income_amount(self, kind: str, fact: dict) -> int:
        rng = self.rng
        ranges = {
            "farming": (2_500, 18_000),
            "herding": (8_000, 60_000),
            "wages": (18_000, 55_000),
            "business": (20_000, 120_000),
            "subsidies": (1_500, 12_000),
        }
        if kind == "migrant_work":
            amount = sum(rng.randint(18_000, 60_000) for _ in range(max(1, fact["migrants"])))
        elif kind == "pensions":
            amount = sum(rng.randint(1_600, 3_200) for _ in range(max(1, fact["elderly_count"])))
        else:
            amount = rng.randint(*ranges[kind])
        return round(amount, -2)

    def _needs(self, household: Household, fact: dict) -> None:
        """Difficulties, aspirations, special problems and the risk level the cadre would record."""
        rng = self.rng
        categories = set(fact["categories"])
        needy = bool(categories & {"low_income", "relapse_monitored", "five_guarantee"})
        themes = []
        if fact["serious"] or fact["chronic"]:
            themes.append("illness")
        if fact["disabled"]:
            themes.append("disabled")
        if fact["left_behind_elderly"]:
            themes.append("elderly")
        if any(6 <= a <= 18 for a in fact["ages"]):
            themes.append("children")
        township = fact["village"].township.code
        themes.append("herding" if township in names.PASTORAL_TOWNSHIPS else "farming")
        themes += ["housing", "infrastructure"]
        if needy or fact["no_earner"]:
            themes.append("income")
        if rng.random() < (0.9 if needy else 0.35):
            picked = rng.sample(themes, min(len(themes), rng.choice((1, 1, 2))))
            household.difficulties = "；".join(rng.choice(names.DIFFICULTIES[theme]) for theme in picked)
        if rng.random() < 0.5:
            household.aspirations = "；".join(rng.sample(names.ASPIRATIONS, rng.choice((1, 1, 2))))
        if rng.random() < (0.25 if "relapse_monitored" in categories else 0.03):
            household.special_problems = rng.choice(names.SPECIAL_PROBLEMS)
        table = "monitored" if "relapse_monitored" in categories else "needy" if needy else "ordinary"
        household.risk_level = _RISK[table].pick(rng)

    def _mark_moved(self) -> None:
        """About one household in two hundred has moved away since the first round of pairing."""
        rng = self.rng
        count = round(len(self.households) * MOVED_SHARE)
        demo_township = self.demo_township.code
        candidates = [i for i, v in enumerate(self.household_village) if v.township.code != demo_township]
        self.moved = set(rng.sample(candidates, min(count, len(candidates))))
        for i in sorted(self.moved):
            self.households[i].status = HouseholdStatus.MOVED
            self.households[i].risk_level = RiskLevel.NONE

    def _write_households(self) -> None:
        insert_rows(Household, self.households)
        insert_rows(Member, self.members)
        insert_rows(IncomeSource, self.income_sources)
        through = Household.categories.through
        rows = [
            through(household_id=household.id, householdcategory_id=self.categories[code].pk)
            for household, codes in zip(self.households, self.household_categories, strict=True)
            for code in codes
        ]
        self.category_rows = insert_rows(through, rows)
