"""The organisation of the demo county: departments, cadres of every rank, key villages and demo accounts."""

from collections import defaultdict

from django.contrib.auth.hashers import make_password

from accounts.models import Role, User
from cadres.models import Cadre, CadreStatus, Department, DepartmentKind, DepartmentLevel, Rank
from divisions.models import Division, KeyVillageCategory, KeyVillageDesignation

from . import names
from .bulk import BATCH_SIZE, insert_rows
from .plan import AS_OF, DEMO_USERNAMES, KEY_VILLAGE_YEAR, SEAT_TOWNSHIP_SUFFIX, CadrePlan, SeedError
from .sampling import Weighted, apportion, weighted_sample
from .two_factor import demo_devices_ensure

FULL_LEADERS = 20
MIN_LEADERS = 9  # 17 townships, at most two per leader
FULL_KEY_VILLAGES = 58
FULL_OFFICIALS = 168
INACTIVE_SHARE = 0.015
TOWNSHIP_STAFF_SHARE = 0.25


class OrganisationMixin:
    """Builds ``departments``, ``cadres`` (with ``cadre_info``), ``key_villages`` and the demo accounts."""

    def _make_departments(self) -> None:
        county = self.county
        self.departments: list[Department] = []
        self.county_departments: list[int] = []
        self.department_weight: list[int] = []
        self.by_short_name: dict[str, int] = {}
        for name, short, kind, weight in names.COUNTY_DEPARTMENTS:
            self.by_short_name[short] = len(self.departments)
            self.county_departments.append(len(self.departments))
            self.department_weight.append(weight)
            self.departments.append(
                Department(
                    name=name.format(county=county.name),
                    short_name=short,
                    level=DepartmentLevel.COUNTY,
                    kind=kind,
                    division=county,
                )
            )
        self.township_department: dict[str, int] = {}
        for township in self.townships:
            self.township_department[township.code] = len(self.departments)
            self.departments.append(
                Department(
                    name=f"{township.name}党委政府",
                    short_name=township.name,
                    level=DepartmentLevel.TOWNSHIP,
                    kind=DepartmentKind.TOWNSHIP,
                    division=township,
                )
            )
        self.upper_departments: dict[str, list[int]] = defaultdict(list)
        for name, short, kind, level in names.UPPER_DEPARTMENTS:
            division = self.uppers.get(level)
            if division is not None:
                self.upper_departments[level].append(len(self.departments))
                self.departments.append(
                    Department(name=name, short_name=short, level=level, kind=kind, division=division)
                )

    def _new_cadre(
        self,
        info: CadrePlan,
        *,
        rank: str,
        title: str,
        department: int,
        division: Division | None,
        mix: Weighted,
        ages: tuple[int, int],
        male_share: float,
        party_share: float,
    ) -> int:
        rng = self.rng
        sex = "male" if rng.random() < male_share else "female"
        ethnicity = mix.pick(rng)
        birth_year = AS_OF.year - rng.randint(*ages)
        surname = self.people.family_surname(ethnicity)
        self.cadres.append(
            Cadre(
                name=self.people.name(surname=surname, ethnicity=ethnicity, sex=sex, birth_year=birth_year),
                sex=sex,
                ethnicity=ethnicity,
                rank=rank,
                title=title[:60],
                department=self.departments[department],
                division=division,
                is_party_member=rng.random() < party_share,
                phone=self.people.mobile(),
            )
        )
        info.department = department
        self.cadre_info.append(info)
        return len(self.cadres) - 1

    def _make_cadres(self) -> None:
        rng, scale, options = self.rng, self.scale, self.options
        self.cadres: list[Cadre] = []
        self.cadre_info: list[CadrePlan] = []
        county_mix = Weighted(names.ETHNIC_MIX_COUNTY_CADRES)

        # Counts first, so that every group fits into the number of cadres asked for.
        leaders = min(len(names.COUNTY_LEADER_POSTS) - 1, max(MIN_LEADERS, round(FULL_LEADERS * scale)))
        self.key_village_count = min(
            max(3, round(FULL_KEY_VILLAGES * scale)), len([v for v in self.villages if not v.is_community])
        )
        officials = min(4 * self.key_village_count, max(2 * self.key_village_count, round(FULL_OFFICIALS * scale)))
        upper_counts = {"province": round(officials * 0.15), "prefecture": round(officials * 0.30)}
        for level in upper_counts:
            if not self.upper_departments.get(level):
                upper_counts[level] = 0
        village_targets = [rng.randint(4, 8) for _ in self.villages]
        if scale < 1:
            village_counts = apportion(round(sum(village_targets) * scale), village_targets)
        else:
            village_counts = village_targets
        demo_index = self.villages.index(self.demo_village)
        if village_counts[demo_index] == 0:
            donor = max(range(len(village_counts)), key=lambda i: (village_counts[i], -i))
            village_counts[donor] -= 1
            village_counts[demo_index] = 1
        township_total = round(options.cadres * TOWNSHIP_STAFF_SHARE)
        township_households = [sum(v.households for v in self.township_villages[t.code]) for t in self.townships]
        township_counts = apportion(
            township_total,
            [0.5 / len(self.townships) + 0.5 * h / max(1, options.households) for h in township_households],
        )
        county_total = (
            options.cadres - (leaders + 1) - sum(upper_counts.values()) - sum(village_counts) - township_total
        )
        county_officials = officials - sum(upper_counts.values())
        self.inactive_count = max(2, round(options.cadres * INACTIVE_SHARE))
        if county_total < county_officials + self.inactive_count + 10:
            raise SeedError(f"{options.cadres} cadres are too few for the county's departments, townships and villages")

        # County leaders, with one former leader transferred away (for the ledger's history).
        for post, office in names.COUNTY_LEADER_POSTS[:leaders] + [("原副县长", "government")]:
            department = self.by_short_name[names.LEADER_OFFICES[office]]
            self._new_cadre(
                CadrePlan("leader"),
                rank=Rank.COUNTY_LEADER,
                title=post,
                department=department,
                division=self.county,
                mix=county_mix,
                ages=(42, 57),
                male_share=0.85,
                party_share=1.0 if office != "cppcc" else 0.7,
            )
        self.former_leader = len(self.cadres) - 1
        self.cadres[self.former_leader].status = CadreStatus.TRANSFERRED

        # County department staff: the first few of each department are section level.
        staff = apportion(county_total, self.department_weight)
        for department, count in zip(self.county_departments, staff, strict=True):
            kind = self.departments[department].kind
            section = min(count, max(1, round(count * 0.1)))
            for j in range(count):
                if j < section:
                    posts = names.SECTION_POSTS[kind]
                    rank, title = Rank.SECTION_LEVEL, posts[0] if j == 0 else rng.choice(posts[1:])
                else:
                    rank, title = Rank.ORDINARY, rng.choice(names.ORDINARY_POSTS[kind])
                self._new_cadre(
                    CadrePlan("county"),
                    rank=rank,
                    title=title,
                    department=department,
                    division=self.county,
                    mix=county_mix,
                    ages=(35, 58) if rank == Rank.SECTION_LEVEL else (22, 58),
                    male_share=0.65,
                    party_share=0.95 if rank == Rank.SECTION_LEVEL else 0.68,
                )

        # Township staff: Party secretary, head, deputies, committee members, then the service centres.
        for township, count in zip(self.townships, township_counts, strict=True):
            head = "镇" if township.name.endswith("镇") else "乡"
            section = min(count, len(names.TOWNSHIP_SECTION_POSTS), max(1, round(count * 0.2)))
            for j in range(count):
                if j < section:
                    rank, title = Rank.SECTION_LEVEL, names.TOWNSHIP_SECTION_POSTS[j].format(head=head)
                else:
                    rank, title = Rank.ORDINARY, rng.choice(names.TOWNSHIP_ORDINARY_POSTS)
                self._new_cadre(
                    CadrePlan("township", township=township.code),
                    rank=rank,
                    title=title,
                    department=self.township_department[township.code],
                    division=township,
                    mix=self.mixes[township.code],
                    ages=(32, 57) if rank == Rank.SECTION_LEVEL else (22, 57),
                    male_share=0.62,
                    party_share=0.95 if rank == Rank.SECTION_LEVEL else 0.66,
                )

        # Village cadres: the secretary (who also chairs the committee) first.
        for village, count in zip(self.villages, village_counts, strict=True):
            posts = names.COMMUNITY_POSTS if village.is_community else names.VILLAGE_POSTS
            for j in range(count):
                title = posts[j] if j < len(posts) else posts[-1]
                village.cadres.append(
                    self._new_cadre(
                        CadrePlan("village", township=village.township.code, village=village.division.code),
                        rank=Rank.VILLAGE_CADRE,
                        title=title,
                        department=self.township_department[village.township.code],
                        division=village.division,
                        mix=self.mixes[village.township.code],
                        ages=(28, 62),
                        male_share=0.1 if "妇联" in title else 0.78,
                        party_share=0.98 if j == 0 else 0.5,
                    )
                )
        self.demo_cadre = self.demo_village.cadres[0]

        # Provincial and prefectural officials, posted to key villages.
        self.upper_officials = []
        for level, count in upper_counts.items():
            departments = self.upper_departments[level]
            for j in range(count):
                rank = Rank.SECTION_LEVEL if rng.random() < 0.55 else Rank.ORDINARY
                department = departments[j % len(departments)]
                self.upper_officials.append(
                    self._new_cadre(
                        CadrePlan("upper"),
                        rank=rank,
                        title=rng.choice(names.UPPER_POSTS[rank]),
                        department=department,
                        division=self.departments[department].division,
                        mix=county_mix,
                        ages=(28, 52),
                        male_share=0.7,
                        party_share=1.0,
                    )
                )
        self.county_official_count = county_officials

        # A few county and township cadres have since been transferred or retired.
        movable = [i for i, info in enumerate(self.cadre_info) if info.group in ("county", "township")]
        self.inactive = rng.sample(movable, self.inactive_count)
        for n, i in enumerate(self.inactive):  # one in three retired, the others transferred
            self.cadres[i].status = CadreStatus.RETIRED if n % 3 == 0 else CadreStatus.TRANSFERRED

    def _make_key_villages(self) -> None:
        rng = self.rng
        rural = [v for v in self.villages if not v.is_community]
        weights = []
        for village in rural:
            suffix = village.township.code[6:9]
            weight = 0.5 if suffix == SEAT_TOWNSHIP_SUFFIX else 1.0
            weights.append(weight * (1.5 if village.township.code in names.PASTORAL_TOWNSHIPS else 1.0))
        self.key_villages = [rural[i] for i in weighted_sample(rng, weights, self.key_village_count)]
        self.designations = []
        for village in self.key_villages:
            categories = [
                category
                for category, share in (
                    (KeyVillageCategory.FORMERLY_POOR, 0.65),
                    (KeyVillageCategory.REVITALISATION_KEY, 0.45),
                    (KeyVillageCategory.WEAK_AND_LAX, 0.18),
                )
                if rng.random() < share
            ] or [rng.choice([KeyVillageCategory.FORMERLY_POOR, KeyVillageCategory.REVITALISATION_KEY])]
            for category in categories:
                note = f"{rng.choice((2017, 2018, 2019))}年退出贫困村序列" if category == "formerly_poor" else ""
                self.designations.append(
                    KeyVillageDesignation(village=village.division, category=category, year=KEY_VILLAGE_YEAR, note=note)
                )

    def _write_organisation(self) -> None:
        Department.objects.bulk_create(self.departments, batch_size=BATCH_SIZE)
        self._make_users()
        Cadre.objects.bulk_create(self.cadres, batch_size=BATCH_SIZE)
        insert_rows(KeyVillageDesignation, self.designations)

    def _make_users(self) -> None:
        taken = sorted(User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True))
        if taken:
            raise SeedError(f"demo account names already in use: {', '.join(taken)} (run with --reset to replace)")
        leader_cadre = self.cadres[0]
        demo_cadre = self.cadres[self.demo_cadre]
        education = self.departments[self.by_short_name[names.DEMO_DEPARTMENT_SHORT_NAME]]
        accounts = {
            "leader": {"role": Role.COUNTY_LEADER, "division": self.county, "first_name": leader_cadre.name},
            "office": {
                "role": Role.COUNTY_OFFICE,
                "division": self.county,
                "is_staff": True,
                "is_superuser": True,
                "first_name": "县群众工作办公室",
            },
            "township": {
                "role": Role.TOWNSHIP,
                "division": self.demo_township,
                "first_name": f"{self.demo_township.name}工作人员",
            },
            "department": {
                "role": Role.DEPARTMENT,
                "department": education,
                "first_name": f"{education.short_name}工作人员",
            },
            "cadre": {"role": Role.CADRE, "first_name": demo_cadre.name},
        }
        # One deliberately slow Argon2 hash serves all five accounts: they share the published demo password.
        password = make_password(self.options.password)
        users = {}
        for username, fields in accounts.items():
            users[username] = User.objects.create_user(username, **fields)
            users[username].password = password
            users[username].save(update_fields=["password"])
        demo_devices_ensure(list(users.values()), seed=self.options.seed)
        self.office = users["office"]
        self.demo_users = users
        leader_cadre.user = users["leader"]
        demo_cadre.user = users["cadre"]
