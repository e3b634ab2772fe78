"""Submitting a case (``case_submit``) per role and with bad input, and correcting its details (``case_update``).
A refusal writes nothing: no case, no event, no reference number taken."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grievances.models import CaseCategory, CaseEvent, CaseStatus, DisputeParty, EventAction
from grievances.services import case_update
from grievances.workflow import TransitionNotAllowed
from ledgers.models import Pairing
from songpan.errors import StaleVersionError
from tests.factories import HouseholdFactory, township, village
from tests.grievances.conftest import case_snapshot


def error_codes(refused: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return {field: [error.code for error in errors] for field, errors in refused.value.error_dict.items()}


# -- who may submit where ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "place"),
    [
        ("cadre", "household"),  # its paired household
        ("township", "household"),
        ("township", "village_a"),  # a case about the village, no household
        ("office", "village_a"),
        ("office", "other_household"),  # anywhere in the county
        ("office", "village_b"),
    ],
)
def test_a_case_is_listed_with_its_reference_and_first_event(case_world, actor, place):
    w = case_world
    user = getattr(w, actor)
    where = (
        {"household": getattr(w, place)} if "household" in place else {"household": None, "village": getattr(w, place)}
    )
    # When the actor submits a case
    case = w.submit(user, **where)
    # Then it is listed, numbered, attributed, and its timeline starts
    expected_village = where["household"].village if where["household"] else where["village"]
    assert (case.status, case.version, case.village, case.reported_by) == (
        CaseStatus.SUBMITTED,
        1,
        expected_village,
        user,
    )
    assert case.reference == "SP-2026-000001"
    assert case.reporter_cadre == (w.cadre.cadre if actor == "cadre" else None)
    assert case.title == "The road to the upper pasture washed out."
    event = CaseEvent.objects.get(case=case)
    assert (event.action, event.actor, event.from_status, event.to_status) == (
        EventAction.SUBMIT,
        user,
        "",
        CaseStatus.SUBMITTED,
    )


@pytest.mark.parametrize("actor", ["department", "education_staff", "leader"])
def test_department_staff_and_leaders_may_not_submit(case_world, actor):
    w = case_world
    before = case_snapshot()
    with pytest.raises(PermissionDenied, match="may not submit"):
        w.submit(getattr(w, actor), household=None, village=w.village_a)
    assert case_snapshot() == before


@pytest.mark.parametrize(
    ("actor", "where", "field", "code"),
    [
        # A cadre reports only for the households it is paired with
        ("cadre", {"household": "other_household"}, "household", "not_paired"),
        ("cadre", {"household": None, "village": "village_a"}, "household", "not_paired"),
        ("other_cadre", {"household": "household"}, "household", "not_paired"),
        # Township staff only in their township
        ("township", {"household": "other_household"}, "village", "outside_scope"),
        ("township", {"household": None, "village": "village_b"}, "village", "outside_scope"),
        ("township_b", {"household": "household"}, "village", "outside_scope"),
    ],
)
def test_a_case_outside_the_actors_area_is_refused(case_world, actor, where, field, code):
    w = case_world
    where = {key: getattr(w, value) if value else None for key, value in where.items()}
    before = case_snapshot()
    with pytest.raises(ValidationError) as refused:
        w.submit(getattr(w, actor), **where)
    assert error_codes(refused) == {field: [code]}
    assert case_snapshot() == before


def test_the_office_reports_only_in_its_county(case_world):
    w = case_world
    elsewhere = village("513225101201")  # a village of the next county
    before = case_snapshot()
    with pytest.raises(ValidationError) as refused:
        w.submit(w.office, household=None, village=elsewhere)
    assert error_codes(refused) == {"village": ["outside_scope"]}
    assert refused.value.message_dict["village"] == ["This village is outside your area."]
    assert case_snapshot() == before


def test_a_cadre_whose_pairing_ended_may_no_longer_report_for_the_household(case_world):
    w = case_world
    Pairing.objects.filter(household=w.household).update(end_date="2026-06-30")
    with pytest.raises(ValidationError) as refused:
        w.submit(w.cadre)
    assert error_codes(refused) == {"household": ["not_paired"]}


# -- bad input ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "code", "message"),
    [
        ({"category": "rainbows"}, "category", "invalid_category", "“rainbows” is not a case category in use."),
        ({"kind": "complaint"}, "kind", "invalid_choice", "“complaint” is not a valid choice."),
        ({"source": "rumour"}, "source", "invalid_choice", "“rumour” is not a valid choice."),
        ({"priority": "critical"}, "priority", "invalid_choice", "“critical” is not a valid choice."),
        ({"description": ""}, "description", "required", "This field is required."),
        ({"description": " \n "}, "description", "required", "This field is required."),
        (
            {"description": "x" * 4001},
            "description",
            "max_length",
            "Keep this to 4000 characters (it has 4001).",
        ),
        ({"title": "t" * 101}, "title", "max_length", "Keep this to 100 characters (it has 101)."),
        (
            {"parties": [{"name": "扎西", "role": "applicant"}]},
            "parties",
            "invalid",
            "Only disputes have parties.",
        ),
        ({"household": None}, "village", "required", "Name the household or the village the case concerns."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(case_world, fields, field, code, message):
    w = case_world
    before = case_snapshot()
    with pytest.raises(ValidationError) as refused:
        w.submit(w.township, **fields)
    assert error_codes(refused) == {field: [code]}
    assert refused.value.message_dict[field] == [message]
    assert case_snapshot() == before


def test_a_category_no_longer_in_use_is_refused(case_world):
    w = case_world
    CaseCategory.objects.filter(code="roads_transport").update(is_active=False)
    with pytest.raises(ValidationError) as refused:
        w.submit()
    assert error_codes(refused) == {"category": ["invalid_category"]}


def test_the_village_must_be_a_village_of_the_household(case_world):
    w = case_world
    before = case_snapshot()
    with pytest.raises(ValidationError) as refused:
        w.submit(w.township, village=w.village_b)
    assert error_codes(refused) == {"village": ["village_mismatch"]}
    assert refused.value.message_dict["village"] == ["The household belongs to another village."]
    with pytest.raises(ValidationError) as refused:
        w.submit(w.office, household=None, village=township("513224101"))
    assert error_codes(refused) == {"village": ["not_a_village"]}
    assert case_snapshot() == before


def test_every_problem_is_reported_at_once(case_world):
    w = case_world
    with pytest.raises(ValidationError) as refused:
        w.submit(w.township, kind="x", category="y", description="", priority="z", village=w.village_b)
    assert error_codes(refused) == {
        "kind": ["invalid_choice"],
        "category": ["invalid_category"],
        "description": ["required"],
        "priority": ["invalid_choice"],
        "village": ["village_mismatch"],
    }


@pytest.mark.parametrize(
    ("parties", "message"),
    [
        ("扎西 and 卓玛", "Give the parties as a list."),
        ({"name": "扎西"}, "Give the parties as a list."),
        ([{"role": "applicant"}], "Party 1: give a name."),
        ([{"name": "扎西"}, "卓玛"], "Party 2: give a name."),
        ([{"name": "扎西", "role": "judge"}], "Party 1: unknown role."),
        ([{"name": "扎西", "phone": "12345"}], "Party 1: the phone number is not valid."),
        ([{"name": "扎" * 101}], "Party 1: the name is too long."),
    ],
)
def test_the_parties_to_a_dispute_are_checked(case_world, parties, message):
    w = case_world
    before = case_snapshot()
    with pytest.raises(ValidationError) as refused:
        w.submit(w.township, kind="dispute", parties=parties)
    assert refused.value.message_dict == {"parties": [message]}
    assert case_snapshot() == before


def test_a_dispute_is_listed_with_its_parties(case_world):
    w = case_world
    parties = [
        {"name": "扎西", "role": "applicant", "phone": "138 0000 1234", "household": None},
        {"name": "卓玛", "role": "respondent"},
        {"name": "村委会"},
    ]
    case = w.submit(w.township, kind="dispute", parties=parties)
    rows = list(DisputeParty.objects.filter(case=case).order_by("id").values_list("name", "role", "phone"))
    assert rows == [("扎西", "applicant", "13800001234"), ("卓玛", "respondent", ""), ("村委会", "other", "")]


def test_a_long_first_line_makes_a_shortened_title(case_world):
    w = case_world
    case = w.submit(description="路" * 120 + "\nsecond line")
    assert case.title == "路" * 99 + "…"


# -- the same case sent twice from a phone --------------------------------------------------------------------------


def test_the_same_client_id_twice_is_refused_and_takes_no_number(case_world):
    w = case_world
    client_id = uuid.uuid4()
    # Given a case created offline and synced
    first = w.submit(id=client_id)
    assert (first.pk, first.reference) == (client_id, "SP-2026-000001")
    # When the phone sends it again (even with other details)
    before = case_snapshot()
    with pytest.raises(ValidationError) as refused:
        w.submit(id=client_id, description="The road is still washed out.")
    # Then it is refused as a duplicate id, and nothing was written
    assert error_codes(refused) == {"id": ["duplicate_id"]}
    assert refused.value.message_dict["id"] == ["A case with this id exists already."]
    assert case_snapshot() == before
    # And the next case gets the next number: the refused one took none
    assert w.submit().reference == "SP-2026-000002"


# -- correcting the details -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "status"), [("office", "submitted"), ("township", "accepted"), ("cadre", "submitted")]
)
def test_staff_and_the_reporting_cadre_correct_details_before_assignment(case_world, actor, status):
    w = case_world
    case = w.to_status(w.submit(), status)
    version = case.version
    case = case_update(
        actor=getattr(w, actor),
        case=case,
        expected_version=version,
        description="The road and the bridge washed out.",
        title="",
        priority="high",
        category="roads_transport",  # unchanged: not listed
    )
    assert (case.description, case.title, case.priority, case.version) == (
        "The road and the bridge washed out.",
        "The road and the bridge washed out.",
        "high",
        version + 1,
    )
    event = CaseEvent.objects.filter(case=case).latest("at", "id")
    assert (event.action, event.actor, event.from_status, event.to_status) == (
        "edit",
        getattr(w, actor),
        status,
        status,
    )
    assert event.detail == {"fields": ["description", "priority", "title"]}


@pytest.mark.parametrize(
    ("actor", "status", "error"),
    [
        # No standing for the case at all: 403 whatever its status
        ("leader", "submitted", PermissionDenied),
        ("leader", "assigned", PermissionDenied),
        ("department", "submitted", PermissionDenied),
        ("department", "in_progress", PermissionDenied),
        ("township_b", "submitted", PermissionDenied),
        ("other_cadre", "submitted", PermissionDenied),
        # The reporting cadre edits only while the case is submitted
        ("cadre", "accepted", PermissionDenied),
        # Once a unit is answerable, the timeline is the record: nobody edits
        ("cadre", "assigned", TransitionNotAllowed),
        ("township", "assigned", TransitionNotAllowed),
        ("office", "in_progress", TransitionNotAllowed),
        ("office", "closed", TransitionNotAllowed),
        ("office", "rejected", TransitionNotAllowed),
    ],
)
def test_who_may_not_correct_details_or_not_any_more(case_world, actor, status, error):
    w = case_world
    case = w.to_status(w.submit(), status)
    before = case_snapshot()
    with pytest.raises(error):
        case_update(actor=getattr(w, actor), case=case, description="Changed.")
    assert case_snapshot() == before


def test_a_cadre_may_not_correct_a_case_reported_by_the_township(case_world):
    w = case_world
    case = w.submit(w.township)
    with pytest.raises(PermissionDenied):
        case_update(actor=w.cadre, case=case, description="Changed.")


@pytest.mark.parametrize("field", ["status", "deadline", "responsible_unit", "household", "village", "reference"])
def test_fields_that_are_not_details_are_refused(case_world, field):
    w = case_world
    case = w.submit()
    before = case_snapshot()
    with pytest.raises(ValidationError) as refused:
        case_update(actor=w.office, case=case, **{field: "x"})
    assert error_codes(refused) == {field: ["not_updatable"]}
    assert case_snapshot() == before


def test_bad_details_are_refused_together(case_world):
    w = case_world
    case = w.submit()
    before = case_snapshot()
    with pytest.raises(ValidationError) as refused:
        case_update(actor=w.office, case=case, description="", category="rainbows", kind="x", title="t" * 101)
    assert error_codes(refused) == {
        "description": ["required"],
        "category": ["invalid_category"],
        "kind": ["invalid_choice"],
        "title": ["max_length"],
    }
    assert case_snapshot() == before


def test_a_dispute_with_parties_stays_a_dispute(case_world):
    w = case_world
    case = w.submit(w.township, kind="dispute", parties=[{"name": "扎西"}])
    with pytest.raises(ValidationError) as refused:
        case_update(actor=w.township, case=case, kind="problem")
    assert error_codes(refused) == {"kind": ["invalid"]}
    # A problem without parties may become a dispute
    problem = w.submit(w.township)
    assert case_update(actor=w.township, case=problem, kind="dispute").kind == "dispute"


def test_an_edit_that_changes_nothing_writes_nothing(case_world):
    w = case_world
    case = w.submit()
    before = case_snapshot()
    same = case_update(actor=w.office, case=case, description=case.description, priority=case.priority)
    assert same.version == case.version
    assert case_snapshot() == before


def test_an_edit_from_a_stale_copy_is_refused(case_world):
    w = case_world
    case = w.submit()
    case_update(actor=w.office, case=case, priority="urgent")
    before = case_snapshot()
    with pytest.raises(StaleVersionError):
        case_update(actor=w.township, case=case, expected_version=1, priority="high")
    assert case_snapshot() == before


def test_a_household_of_another_village_in_the_same_township(case_world):
    """Township staff report for any household of their township, not only village A's."""
    w = case_world
    neighbour = HouseholdFactory(village=village("513224101202"))
    case = w.submit(w.township, household=neighbour)
    assert case.village_id == "513224101202"
