"""The case endpoints: a case's whole life by the roles of ``case_world``, refusals (404, 403, 409, 412, 400)
that change nothing, idempotent creates, filters, query counts, mediation sessions and the categories."""

import datetime as dt
import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessEvent, AccessLog
from grievances.models import (
    Case,
    CaseEvent,
    CaseStatus,
    CaseUnit,
    MediationSession,
    Notification,
    PartStatus,
)
from tests.factories import DepartmentSupportFactory, HouseholdFactory, PairingFactory

CASES = reverse("api-case-list")
CATEGORIES = reverse("api-case-category-list")


def case_url(case_or_id) -> str:
    return reverse("api-case-detail", args=[getattr(case_or_id, "pk", case_or_id)])


def transition_url(case) -> str:
    return reverse("api-case-transition", args=[case.pk])


def send(client, method: str, url: str, body=None, **headers):
    data = json.dumps(body) if body is not None and not isinstance(body, str) else body
    return getattr(client, method)(url, data=data, content_type="application/json", headers=headers or None)


def as_(client, user, language: str = "en"):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def act(client, user, case, action: str, expect: int = 200, **fields):
    response = send(as_(client, user), "post", transition_url(case), {"action": action, **fields})
    assert response.status_code == expect, response.content
    return response.json()


def new_case(world, **overrides) -> dict:
    return {
        "kind": "problem",
        "category": "roads_transport",
        "description": "The road to the upper pasture washed out.",
        "household": str(world.household.pk),
        **overrides,
    }


def snapshot(case: Case) -> tuple:
    """What a refusal must leave as it was."""
    case.refresh_from_db()
    return (
        case.status,
        case.version,
        case.responsible_unit_id,
        case.deadline,
        case.level,
        CaseEvent.objects.filter(case=case).count(),
        CaseUnit.objects.filter(case=case).count(),
        Notification.objects.filter(case=case).count(),
    )


# -- the whole life ----------------------------------------------------------------------------------------------


def test_a_case_lives_its_whole_life_over_the_api(client, case_world):
    w = case_world
    case_id = uuid.uuid4()
    body = new_case(w, title="Road washed out", priority="high")

    # Given a cadre's phone submitting offline by PUT with its own UUID, twice (a retry)
    first = send(as_(client, w.cadre), "put", case_url(case_id), body)
    replay = send(client, "put", case_url(case_id), body)

    # Then one case exists, created once, and the replay changed nothing
    assert first.status_code == 201, first.content
    assert replay.status_code == 200, replay.content
    assert Case.objects.count() == 1 and CaseEvent.objects.count() == 1
    created = first.json()
    assert created["id"] == str(case_id) and created["reference"].startswith("SP-")
    assert created["status"] == "submitted" and created["village"] == "513224101201"
    assert replay.json()["version"] == created["version"] == 1 and replay["ETag"] == '"1"'
    case = Case.objects.get()

    # When the township accepts it and assigns it by the routing table
    detail = as_(client, w.township).get(case_url(case)).json()
    assert {"accept", "reject", "duplicate"} <= set(detail["allowed_actions"])
    assert act(client, w.township, case, "accept")["status"] == "accepted"
    assigned = act(client, w.township, case, "assign")

    # Then the transport bureau leads, the township shares the work, and a deadline runs
    assert assigned["status"] == "assigned" and assigned["responsible_unit"]["id"] == w.transport.pk
    assert [(p["unit"], p["status"]) for p in assigned["co_units"]] == [(w.government_a.pk, "pending")]
    assert assigned["deadline"] and assigned["overdue"] is False and assigned["days_overdue"] == 0

    # When the bureau starts and resolves it
    assert as_(client, w.department).get(case_url(case)).json()["allowed_actions"] == ["start", "escalate"]
    assert act(client, w.department, case, "start")["status"] == "in_progress"
    resolved = act(client, w.department, case, "resolve", note="Culvert laid, road regraded.")
    assert resolved["status"] == "resolved" and resolved["resolution"] == "Culvert laid, road regraded."

    # And the household is not satisfied: the cadre's verdict reopens it
    reopened = act(client, w.cadre, case, "close", satisfaction="not_satisfied", note="Still floods in rain.")
    assert reopened["status"] == "in_progress" and reopened["reopen_count"] == 1 and reopened["satisfaction"] == ""

    # When the bureau resolves it again and the cadre confirms for the household
    act(client, w.department, case, "resolve", note="Drainage ditch dug.")
    closed = act(client, w.cadre, case, "close", satisfaction="satisfied")

    # Then it is closed with the verdict, and every step is on the timeline
    assert closed["status"] == "closed" and closed["satisfaction"] == "satisfied"
    assert closed["allowed_actions"] == []
    events = as_(client, w.township).get(reverse("api-case-events", args=[case.pk])).json()
    assert [e["action"] for e in events["results"]] == [
        "submit",
        "accept",
        "assign",
        "start",
        "resolve",
        "reopen",
        "resolve",
        "close",
    ]
    assert events["results"][0]["actor"] in {w.cadre.get_full_name(), w.cadre.username}
    assert events["results"][2]["detail"]["unit"] == w.transport.pk
    assert events["results"][5]["from_status"] == "resolved" and events["results"][5]["to_status"] == "in_progress"


