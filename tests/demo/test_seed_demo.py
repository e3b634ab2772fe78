"""``manage.py seed_demo``: the demo county at a small scale, checked for the rules the real one must keep."""

import hashlib
from collections import Counter
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Exists, OuterRef, Q
from django.test import override_settings

from accounts.models import Role, User
from cadres.models import Cadre, CadreStatus, Department, Rank
from divisions.models import Division, KeyVillageDesignation
from grievances.models import Case, CaseEvent
from households.models import Household, Member
from households.validators import id_number_birth_date, id_number_sex, validate_id_number, validate_phone
from ledgers.models import AssistanceRole, DepartmentSupport, LeaderAssignment, Pairing, VillageAssistance

HOUSEHOLDS = 300
CADRES = 120
DEMO_TOWNSHIP = "513224101"
FORESTRY_BUREAU = "513224401"


def seed(*args: str, **options) -> str:
    out = StringIO()
    options.setdefault("households", HOUSEHOLDS)
    options.setdefault("cadres", CADRES)
    call_command("seed_demo", *args, stdout=out, **options)
    return out.getvalue()


def fingerprint() -> str:
    """A digest of what a seed decides: households, members (with their UUIDs and ID digests), cadres, pairings."""
    digest = hashlib.sha256()
    queries = [
        Household.objects.order_by("village_id", "number").values_list(
            "id", "village_id", "number", "head_name", "phone", "address", "risk_level", "status"
        ),
        Member.objects.order_by("id").values_list("id", "household_id", "name", "id_number_digest", "birth_date"),
        Cadre.objects.order_by("phone").values_list("name", "phone", "rank", "title", "division_id", "status"),
        Pairing.objects.order_by("household_id", "start_date").values_list(
            "household_id", "cadre__phone", "start_date", "end_date", "end_reason"
        ),
        VillageAssistance.objects.order_by("cadre__phone").values_list("cadre__phone", "village_id", "role"),
        Case.objects.order_by("reference").values_list(
            "id", "reference", "kind", "status", "level", "household_id", "deadline", "created_at", "version"
        ),
        CaseEvent.objects.order_by("case__reference", "at", "action").values_list(
            "case__reference", "at", "action", "actor__username", "to_status"
        ),
    ]
    for query in queries:
        for row in query:
            digest.update(repr(row).encode())
    return digest.hexdigest()


def active_primary_pairing():
    return Pairing.objects.active().filter(household=OuterRef("pk"), is_primary=True)


@pytest.fixture(autouse=True)
def default_demo_password(monkeypatch):
    """The Makefile exports DEMO_PASSWORD; these tests expect the documented default unless they set it."""
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


@pytest.fixture
def seeded(songpan_divisions) -> str:
    return seed()


def test_builds_the_county_from_the_real_division_file(seeded):
    townships = Division.objects.filter(parent_id="513224", level="township").exclude(code=FORESTRY_BUREAU)
    assert townships.count() == 17
    assert Household.objects.count() == HOUSEHOLDS
    assert not Household.objects.filter(village__code__startswith=FORESTRY_BUREAU).exists()
    assert Household.objects.values("village_id").distinct().count() > 80  # spread over the real villages
    assert Cadre.objects.count() == CADRES
    sizes = Counter(Member.objects.values_list("household_id", flat=True))
    assert len(sizes) == HOUSEHOLDS and min(sizes.values()) >= 2 and max(sizes.values()) <= 7
    heads = Member.objects.filter(relation="head")
    assert heads.count() == HOUSEHOLDS
    assert all(h.household.head_name == h.name for h in heads.select_related("household")[:50])
    assert all(len(number) == 4 and number.isdigit() for number in Household.objects.values_list("number", flat=True))
    assert "Seeded demo county 松潘县 (513224)" in seeded and "leader, office, township, department, cadre" in seeded


