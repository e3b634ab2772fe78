"""Departments and cadres: creation rules and their errors."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cadres.models import Cadre, CadreStatus, Department, DepartmentKind, DepartmentLevel, Rank
from cadres.services import StaleVersionError, cadre_create, cadre_update, department_create, department_update
from tests.factories import CadreFactory, DepartmentFactory, UserFactory, county, township, village

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor():
    return UserFactory(username="office")


@pytest.fixture
def bureau():
    return DepartmentFactory(name="县农业农村局", division=county(), level=DepartmentLevel.COUNTY)


def messages(error: ValidationError, field: str) -> list[str]:
    with translation.override("en"):
        return error.message_dict[field]


def codes(error: ValidationError, field: str) -> list[str]:
    return [e.code for e in error.error_dict[field]]


# --- departments ---------------------------------------------------------------------------------------------


def test_a_county_bureau_is_created_in_the_county(actor):
    department = department_create(
        actor=actor,
        name=" 县教育局 ",
        short_name="教育局",
        level=DepartmentLevel.COUNTY,
        kind=DepartmentKind.GOVERNMENT,
        division=county(),
    )

    department.refresh_from_db()
    assert (department.name, department.division_id, department.is_active) == ("县教育局", "513224", True)


def test_a_township_government_is_created_in_its_township(actor):
    department = department_create(
        actor=actor,
        name="川主寺镇党委政府",
        level=DepartmentLevel.TOWNSHIP,
        kind=DepartmentKind.TOWNSHIP,
        division=township("513224101"),
    )

    assert department.division_id == "513224101"


def test_a_department_name_already_used_in_the_division_is_refused_and_named(actor, bureau):
    with pytest.raises(ValidationError) as caught:
        department_create(
            actor=actor,
            name="县农业农村局",
            level=DepartmentLevel.COUNTY,
            kind=DepartmentKind.GOVERNMENT,
            division=bureau.division,
        )

    assert codes(caught.value, "name") == ["duplicate_name"]
    assert "县农业农村局" in messages(caught.value, "name")[0]
    assert Department.objects.count() == 1


def test_the_same_department_name_is_fine_in_another_township(actor):
    for code in ("513224101", "513224102"):
        department_create(
            actor=actor,
            name="综合办",
            level=DepartmentLevel.TOWNSHIP,
            kind=DepartmentKind.GOVERNMENT,
            division=township(code),
        )

    assert Department.objects.filter(name="综合办").count() == 2


def test_a_department_whose_level_is_not_its_divisions_is_refused(actor):
    # when a county-level bureau is placed in a township
    with pytest.raises(ValidationError) as caught:
        department_create(
            actor=actor,
            name="县林草局",
            level=DepartmentLevel.COUNTY,
            kind=DepartmentKind.GOVERNMENT,
            division=township(),
        )

    assert codes(caught.value, "division") == ["level_mismatch"]
    assert "county-level department belongs to a county" in messages(caught.value, "division")[0]
    assert not Department.objects.exists()


def test_a_township_government_must_be_township_level(actor):
    with pytest.raises(ValidationError) as caught:
        department_create(
            actor=actor, name="某某政府", level=DepartmentLevel.COUNTY, kind=DepartmentKind.TOWNSHIP, division=county()
        )

    assert codes(caught.value, "kind") == ["kind_mismatch"]


def test_unknown_level_and_kind_are_refused(actor):
    with pytest.raises(ValidationError) as caught:
        department_create(actor=actor, name="某局", level="city", kind="club", division=county())

    assert codes(caught.value, "level") == ["invalid_choice"]
    assert codes(caught.value, "kind") == ["invalid_choice"]


def test_a_department_can_be_renamed_but_not_onto_another_name_in_use(actor, bureau):
    other = DepartmentFactory(name="县水务局", division=bureau.division)

    with pytest.raises(ValidationError) as caught:
        department_update(actor=actor, department=other, name="县农业农村局")
    assert codes(caught.value, "name") == ["duplicate_name"]

    department_update(actor=actor, department=other, name="县水利局")
    other.refresh_from_db()
    assert other.name == "县水利局"


# --- cadres --------------------------------------------------------------------------------------------------


def test_a_cadre_of_a_county_bureau_is_created_with_a_normalised_phone(actor, bureau):
    cadre = cadre_create(
        actor=actor,
        name="王强",
        rank=Rank.ORDINARY,
        sex="male",
        department=bureau,
        phone="+86 139 0000 1111",
        is_party_member=True,
    )

    cadre.refresh_from_db()
    assert (cadre.phone, cadre.status, cadre.version, cadre.is_party_member) == (
        "13900001111",
        CadreStatus.ACTIVE,
        1,
        True,
    )
    assert cadre.history.get().history_user == actor


def test_a_cadre_needs_a_department_or_a_home_division(actor):
    with pytest.raises(ValidationError) as caught:
        cadre_create(actor=actor, name="王强", rank=Rank.ORDINARY, sex="male")

    assert codes(caught.value, "department") == ["no_placement"]
    assert not Cadre.objects.exists()


def test_a_cadre_with_a_bad_phone_is_refused(actor, bureau):
    with pytest.raises(ValidationError) as caught:
        cadre_create(actor=actor, name="王强", rank=Rank.ORDINARY, sex="male", department=bureau, phone="0837-12")

    assert codes(caught.value, "phone") == ["phone"]
    assert "0837-12" in messages(caught.value, "phone")[0]


def test_a_village_cadre_lives_in_a_village(actor):
    # a village cadre placed in a township is refused ...
    with pytest.raises(ValidationError) as caught:
        cadre_create(actor=actor, name="扎西", rank=Rank.VILLAGE_CADRE, sex="male", division=township())
    assert codes(caught.value, "division") == ["village_cadre_division"]
    assert "must be a village" in messages(caught.value, "division")[0]

    # ... and accepted in a village
    cadre = cadre_create(actor=actor, name="扎西", rank=Rank.VILLAGE_CADRE, sex="male", division=village())
    assert cadre.division_id == "513224101201"


def test_a_county_leader_belongs_to_a_county_level_department_or_the_county(actor, bureau):
    township_office = DepartmentFactory(name="镇政府", division=township(), level=DepartmentLevel.TOWNSHIP)

    with pytest.raises(ValidationError) as caught:
        cadre_create(actor=actor, name="李县长", rank=Rank.COUNTY_LEADER, sex="male", department=township_office)
    assert codes(caught.value, "rank") == ["county_leader_placement"]

    with pytest.raises(ValidationError):
        cadre_create(actor=actor, name="李县长", rank=Rank.COUNTY_LEADER, sex="male", division=township())

    by_department = cadre_create(actor=actor, name="李县长", rank=Rank.COUNTY_LEADER, sex="male", department=bureau)
    by_county = cadre_create(actor=actor, name="张书记", rank=Rank.COUNTY_LEADER, sex="male", division=county())
    assert {by_department.name, by_county.name} == {"李县长", "张书记"}


def test_a_home_division_outside_the_departments_area_is_refused(actor):
    township_office = DepartmentFactory(name="镇政府", division=township("513224101"), level=DepartmentLevel.TOWNSHIP)

    with pytest.raises(ValidationError) as caught:
        cadre_create(
            actor=actor,
            name="王强",
            rank=Rank.ORDINARY,
            sex="male",
            department=township_office,
            division=village("513224102201"),
        )

    assert codes(caught.value, "division") == ["outside_department"]


def test_a_cadre_cannot_join_an_inactive_department(actor, bureau):
    bureau.is_active = False
    bureau.save()

    with pytest.raises(ValidationError) as caught:
        cadre_create(actor=actor, name="王强", rank=Rank.ORDINARY, sex="male", department=bureau)

    assert codes(caught.value, "department") == ["inactive_department"]


def test_an_account_belongs_to_one_cadre_only(actor, bureau):
    account = UserFactory(username="wangqiang")
    CadreFactory(name="王强", user=account)

    with pytest.raises(ValidationError) as caught:
        cadre_create(actor=actor, name="王二", rank=Rank.ORDINARY, sex="male", department=bureau, user=account)

    assert codes(caught.value, "user") == ["user_taken"]
    assert "王强" in messages(caught.value, "user")[0]


def test_a_cadre_update_bumps_the_version_and_records_the_actor(actor, bureau):
    cadre = CadreFactory(department=bureau, rank=Rank.ORDINARY)

    cadre_update(actor=actor, cadre=cadre, expected_version=1, rank=Rank.SECTION_LEVEL, title="副局长")

    cadre.refresh_from_db()
    assert (cadre.rank, cadre.title, cadre.version) == (Rank.SECTION_LEVEL, "副局长", 2)
    assert cadre.history.first().history_user == actor


def test_a_cadre_update_that_breaks_a_rule_changes_nothing(actor, bureau):
    cadre = CadreFactory(department=bureau, rank=Rank.ORDINARY)

    with pytest.raises(ValidationError):
        cadre_update(actor=actor, cadre=cadre, rank=Rank.VILLAGE_CADRE)

    cadre.refresh_from_db()
    assert (cadre.rank, cadre.version) == (Rank.ORDINARY, 1)


def test_a_stale_cadre_update_is_refused(actor, bureau):
    cadre = CadreFactory(department=bureau, title="科员")
    cadre_update(actor=actor, cadre=Cadre.objects.get(pk=cadre.pk), title="股长")

    with pytest.raises(StaleVersionError):
        cadre_update(actor=actor, cadre=cadre, expected_version=1, title="副局长")

    cadre.refresh_from_db()
    assert (cadre.title, cadre.version) == ("股长", 2)


def test_the_status_is_not_changed_by_a_plain_update(actor, bureau):
    cadre = CadreFactory(department=bureau)

    with pytest.raises(ValidationError) as caught:
        cadre_update(actor=actor, cadre=cadre, status=CadreStatus.RETIRED)

    assert codes(caught.value, "status") == ["not_updatable"]
    cadre.refresh_from_db()
    assert cadre.status == CadreStatus.ACTIVE