def test_post_submits_and_a_replayed_post_answers_the_case_as_it_is(client, case_world):
    w = case_world
    case_id = str(uuid.uuid4())

    first = send(as_(client, w.township), "post", CASES, new_case(w, id=case_id))
    again = send(client, "post", CASES, new_case(w, id=case_id, description="Something else"))

    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["description"] == "The road to the upper pasture washed out."
    assert Case.objects.count() == 1


def test_a_village_level_case_has_no_household(client, case_world):
    w = case_world

    response = send(as_(client, w.township), "post", CASES, new_case(w, household=None, village="513224101201"))

    assert response.status_code == 201, response.content
    assert response.json()["household"] is None and response.json()["village"] == "513224101201"


def test_a_dispute_is_submitted_with_its_parties_and_phones_follow_the_role(client, case_world):
    w = case_world
    parties = [
        {"name": "Zhaxi", "role": "applicant", "phone": "13800001111"},
        {"name": "Dorje", "role": "respondent"},
    ]

    response = send(as_(client, w.township), "post", CASES, new_case(w, kind="dispute", parties=parties))

    assert response.status_code == 201, response.content
    shown = as_(client, w.leader).get(case_url(response.json()["id"])).json()["parties"]
    assert [(p["name"], p["role"]) for p in shown] == [("Zhaxi", "applicant"), ("Dorje", "respondent")]
    assert shown[0]["phone"] != "13800001111" and shown[0]["phone"].endswith("1111")  # masked for the leader


# -- refusals change nothing -------------------------------------------------------------------------------------


def test_an_action_the_status_does_not_allow_is_409_and_changes_nothing(client, case_world):
    w = case_world
    case = w.submit()
    before = snapshot(case)

    response = send(as_(client, w.township), "post", transition_url(case), {"action": "assign"})

    assert response.status_code == 409, response.content
    assert "Assign" in response.json()["detail"] and "Submitted" in response.json()["detail"]
    assert snapshot(case) == before


@pytest.mark.parametrize(
    ("who", "action"),
    [("cadre", "accept"), ("department", "accept"), ("leader", "accept"), ("education_staff", "start")],
)
def test_a_role_that_may_not_act_is_403_logged_and_changes_nothing(client, case_world, who, action):
    w = case_world
    case = w.to_status(w.submit(), "assigned") if action == "start" else w.submit()
    if who == "education_staff":  # a department with no part in the case, supporting its township: it sees it
        DepartmentSupportFactory(department=w.education, township=w.village_a.parent)
    before = snapshot(case)

    response = send(as_(client, getattr(w, who)), "post", transition_url(case), {"action": action})

    assert response.status_code == 403, response.content
    assert snapshot(case) == before
    assert AccessLog.objects.filter(event=AccessEvent.ACCESS_DENIED, object_id=str(case.pk)).exists()


