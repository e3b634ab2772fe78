"""Writing households and members through the services."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.models import Role
from households.models import Household, HouseholdStatus, IncomeSource, Member, Relation, RiskLevel
from households.services import (
    StaleVersionError,
    household_create,
    household_set_status,
    household_update,
    member_create,
    member_remove,
    member_update,
)
from tests.factories import (
    HouseholdCategoryFactory,
    HouseholdFactory,
    MemberFactory,
    UserFactory,
    county,
    township,
    valid_id_number,
    village,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor():
    return UserFactory(username="clerk")


@pytest.fixture
def office():
    """The county office: it sees every household of the county, so a duplicate's household may be named to it."""
    return UserFactory(username="office", role=Role.COUNTY_OFFICE, division=county())


@pytest.fixture
def home():
    return village("513224101201")


def messages(error: ValidationError, field: str) -> list[str]:
    with translation.override("en"):
        return error.message_dict[field]


def codes(error: ValidationError, field: str) -> list[str]:
    return [e.code for e in error.error_dict[field]]


# --- households ----------------------------------------------------------------------------------------------


def test_a_household_is_created_with_categories_and_income_sources(actor, home):
    # given two categories the county uses
    HouseholdCategoryFactory(code="low-income")
    HouseholdCategoryFactory(code="left-behind-elderly")

    # when a household is registered
    household = household_create(
        actor=actor,
        village=home,
        number="0012",
        head_name="  卓玛  ",
        phone="+86 138 1234 5678",
        categories=["low-income", "left-behind-elderly"],
        income_sources=[
            {"kind": "herding", "year": 2025, "annual_amount": 18000},
            {"kind": "migrant_work", "year": 2025, "annual_amount": 24000, "note": "成都"},
        ],
        risk_level=RiskLevel.MEDIUM,
    )

    # then it is stored active at version 1, tidied, with its categories and income
    household.refresh_from_db()
    assert household.village_id == "513224101201"
    assert household.head_name == "卓玛"
    assert household.phone == "13812345678"
    assert household.status == HouseholdStatus.ACTIVE
    assert household.version == 1
    assert set(household.categories.values_list("code", flat=True)) == {"low-income", "left-behind-elderly"}
    assert sorted(household.income_sources.values_list("kind", "annual_amount")) == [
        ("herding", 18000),
        ("migrant_work", 24000),
    ]
    # and the history records who registered it, and the categories given
    created, categorised = household.history.order_by("history_id")
    assert created.history_type == "+" and created.history_user == actor
    assert categorised.history_user == actor
    assert {c.householdcategory.code for c in categorised.categories.all()} == {"low-income", "left-behind-elderly"}
    assert {s.history_user for s in IncomeSource.history.filter(household_id=household.pk)} == {actor}


def test_a_household_given_a_township_instead_of_a_village_is_refused(actor):
    # when a household is registered directly in a township
    with pytest.raises(ValidationError) as caught:
        household_create(actor=actor, village=township("513224101"), number="0001", head_name="张三")

    # then the village field says what is wrong, and nothing is written
    assert codes(caught.value, "village") == ["not_a_village"]
    assert "not a village" in messages(caught.value, "village")[0]
    assert not Household.objects.exists()


def test_a_household_number_already_used_in_the_village_is_refused_and_named(actor, home):
    # given household 0007 in the village
    HouseholdFactory(village=home, number="0007")

    # when another household is registered with the same number
    with pytest.raises(ValidationError) as caught:
        household_create(actor=actor, village=home, number="0007", head_name="李四")

    # then the number is named in the message and only one household exists
    assert codes(caught.value, "number") == ["duplicate_number"]
    assert "0007" in messages(caught.value, "number")[0]
    assert Household.objects.count() == 1


def test_the_same_household_number_is_fine_in_another_village(actor, home):
    HouseholdFactory(village=home, number="0007")

    household_create(actor=actor, village=village("513224101202"), number="0007", head_name="李四")

    assert Household.objects.filter(number="0007").count() == 2


def test_a_bad_phone_is_refused_with_the_number_quoted(actor, home):
    with pytest.raises(ValidationError) as caught:
        household_create(actor=actor, village=home, number="0001", head_name="王五", phone="12345")

    assert codes(caught.value, "phone") == ["phone"]
    assert "12345 is not a mainland mobile number" in messages(caught.value, "phone")[0]
    assert not Household.objects.exists()