def test_departments_at_every_level(seeded):
    levels = Counter(Department.objects.values_list("level", flat=True))
    assert levels["county"] >= 40 and levels["township"] == 17
    assert levels["province"] and levels["prefecture"]
    assert Department.objects.filter(level="county", division_id="513224", short_name="县教育局").exists()
    for township in Department.objects.filter(level="township"):
        assert township.name == f"{township.division.name}党委政府"


def test_members_carry_valid_unique_id_numbers_matching_birth_date_and_sex(seeded):
    members = list(Member.objects.all())
    for member in members:
        number = member.reveal_id_number()
        assert validate_id_number(number) == number
        assert number.startswith("513224")
        assert id_number_birth_date(number) == member.birth_date
        assert id_number_sex(number) == member.sex
    assert len({m.id_number_digest for m in members}) == len(members)


def test_ages_agree_with_relations(seeded):
    for household in Household.objects.prefetch_related("members")[:150]:
        members = list(household.members.all())
        head = next(m for m in members if m.relation == "head")
        for member in members:
            if member.relation == "child":
                assert member.birth_date.year - head.birth_date.year >= 19
            if member.relation == "parent":
                assert head.birth_date.year - member.birth_date.year >= 19
            if member.relation == "grandchild":
                assert member.birth_date.year - head.birth_date.year >= 38


def test_phones_are_valid_mainland_mobiles(seeded):
    phones = [*Household.objects.values_list("phone", flat=True), *Cadre.objects.values_list("phone", flat=True)]
    assert all(phones)
    for phone in phones:
        assert validate_phone(phone) == phone


def test_every_active_household_is_paired_except_a_few_left_on_purpose(seeded):
    active = Household.objects.filter(status="active")
    unpaired = active.exclude(Exists(active_primary_pairing()))
    assert 5 <= unpaired.count() <= 15
    assert unpaired.values("village_id").distinct().count() >= 2
    demo_cadre = User.objects.get(username="cadre").cadre
    assert not unpaired.filter(village_id=demo_cadre.division_id).exists()
    paired = active.annotate(n=Count("pairings", filter=Q(pairings__end_date__isnull=True, pairings__is_primary=True)))
    assert set(paired.exclude(pk__in=unpaired).values_list("n", flat=True)) == {1}
    assert not Household.objects.exclude(status="active").filter(Exists(active_primary_pairing())).exists()


def test_no_cadre_carries_more_than_its_rank_allows(seeded):
    loads = Cadre.objects.annotate(
        n=Count("pairings", filter=Q(pairings__end_date__isnull=True, pairings__is_primary=True))
    )
    for cadre in loads:
        assert cadre.n <= settings.PAIRING_LIMITS[cadre.rank], (cadre, cadre.n)
    assert loads.filter(rank=Rank.VILLAGE_CADRE, n__gt=0).exists()
    assert loads.filter(rank=Rank.COUNTY_LEADER, n__gt=0).exists()


def test_transferred_and_retired_cadres_have_no_active_rows_but_keep_their_history(seeded):
    inactive = Cadre.objects.exclude(status=CadreStatus.ACTIVE)
    assert inactive.filter(status=CadreStatus.TRANSFERRED).exists() and inactive.filter(status=CadreStatus.RETIRED)
    for model in (Pairing, LeaderAssignment, VillageAssistance):
        assert not model.objects.active().filter(cadre__in=inactive).exists()
    ended = Pairing.objects.ended().filter(cadre__in=inactive)
    assert ended.exists()
    assert set(ended.values_list("end_reason", flat=True)) <= {"干部调动", "干部退休"}
    for pairing in ended[:10]:  # each such household was paired again the day its cadre left
        successor = Pairing.objects.active().get(household=pairing.household)
        assert successor.start_date == pairing.end_date and successor.cadre.status == CadreStatus.ACTIVE