def test_another_township_gets_404_for_everything(client, case_world):
    w = case_world
    case = w.submit()
    before = snapshot(case)
    as_(client, w.township_b)

    assert client.get(case_url(case)).status_code == 404
    assert send(client, "patch", case_url(case), {"title": "x"}).status_code == 404
    assert send(client, "put", case_url(case), new_case(w)).status_code == 404
    assert send(client, "post", transition_url(case), {"action": "accept"}).status_code == 404
    assert client.get(reverse("api-case-events", args=[case.pk])).status_code == 404
    assert client.get(reverse("api-case-mediations", args=[case.pk])).status_code == 404
    assert str(case.pk) not in {c["id"] for c in client.get(CASES).json()["results"]}
    assert snapshot(case) == before


def test_a_stale_if_match_is_412_and_changes_nothing(client, case_world):
    w = case_world
    case = w.submit()
    as_(client, w.township)
    edited = send(client, "patch", case_url(case), {"title": "Upper pasture road"}, **{"If-Match": '"1"'})
    assert edited.status_code == 200 and edited["ETag"] == '"2"'
    before = snapshot(case)

    by_header = send(client, "post", transition_url(case), {"action": "accept"}, **{"If-Match": '"1"'})
    by_body = send(client, "post", transition_url(case), {"action": "accept", "version": 1})
    stale_edit = send(client, "patch", case_url(case), {"title": "Other"}, **{"If-Match": '"1"'})

    assert (by_header.status_code, by_body.status_code, stale_edit.status_code) == (412, 412, 412)
    assert "version 1" in by_header.json()["detail"] and "version 2" in by_header.json()["detail"]
    assert snapshot(case) == before and Case.objects.get().title == "Upper pasture road"
    assert send(client, "post", transition_url(case), {"action": "accept"}, **{"If-Match": '"2"'}).status_code == 200


HUGE = "1" * 5000  # past Python's limit for converting digits to an int (4,300)


@pytest.mark.parametrize("if_match", [f'"{HUGE}"', f'W/"{HUGE}"', '"²"', '"٣"', '"99999999999999999999999"', '"-1"'])
def test_an_if_match_that_is_no_etag_of_this_api_is_412_and_changes_nothing(client, case_world, if_match):
    w = case_world
    case = w.submit()
    as_(client, w.township)
    before = snapshot(case)

    edit = send(client, "patch", case_url(case), {"title": "Other"}, **{"If-Match": if_match})
    action = send(client, "post", transition_url(case), {"action": "accept"}, **{"If-Match": if_match})

    assert (edit.status_code, action.status_code) == (412, 412)
    assert "detail" in edit.json() and "detail" in action.json()
    assert snapshot(case) == before


@pytest.mark.parametrize("version", [HUGE, "²", "٣", True, 1.0, [1], {"v": 1}])
def test_a_version_in_the_body_that_is_no_version_is_412_and_changes_nothing(client, case_world, version):
    w = case_world
    case = w.submit()
    as_(client, w.township)
    before = snapshot(case)

    edit = send(client, "patch", case_url(case), {"title": "Other", "version": version})
    action = send(client, "post", transition_url(case), {"action": "accept", "version": version})

    assert (edit.status_code, action.status_code) == (412, 412)
    assert snapshot(case) == before