def test_an_unknown_category_is_refused_and_named(actor, home):
    HouseholdCategoryFactory(code="low-income")

    with pytest.raises(ValidationError) as caught:
        household_create(actor=actor, village=home, number="0001", head_name="王五", categories=["low-income", "rich"])

    assert codes(caught.value, "categories") == ["unknown_category"]
    assert "rich" in messages(caught.value, "categories")[0]
    assert "low-income" not in messages(caught.value, "categories")[0]


@pytest.mark.parametrize(
    ("source", "code", "words"),
    [
        ({"kind": "lottery", "year": 2025, "annual_amount": 100}, "income_kind", "lottery is not a kind of income"),
        ({"kind": "farming", "year": 1999, "annual_amount": 100}, "income_year", "between 2000 and 2100"),
        ({"kind": "farming", "year": 2101, "annual_amount": 100}, "income_year", "between 2000 and 2100"),
        ({"kind": "farming", "year": 2025, "annual_amount": -1}, "income_amount", "zero or more"),
        ({"kind": "farming", "year": 2025, "annual_amount": 99.5}, "income_amount", "whole number"),
        ({"kind": "farming", "year": 2025, "annual_amount": "100"}, "income_amount", "whole number"),
        ({"kind": "farming", "year": 2025}, "income_amount", "whole number"),
        ({"kind": "farming", "year": 2025, "annual_amount": 1, "owner": "x"}, "invalid", "unknown field owner"),
    ],
)
def test_a_bad_income_source_is_refused_with_its_position_and_problem(actor, home, source, code, words):
    # given a good first source and a bad second one
    sources = [{"kind": "herding", "year": 2025, "annual_amount": 5000}, source]

    with pytest.raises(ValidationError) as caught:
        household_create(actor=actor, village=home, number="0001", head_name="王五", income_sources=sources)

    # then the message says which one and what is wrong, and nothing is written
    assert code in codes(caught.value, "income_sources")
    message = " ".join(messages(caught.value, "income_sources"))
    assert "Income source 2" in message
    assert words in message
    assert not Household.objects.exists()
    assert not IncomeSource.objects.exists()


def test_the_same_kind_of_income_twice_in_one_year_is_refused(actor, home):
    sources = [
        {"kind": "herding", "year": 2025, "annual_amount": 5000},
        {"kind": "herding", "year": 2024, "annual_amount": 4000},
        {"kind": "herding", "year": 2025, "annual_amount": 6000},
    ]

    with pytest.raises(ValidationError) as caught:
        household_create(actor=actor, village=home, number="0001", head_name="王五", income_sources=sources)

    assert codes(caught.value, "income_sources") == ["income_duplicate"]
    assert "Income source 3: Herding income for 2025 is listed twice." in messages(caught.value, "income_sources")


def test_every_problem_is_reported_at_once(actor):
    # when several fields are wrong together
    with pytest.raises(ValidationError) as caught:
        household_create(actor=actor, village=township(), number="", head_name="", phone="1", risk_level="extreme")

    # then each of them carries its message, so the form shows them all
    assert {"village", "number", "head_name", "phone", "risk_level"} <= set(caught.value.message_dict)


def test_an_update_changes_the_fields_and_bumps_the_version_once(actor, home):
    # given a household at version 1 with one category and one income source
    HouseholdCategoryFactory(code="low-income")
    HouseholdCategoryFactory(code="disabled-member")
    household = household_create(
        actor=actor,
        village=home,
        number="0001",
        head_name="王五",
        categories=["low-income"],
        income_sources=[{"kind": "farming", "year": 2024, "annual_amount": 3000}],
    )

    # when the head, risk, categories and income sources change in one update
    updated = household_update(
        actor=actor,
        household=household,
        expected_version=1,
        head_name="王六",
        risk_level=RiskLevel.HIGH,
        categories=["disabled-member"],
        income_sources=[{"kind": "subsidies", "year": 2025, "annual_amount": 2400}],
    )

    # then all of it is saved at version 2, the old categories and sources replaced
    household.refresh_from_db()
    assert updated.version == household.version == 2
    assert household.head_name == "王六"
    assert household.risk_level == RiskLevel.HIGH
    assert list(household.categories.values_list("code", flat=True)) == ["disabled-member"]
    assert list(household.income_sources.values_list("kind", "year", "annual_amount")) == [("subsidies", 2025, 2400)]
    # and the history has a change row by the actor
    assert household.history.first().history_type == "~"
    assert household.history.first().history_user == actor