def test_every_township_has_leaders_and_supporting_departments(seeded):
    townships = Division.objects.filter(parent_id="513224", level="township").exclude(code=FORESTRY_BUREAU)
    leaders = Counter(LeaderAssignment.objects.active().values_list("township_id", flat=True))
    supports = Counter(DepartmentSupport.objects.active().values_list("township_id", flat=True))
    for township in townships:
        assert 1 <= leaders[township.code] <= 2
        assert 2 <= supports[township.code] <= 4
    per_leader = Counter(LeaderAssignment.objects.active().values_list("cadre_id", flat=True))
    assert set(per_leader.values()) <= {1, 2}
    active_leaders = Cadre.objects.filter(rank=Rank.COUNTY_LEADER, status=CadreStatus.ACTIVE)
    assert set(per_leader) == set(active_leaders.values_list("pk", flat=True))
    assert set(Cadre.objects.filter(pk__in=per_leader).values_list("rank", flat=True)) == {Rank.COUNTY_LEADER}
    assert not DepartmentSupport.objects.exclude(department__level="county").exists()
    assert LeaderAssignment.objects.ended().exists()


def test_key_villages_have_a_first_secretary_and_a_team(seeded):
    key_villages = set(KeyVillageDesignation.objects.filter(year=2026).values_list("village_id", flat=True))
    assert len(key_villages) >= 3
    assistance = VillageAssistance.objects.active()
    assert set(assistance.values_list("village_id", flat=True)) == key_villages
    secretaries = Counter(assistance.filter(role=AssistanceRole.FIRST_SECRETARY).values_list("village_id", flat=True))
    assert set(secretaries.values()) == {1} and set(secretaries) == key_villages
    assert assistance.count() >= 2 * len(key_villages)
    levels = set(assistance.values_list("cadre__department__level", flat=True))
    assert {"province", "prefecture", "county"} <= levels


EXPECTED_ACCOUNTS = {
    "leader": (Role.COUNTY_LEADER, "513224", None),
    "office": (Role.COUNTY_OFFICE, "513224", None),
    "township": (Role.TOWNSHIP, DEMO_TOWNSHIP, None),
    "department": (Role.DEPARTMENT, None, "县教育局"),
    "cadre": (Role.CADRE, None, None),
}


@pytest.mark.parametrize("username", EXPECTED_ACCOUNTS)
def test_one_demo_account_per_role_with_its_scope(seeded, username):
    role, division, department = EXPECTED_ACCOUNTS[username]
    user = User.objects.get(username=username)
    assert (user.role, user.division_id) == (role, division)
    assert (user.department.short_name if user.department else None) == department
    assert user.check_password("songpan-demo-2026")
    assert user.is_superuser == user.is_staff == (username == "office")


def test_demo_leader_and_cadre_accounts_are_linked_to_cadres(seeded):
    leader = User.objects.get(username="leader").cadre
    assert leader.rank == Rank.COUNTY_LEADER and leader.status == CadreStatus.ACTIVE
    cadre = User.objects.get(username="cadre").cadre
    assert cadre.rank == Rank.VILLAGE_CADRE and cadre.division_id.startswith(DEMO_TOWNSHIP)
    assert cadre.department.division_id == DEMO_TOWNSHIP
    pairings = Pairing.objects.active().filter(cadre=cadre)
    assert pairings.count() == 10
    assert all(v.startswith(DEMO_TOWNSHIP) for v in pairings.values_list("household__village_id", flat=True))


def test_demo_password_comes_from_the_environment(songpan_divisions, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "another-demo-password")
    seed()
    assert User.objects.get(username="office").check_password("another-demo-password")
    assert not User.objects.get(username="office").check_password("songpan-demo-2026")


def test_second_run_changes_nothing_and_says_so(seeded):
    before = fingerprint()
    counts = (User.objects.count(), Pairing.objects.count(), Department.objects.count())
    output = seed()
    assert output.strip() == f"Demo county already seeded: {HOUSEHOLDS} households, {CADRES} cadres — nothing to do."
    assert fingerprint() == before
    assert (User.objects.count(), Pairing.objects.count(), Department.objects.count()) == counts