def test_a_version_of_5000_digits_as_a_json_number_is_400_not_500(client, case_world):
    w = case_world
    case = w.submit()
    as_(client, w.township)

    response = send(client, "patch", case_url(case), '{"title": "Other", "version": ' + HUGE + "}")

    assert response.status_code == 400 and "detail" in response.json()
    assert Case.objects.get().title == case.title


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("{not json", "detail"),
        ({"action": "accept", "colour": "red"}, "colour"),
        ({"action": "fly"}, "action"),
        ({}, "action"),
        ({"action": "reject"}, "note"),
        ({"action": "reject", "note": 7}, "note"),
        ({"action": "accept", "unit": "seven"}, "unit"),
        ({"action": "accept", "deadline": "2026-02-30"}, "deadline"),
        ({"action": "duplicate", "duplicate_of": "SP-1999-000001"}, "duplicate_of"),
        ({"action": "duplicate"}, "duplicate_of"),
        (["accept"], "non_field_errors"),
    ],
)
def test_bad_transition_bodies_are_400_and_change_nothing(client, case_world, body, field):
    w = case_world
    case = w.submit()
    before = snapshot(case)

    response = send(as_(client, w.township), "post", transition_url(case), body)

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert snapshot(case) == before


def test_a_deadline_in_the_past_is_400_and_changes_nothing(client, case_world):
    w = case_world
    case = w.to_status(w.submit(), "accepted")
    before = snapshot(case)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()

    response = send(as_(client, w.township), "post", transition_url(case), {"action": "assign", "deadline": yesterday})

    assert response.status_code == 400
    assert response.json()["deadline"] == ["The deadline cannot be in the past."]
    assert snapshot(case) == before


def test_resolving_without_a_note_is_400(client, case_world):
    w = case_world
    case = w.to_status(w.submit(), "in_progress")
    before = snapshot(case)

    response = send(as_(client, w.department), "post", transition_url(case), {"action": "resolve"})

    assert response.status_code == 400 and "note" in response.json()
    assert snapshot(case) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"household": "not-a-uuid"}, "household"),
        ({"id": "not-a-uuid"}, "id"),
        ({"colour": "red"}, "colour"),
        ({"kind": "complaint"}, "kind"),
        ({"description": ""}, "description"),
        ({"category": "astrology"}, "category"),
        ({"household": None, "village": None}, "village"),
        ({"village": "5132241012"}, "village"),
        ({"household": str(uuid.UUID(int=1))}, "household"),
    ],
)
def test_bad_submissions_are_400_and_create_nothing(client, case_world, changes, field):
    w = case_world

    response = send(as_(client, w.township), "put", case_url(uuid.uuid4()), new_case(w, **changes))

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Case.objects.exists()


def test_malformed_json_is_400_with_a_detail(client, case_world):
    response = send(as_(client, case_world.cadre), "post", CASES, '{"kind": ')

    assert response.status_code == 400 and "detail" in response.json()
    assert not Case.objects.exists()


def test_a_cadre_may_not_submit_for_a_household_it_is_not_paired_with(client, case_world):
    w = case_world

    response = send(as_(client, w.cadre), "post", CASES, new_case(w, household=str(w.other_household.pk)))

    assert response.status_code == 400 and "household" in response.json()
    assert not Case.objects.exists()


@pytest.mark.parametrize("who", ["leader", "department"])
def test_roles_that_may_not_submit_get_403_before_their_body_is_read(client, case_world, who):
    response = send(as_(client, getattr(case_world, who)), "post", CASES, {"colour": "red"})

    assert response.status_code == 403
    assert not Case.objects.exists()


def test_refusals_are_translated(client, case_world):
    w = case_world
    case = w.submit()
    as_(client, w.township, language="zh-hans")
    send(client, "patch", case_url(case), {"title": "新标题"})

    stale = send(client, "post", transition_url(case), {"action": "accept", "version": 1})
    unknown = send(client, "post", transition_url(case), {"action": "accept", "colour": "red"})

    assert "在此期间已被他人修改" in stale.json()["detail"]
    assert "不是此处可设置的字段" in unknown.json()["colour"][0]


# -- editing the details -----------------------------------------------------------------------------------------