def test_an_update_that_changes_nothing_keeps_the_version(actor, home):
    household = household_create(actor=actor, village=home, number="0001", head_name="王五")

    household_update(actor=actor, household=household, head_name="王五", income_sources=[])

    household.refresh_from_db()
    assert household.version == 1
    assert household.history.count() == 1


def test_a_stale_expected_version_is_refused_and_changes_nothing(actor, home):
    # given a household someone else has already changed (now version 2)
    household = household_create(actor=actor, village=home, number="0001", head_name="王五", address="老地址")
    household_update(actor=UserFactory(), household=Household.objects.get(pk=household.pk), address="新地址")

    # when a client that read version 1 sends its change
    with pytest.raises(StaleVersionError) as caught, translation.override("en"):
        household_update(actor=actor, household=household, expected_version=1, head_name="错误")

    # then it is told to reload, and the stored household is the other person's
    assert caught.value.expected == 1
    assert caught.value.current == 2
    assert "changed by someone else" in str(caught.value)
    household.refresh_from_db()
    assert (household.head_name, household.address, household.version) == ("王五", "新地址", 2)


def test_an_update_to_a_number_taken_in_the_village_is_refused(actor, home):
    HouseholdFactory(village=home, number="0002")
    household = household_create(actor=actor, village=home, number="0001", head_name="王五")

    with pytest.raises(ValidationError) as caught:
        household_update(actor=actor, household=household, number="0002")

    assert codes(caught.value, "number") == ["duplicate_number"]
    household.refresh_from_db()
    assert (household.number, household.version) == ("0001", 1)


def test_the_status_cannot_be_changed_by_a_plain_update(actor, home):
    household = household_create(actor=actor, village=home, number="0001", head_name="王五")

    with pytest.raises(ValidationError) as caught:
        household_update(actor=actor, household=household, status=HouseholdStatus.MOVED, version=9)

    assert set(caught.value.message_dict) == {"status", "version"}
    household.refresh_from_db()
    assert (household.status, household.version) == (HouseholdStatus.ACTIVE, 1)


def test_a_household_marked_moved_keeps_the_reason_in_its_history(actor, home):
    household = household_create(actor=actor, village=home, number="0001", head_name="王五")

    household_set_status(actor=actor, household=household, status=HouseholdStatus.MOVED, reason="全家迁往成都")

    household.refresh_from_db()
    assert (household.status, household.version) == (HouseholdStatus.MOVED, 2)
    latest = household.history.first()
    assert (latest.history_change_reason, latest.history_user) == ("全家迁往成都", actor)


@pytest.mark.parametrize(("status", "reason", "field"), [("gone", "reason", "status"), ("moved", "  ", "reason")])
def test_a_status_change_needs_a_known_status_and_a_reason(actor, home, status, reason, field):
    household = household_create(actor=actor, village=home, number="0001", head_name="王五")

    with pytest.raises(ValidationError) as caught:
        household_set_status(actor=actor, household=household, status=status, reason=reason)

    assert field in caught.value.message_dict
    household.refresh_from_db()
    assert household.status == HouseholdStatus.ACTIVE


# --- members -------------------------------------------------------------------------------------------------


def test_a_member_takes_sex_and_birth_date_from_the_id_number(actor):
    # given a household and a woman's ID number, born 3 March 1975
    household = HouseholdFactory()
    number = valid_id_number(birth=dt.date(1975, 3, 3), sex="female")

    # when she is added without sex or birth date
    member = member_create(actor=actor, household=household, name="拉姆", relation=Relation.SPOUSE, id_number=number)

    # then both are read from the number, and only the masked form is kept in clear
    member.refresh_from_db()
    assert (member.sex, member.birth_date) == ("female", dt.date(1975, 3, 3))
    assert member.id_number_masked == f"513224********{number[-4:]}"
    assert member.reveal_id_number() == number
    assert member.version == 1
    assert member.history.get().history_user == actor