def test_same_seed_gives_the_same_county(seeded):
    first = fingerprint()
    seed("--reset")
    assert fingerprint() == first
    seed("--reset", seed=7)
    assert fingerprint() != first


def test_reset_also_removes_history_and_rows_that_point_at_demo_data(seeded):
    # Given edits made through the ORM, which write history rows
    household = Household.objects.order_by("village_id", "number").first()
    household.aspirations = "希望修通入户路"
    household.save()
    pairing = Pairing.objects.active().filter(household=household).first() or Pairing.objects.active().first()
    pairing.end_reason = "note"
    pairing.save()
    assert Household.history.filter(id=household.id).exists()
    # When the county is reset
    output = seed("--reset")
    # Then the old rows and their history are gone, and the county is seeded again
    assert "Deleted" in output
    assert not Household.history.filter(id=household.id, aspirations="希望修通入户路").exists()
    assert not Pairing.history.filter(end_reason="note").exists()
    assert Household.objects.count() == HOUSEHOLDS and User.objects.filter(username="office").count() == 1


def test_reset_of_an_empty_database_just_seeds(songpan_divisions):
    output = seed("--reset")
    assert "Deleted 0 demo rows" in output
    assert Household.objects.count() == HOUSEHOLDS


def test_divisions_are_imported_when_the_county_is_missing(db):
    assert not Division.objects.filter(code="513224").exists()
    seed()
    assert Division.objects.filter(code="513224", name="松潘县").exists()
    assert Household.objects.count() == HOUSEHOLDS


@override_settings(PRODUCTION=True)
def test_refused_in_production(songpan_divisions):
    with pytest.raises(CommandError, match="production"):
        seed()
    assert not Household.objects.exists() and not User.objects.exists() and not Cadre.objects.exists()


def test_too_few_cadres_is_refused_and_writes_nothing(songpan_divisions):
    with pytest.raises(CommandError, match="cadres"):
        seed(cadres=10)
    assert not Household.objects.exists() and not Cadre.objects.exists()


def test_more_households_than_the_cadres_may_carry_is_refused(songpan_divisions):
    with pytest.raises(CommandError, match="cannot carry"):
        seed(households=3000, cadres=60)
    assert not Household.objects.exists() and not Cadre.objects.exists() and not User.objects.exists()


def test_existing_demo_account_names_are_not_overwritten(songpan_divisions):
    User.objects.create_user("office", password="someone-elses-password")
    with pytest.raises(CommandError, match="office"):
        seed()
    assert User.objects.get(username="office").check_password("someone-elses-password")
    assert not Household.objects.exists()


def test_proportions_hold_at_a_tenth_of_the_county(songpan_divisions):
    seed(households=1700, cadres=420)
    heads = Counter(Member.objects.filter(relation="head").values_list("ethnicity", flat=True))
    shares = {ethnicity: count / 1700 for ethnicity, count in heads.items()}
    assert 0.38 <= shares["tibetan"] <= 0.52 and 0.23 <= shares["han"] <= 0.37
    assert 0.10 <= shares["qiang"] <= 0.20 and 0.06 <= shares["hui"] <= 0.14
    assert 4.0 <= Member.objects.count() / 1700 <= 4.9
    categories = Counter(Household.categories.through.objects.values_list("householdcategory__code", flat=True))
    assert categories["low_income"] == 136 and categories["relapse_monitored"] == 51
    assert categories["five_guarantee"] == 17
    jinan = Household.objects.filter(village__code__startswith="513224100").count()
    assert jinan / 1700 > 0.15  # the county seat is the largest township
    shili = Member.objects.filter(relation="head", household__village__code__startswith="513224201")
    assert shili.filter(ethnicity="hui").count() > shili.count() / 2
    # ~70 % at full scale; a small county has relatively more department heads, who are nearly all members.
    assert 0.6 <= Cadre.objects.filter(is_party_member=True).count() / 420 <= 0.85