def test_details_are_corrected_until_the_case_is_assigned_then_409(client, case_world):
    w = case_world
    case = w.submit()
    as_(client, w.township)

    edited = send(client, "patch", case_url(case), {"priority": "urgent", "category": "education"})
    assert edited.status_code == 200, edited.content
    assert (edited.json()["priority"], edited.json()["category"], edited.json()["version"]) == (
        "urgent",
        "education",
        2,
    )
    assert CaseEvent.objects.filter(case=case, action="edit").count() == 1

    w.to_status(Case.objects.get(), "assigned")
    before = snapshot(case)
    refused = send(client, "patch", case_url(case), {"priority": "normal"})
    assert refused.status_code == 409 and "detail" in refused.json()
    assert snapshot(case) == before
    # a PATCH with nothing to change is no edit, whatever the status
    assert send(client, "patch", case_url(case), {"priority": "urgent"}).status_code == 200


def test_household_and_village_are_not_edited(client, case_world):
    w = case_world
    case = w.submit()

    response = send(as_(client, w.township), "patch", case_url(case), {"household": str(w.other_household.pk)})

    assert response.status_code == 400 and "household" in response.json()
    assert Case.objects.get().household == w.household


def test_a_put_replay_after_the_case_moved_on_is_still_200_unchanged(client, case_world):
    w = case_world
    case_id = uuid.uuid4()
    body = new_case(w)
    assert send(as_(client, w.cadre), "put", case_url(case_id), body).status_code == 201
    case = w.to_status(Case.objects.get(), "assigned")
    before = snapshot(case)

    replay = send(as_(client, w.cadre), "put", case_url(case_id), body)

    assert replay.status_code == 200 and replay.json()["status"] == "assigned"
    assert snapshot(case) == before


def test_the_reporting_cadre_corrects_its_case_while_submitted_only(client, case_world):
    w = case_world
    case = w.submit()

    assert send(as_(client, w.cadre), "patch", case_url(case), {"title": "Pasture road"}).status_code == 200
    w.take(Case.objects.get(), "accept", w.township)
    assert send(client, "patch", case_url(case), {"title": "Other"}).status_code == 403
    assert Case.objects.get().title == "Pasture road"


# -- duplicates, mediation, categories ---------------------------------------------------------------------------


def test_a_case_is_marked_duplicate_of_another_named_by_reference(client, case_world):
    w = case_world
    original, repeat = w.submit(), w.submit(description="The pasture road is gone.")

    marked = act(client, w.township, repeat, "duplicate", duplicate_of=original.reference, note="Same road.")

    assert marked["status"] == "duplicate" and marked["duplicate_of"] == str(original.pk)


def test_a_duplicate_of_a_case_outside_the_scope_is_400(client, case_world):
    w = case_world
    elsewhere = w.submit(actor=w.township_b, household=w.other_household)
    repeat = w.submit()

    response = send(
        as_(client, w.township),
        "post",
        transition_url(repeat),
        {"action": "duplicate", "duplicate_of": str(elsewhere.pk)},
    )

    assert response.status_code == 400 and "duplicate_of" in response.json()


def test_mediation_sessions_of_a_dispute(client, case_world):
    w = case_world
    dispute = w.submit(actor=w.township, kind="dispute", parties=[{"name": "Zhaxi", "role": "applicant"}])
    url = reverse("api-case-mediations", args=[dispute.pk])
    session = {"date": timezone.localdate().isoformat(), "mediators": "Village committee", "result": "partial"}

    recorded = send(as_(client, w.township), "post", url, session)
    refused = send(as_(client, w.cadre), "post", url, session)
    bad = send(as_(client, w.township), "post", url, {**session, "result": "maybe"})

    assert recorded.status_code == 201, recorded.content
    assert refused.status_code == 403 and bad.status_code == 400
    assert MediationSession.objects.count() == 1
    listed = as_(client, w.cadre).get(url).json()
    assert listed["count"] == 1 and listed["results"][0]["mediators"] == "Village committee"


def test_mediation_on_a_problem_is_403(client, case_world):
    w = case_world
    case = w.submit()

    response = send(
        as_(client, w.township),
        "post",
        reverse("api-case-mediations", args=[case.pk]),
        {"date": timezone.localdate().isoformat(), "mediators": "x", "result": "partial"},
    )

    assert response.status_code == 403 and not MediationSession.objects.exists()