def test_an_invalid_id_number_gives_the_validators_message_and_writes_nothing(actor):
    household = HouseholdFactory()
    number = valid_id_number()
    wrong = number[:17] + ("0" if number[-1] != "0" else "1")

    with pytest.raises(ValidationError) as caught:
        member_create(actor=actor, household=household, name="拉姆", relation=Relation.SPOUSE, id_number=wrong)

    assert codes(caught.value, "id_number") == ["id_check_digit"]
    assert f"The check digit of the ID number is wrong (expected {number[-1]})." in messages(caught.value, "id_number")
    assert not Member.objects.exists()


def test_an_id_number_registered_in_the_actor_s_scope_is_refused_naming_only_the_household(office):
    # given a member of household 0009 in another township
    number = valid_id_number()
    MemberFactory(household=HouseholdFactory(village=village("513224102201"), number="0009"), id_number=number)

    # when the same number is given for a member of another household (typed with spaces)
    with pytest.raises(ValidationError) as caught:
        member_create(
            actor=office,
            household=HouseholdFactory(),
            name="次仁",
            relation=Relation.HEAD,
            id_number=f"{number[:6]} {number[6:]}",
        )

    # then the household is named, nothing more, and no member was added
    assert codes(caught.value, "id_number") == ["duplicate_id_number"]
    assert messages(caught.value, "id_number") == [
        "This ID number is already registered for a member of household 513224102201-0009."
    ]
    assert Member.objects.count() == 1


def test_a_birth_date_or_sex_that_contradicts_the_id_number_is_refused(actor):
    number = valid_id_number(birth=dt.date(1980, 5, 17), sex="male")

    with pytest.raises(ValidationError) as caught:
        member_create(
            actor=actor,
            household=HouseholdFactory(),
            name="次仁",
            relation=Relation.HEAD,
            id_number=number,
            sex="female",
            birth_date=dt.date(1980, 5, 18),
        )

    assert codes(caught.value, "birth_date") == ["birth_date_mismatch"]
    assert "1980-05-17" in messages(caught.value, "birth_date")[0]
    assert codes(caught.value, "sex") == ["sex_mismatch"]
    assert not Member.objects.exists()


def test_a_member_without_id_number_needs_a_sex(actor):
    with pytest.raises(ValidationError) as caught:
        member_create(actor=actor, household=HouseholdFactory(), name="小孩", relation=Relation.CHILD)

    assert codes(caught.value, "sex") == ["required"]

    member = member_create(
        actor=actor, household=HouseholdFactory(), name="小孩", relation=Relation.CHILD, sex="female"
    )
    assert (member.id_number_masked, member.id_number_digest) == ("", None)


def test_a_second_head_is_refused(actor):
    # given a household with its head
    head = MemberFactory(relation=Relation.HEAD, name="多吉")

    # when another member is added as head
    with pytest.raises(ValidationError) as caught:
        member_create(actor=actor, household=head.household, name="次仁", relation=Relation.HEAD, sex="male")

    # then the existing head is named and nothing is added
    assert codes(caught.value, "relation") == ["second_head"]
    assert "多吉" in messages(caught.value, "relation")[0]
    assert head.household.members.count() == 1


def test_a_bad_member_phone_is_refused(actor):
    with pytest.raises(ValidationError) as caught:
        member_create(
            actor=actor, household=HouseholdFactory(), name="次仁", relation=Relation.CHILD, sex="male", phone="110"
        )

    assert codes(caught.value, "phone") == ["phone"]


def test_a_member_update_bumps_the_members_version_not_the_households(actor):
    # given a member at version 1 in a household at version 1
    member = MemberFactory(relation=Relation.CHILD)

    # when the member's employment changes
    member_update(actor=actor, member=member, expected_version=1, employment="migrant", phone="13912345678")

    # then the member is at version 2 and the household untouched
    member.refresh_from_db()
    member.household.refresh_from_db()
    assert (member.employment, member.phone, member.version) == ("migrant", "13912345678", 2)
    assert member.household.version == 1
    assert member.history.first().history_user == actor


def test_a_member_update_with_a_stale_version_changes_nothing(actor):
    member = MemberFactory(relation=Relation.CHILD, name="旧名")
    member_update(actor=actor, member=Member.objects.get(pk=member.pk), health="chronic")

    with pytest.raises(StaleVersionError):
        member_update(actor=actor, member=member, expected_version=1, name="新名")

    member.refresh_from_db()
    assert (member.name, member.version) == ("旧名", 2)