def test_categories_are_reference_data(client, case_world):
    response = as_(client, case_world.cadre).get(CATEGORIES, {"page_size": 200})

    assert response.status_code == 200
    codes = [c["code"] for c in response.json()["results"]]
    assert "roads_transport" in codes and "education" in codes


# -- lists -------------------------------------------------------------------------------------------------------


def ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def cases(case_world):
    """A submitted case (A), an assigned one (A), an overdue one (A), a village-level one (A) and one in B."""
    w = case_world
    submitted = w.submit(description="Submitted road problem")
    assigned = w.to_status(w.submit(description="Assigned road problem", priority="urgent"), "assigned")
    overdue = w.to_status(w.submit(description="Overdue road problem"), "assigned")
    Case.objects.filter(pk=overdue.pk).update(deadline=timezone.localdate() - dt.timedelta(days=3))
    village_level = w.submit(actor=w.township, household=None, village=w.village_a, category="education")
    elsewhere = w.submit(actor=w.township_b, household=w.other_household, description="Sibling problem")
    return {
        "submitted": submitted,
        "assigned": assigned,
        "overdue": overdue,
        "village_level": village_level,
        "elsewhere": elsewhere,
    }


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("office", {"submitted", "assigned", "overdue", "village_level", "elsewhere"}),
        ("township", {"submitted", "assigned", "overdue", "village_level"}),
        ("township_b", {"elsewhere"}),
        ("department", {"submitted", "assigned", "overdue", "village_level"}),  # it supports township A
        ("education_staff", set()),
        ("cadre", {"submitted", "assigned", "overdue"}),
        ("other_cadre", set()),
    ],
)
def test_each_role_lists_the_cases_of_its_scope(client, case_world, cases, who, visible):
    w = case_world

    assert ids(as_(client, getattr(w, who)).get(CASES)) == {str(cases[name].pk) for name in visible}


def test_filters(client, case_world, cases):
    w = case_world
    as_(client, w.office)

    def listed(**params) -> set[str]:
        return {name for name, case in cases.items() if str(case.pk) in ids(client.get(CASES, params))}

    assert listed(status="assigned") == {"assigned", "overdue"}
    assert listed(overdue="true") == {"overdue"}
    assert listed(overdue="false") == {"submitted", "assigned", "village_level", "elsewhere"}
    assert listed(within="513224102") == {"elsewhere"}
    assert listed(village="513224101201") == {"submitted", "assigned", "overdue", "village_level"}
    assert listed(household=str(w.other_household.pk)) == {"elsewhere"}
    assert listed(category="education") == {"village_level"}
    assert listed(responsible_unit=w.transport.pk) == {"assigned", "overdue"}
    assert listed(priority="urgent") == {"assigned"}
    assert listed(kind="problem", level="village") == set(cases)
    assert listed(q="Sibling") == {"elsewhere"}
    assert listed(q=cases["overdue"].reference) == {"overdue"}
    first = client.get(CASES, {"ordering": "-priority"}).json()["results"][0]
    assert first["id"] == str(cases["assigned"].pk)
    overdue_row = next(r for r in client.get(CASES).json()["results"] if r["id"] == str(cases["overdue"].pk))
    assert overdue_row["overdue"] is True and overdue_row["days_overdue"] == 3
    assert overdue_row["allowed_actions"] == client.get(case_url(cases["overdue"])).json()["allowed_actions"]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "lost"},
        {"overdue": "maybe"},
        {"within": "51x"},
        {"responsible_unit": "x"},
        {"household": "x"},
        {"q": "road\x00"},
    ],
)
def test_bad_filters_are_400_with_an_object(client, case_world, cases, params):
    response = as_(client, case_world.office).get(CASES, params)

    assert response.status_code == 400 and isinstance(response.json(), dict)


# session, user, count, page (with category, village and unit joined), units with their departments, parties
CASE_LIST_QUERIES = 6