def test_a_corrected_id_number_brings_its_own_sex_and_birth_date(actor):
    # given a member recorded with a wrong number
    member = MemberFactory(relation=Relation.CHILD, sex="male", birth_date=dt.date(1980, 5, 17))
    corrected = valid_id_number(birth=dt.date(2001, 1, 2), sex="female")

    member_update(actor=actor, member=member, id_number=corrected)

    member.refresh_from_db()
    assert (member.sex, member.birth_date, member.version) == ("female", dt.date(2001, 1, 2), 2)
    assert member.reveal_id_number() == corrected


def test_a_birth_date_update_must_agree_with_the_stored_id_number(actor):
    member = MemberFactory(relation=Relation.CHILD, birth_date=dt.date(1980, 5, 17))

    with pytest.raises(ValidationError) as caught:
        member_update(actor=actor, member=member, birth_date=dt.date(1981, 5, 17))

    assert codes(caught.value, "birth_date") == ["birth_date_mismatch"]
    member.refresh_from_db()
    assert (member.birth_date, member.version) == (dt.date(1980, 5, 17), 1)


def test_a_member_cannot_take_an_id_number_held_by_another(office):
    number = valid_id_number()
    MemberFactory(id_number=number, household=HouseholdFactory(number="0100"))
    member = MemberFactory(relation=Relation.CHILD)

    with pytest.raises(ValidationError) as caught:
        member_update(actor=office, member=member, id_number=number)

    assert codes(caught.value, "id_number") == ["duplicate_id_number"]
    assert "-0100." in messages(caught.value, "id_number")[0]


def test_making_a_second_member_head_is_refused(actor):
    head = MemberFactory(relation=Relation.HEAD)
    child = MemberFactory(household=head.household, relation=Relation.CHILD)

    with pytest.raises(ValidationError) as caught:
        member_update(actor=actor, member=child, relation=Relation.HEAD)

    assert codes(caught.value, "relation") == ["second_head"]


def test_a_removed_member_leaves_a_history_row_with_actor_and_reason(actor):
    member = MemberFactory(relation=Relation.CHILD)

    member_remove(actor=actor, member=member, reason="嫁往外县")

    assert not Member.objects.filter(pk=member.pk).exists()
    deletion = Member.history.filter(id=member.pk).first()
    assert (deletion.history_type, deletion.history_user, deletion.history_change_reason) == ("-", actor, "嫁往外县")


def test_the_head_cannot_be_removed_while_others_remain(actor):
    head = MemberFactory(relation=Relation.HEAD)
    MemberFactory(household=head.household, relation=Relation.SPOUSE)

    with pytest.raises(ValidationError) as caught:
        member_remove(actor=actor, member=head, reason="去世")

    assert codes(caught.value, "relation") == ["head_with_members"]
    assert head.household.members.count() == 2

    # the last member, even the head, can be removed
    lone = MemberFactory(relation=Relation.HEAD)
    member_remove(actor=actor, member=lone, reason="去世")
    assert not Member.objects.filter(pk=lone.pk).exists()


def test_a_removal_needs_a_reason(actor):
    member = MemberFactory(relation=Relation.CHILD)

    with pytest.raises(ValidationError) as caught:
        member_remove(actor=actor, member=member, reason="")

    assert codes(caught.value, "reason") == ["required"]
    assert Member.objects.filter(pk=member.pk).exists()


def test_a_concurrent_duplicate_id_number_caught_by_the_database_gives_the_same_message(office, monkeypatch):
    # given a member holding a number, and a check that (as in a race) does not see it before the insert
    import households.services.members as services

    number = valid_id_number()
    MemberFactory(id_number=number, household=HouseholdFactory(number="0042"))
    real_holder = services._id_number_holder
    calls = []

    def late_holder(digest, **kwargs):
        calls.append(digest)
        return None if len(calls) == 1 else real_holder(digest, **kwargs)

    monkeypatch.setattr(services, "_id_number_holder", late_holder)

    # when the member is inserted, the unique index fires
    with pytest.raises(ValidationError) as caught:
        member_create(actor=office, household=HouseholdFactory(), name="次仁", relation=Relation.HEAD, id_number=number)

    # then the caller gets the same clear message, and the transaction is still usable
    assert codes(caught.value, "id_number") == ["duplicate_id_number"]
    assert "-0042." in messages(caught.value, "id_number")[0]
    assert Member.objects.count() == 1