@pytest.mark.parametrize(("who", "extra"), [("township", 0), ("office", 0), ("department", 1)])
def test_the_list_query_count_does_not_depend_on_the_page_size(
    client, case_world, django_assert_max_num_queries, who, extra
):
    w = case_world
    for number in range(6):
        household = HouseholdFactory(village=w.village_a)
        PairingFactory(cadre=w.cadre.cadre, household=household)
        case = w.submit(household=household, kind="dispute", parties=[{"name": f"P{number}", "role": "applicant"}])
        w.to_status(case, "assigned")
    as_(client, getattr(w, who))
    for page_size in (1, 200):
        with django_assert_max_num_queries(CASE_LIST_QUERIES + extra):  # + the townships the department supports
            response = client.get(CASES, {"page_size": page_size})
        assert len(response.json()["results"]) == min(page_size, 6)


def test_the_cadre_list_query_count_does_not_depend_on_the_page_size(client, case_world, django_assert_max_num_queries):
    w = case_world
    for _ in range(6):
        w.to_status(w.submit(), "assigned")
    as_(client, w.cadre)
    for page_size in (1, 200):
        # + the cadre behind the account, looked up by the scope and (whole) by the actions allowed on each row
        with django_assert_max_num_queries(CASE_LIST_QUERIES + 2):
            response = client.get(CASES, {"page_size": page_size})
        assert len(response.json()["results"]) == min(page_size, 6)
        assert all(row["allowed_actions"] == [] for row in response.json()["results"])  # assigned: not its turn


def test_a_co_unit_part_shows_done_once_reported(client, case_world):
    w = case_world
    case = w.to_status(w.submit(), "in_progress")

    done = act(client, w.township, case, "part_done", note="Debris cleared.")

    assert [(p["unit"], p["status"], p["note"]) for p in done["co_units"]] == [
        (w.government_a.pk, PartStatus.DONE, "Debris cleared.")
    ]
    assert Case.objects.get().status == CaseStatus.IN_PROGRESS


@pytest.mark.parametrize("parties", [[{"phone": "1"}], [{"name": "Someone new", "role": "respondent"}]])
def test_parties_are_not_edited(client, case_world, parties):
    w = case_world
    case = w.submit(actor=w.township, kind="dispute", parties=[{"name": "Zhaxi", "role": "applicant"}])

    response = send(as_(client, w.township), "patch", case_url(case), {"parties": parties})

    assert response.status_code == 400 and "parties" in response.json()
    assert [p.name for p in case.parties.all()] == ["Zhaxi"]


def test_the_same_parties_are_no_change(client, case_world):
    w = case_world
    case = w.submit(actor=w.township, kind="dispute", parties=[{"name": "Zhaxi", "role": "applicant"}])

    response = send(
        as_(client, w.township), "patch", case_url(case), {"parties": [{"name": "Zhaxi", "role": "applicant"}]}
    )

    assert response.status_code == 200 and response.json()["version"] == 1


@pytest.mark.parametrize("who", ["office", "leader", "township", "township_b", "department", "cadre", "other_cadre"])
def test_each_list_row_offers_the_actions_its_own_page_offers(client, case_world, who):
    """The list works out what the caller may do from facts fetched once for the page; it must agree, case by
    case, with what the case's own page (one query per fact) says."""
    w = case_world
    for status in ["submitted", "accepted", "assigned", "in_progress", "resolved", "closed", "rejected"]:
        w.to_status(w.submit(), status)
    w.to_status(w.submit(w.township, household=None, village=w.village_a), "resolved")  # nobody's household

    as_(client, getattr(w, who))
    rows = client.get(CASES, {"page_size": 200}).json()["results"]

    assert rows or who in {"township_b", "other_cadre"}
    for row in rows:
        assert row["allowed_actions"] == client.get(case_url(row["id"])).json()["allowed_actions"], row["status"]
    if who == "cadre":
        resolved = [row for row in rows if row["status"] == "resolved"]
        assert resolved and all("close" in row["allowed_actions"] for row in resolved)
