"""The case pages: the list, a new case, the case page and its action forms, the unit inbox, the overdue board and
the household page's cases, for each role that uses them."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessEvent, AccessLog
from grievances.models import (
    AccountabilityKind,
    AccountabilityRecord,
    Case,
    CaseEvent,
    CaseStatus,
    DisputeParty,
    MediationSession,
    Notification,
)
from grievances.services import default_deadline

TODAY = timezone.localdate


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the pages' messages are asserted in English
    return client


def detail_url(case: Case) -> str:
    return reverse("grievances:detail", args=[case.pk])


def act_url(case: Case, action: str) -> str:
    return reverse("grievances:act", args=[case.pk, action])


def post_action(client, case: Case, action: str, version: int | None = None, **fields):
    data = {f"{action}-version": case.version if version is None else version}
    data.update({f"{action}-{name}": value for name, value in fields.items()})
    return client.post(act_url(case, action), data)


def events(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("at", "id").values_list("action", flat=True))


def snapshot(case: Case) -> tuple:
    case = Case.objects.get(pk=case.pk)
    return (case.status, case.version, case.responsible_unit_id, case.deadline, len(events(case)))


def make_cases(w, count: int, **fields) -> list[Case]:
    return [w.submit(title=f"Case {n}", **fields) for n in range(count)]


# -- the list ------------------------------------------------------------------------------------------------


@pytest.fixture
def two_townships(case_world):
    """A case in township A (the cadre's household) and one in township B."""
    w = case_world
    a = w.submit(title="Road A washed out")
    b = w.submit(actor=w.township_b, household=w.other_household, title="Bridge B cracked")
    return w, a, b


@pytest.mark.parametrize(
    ("who", "sees_a", "sees_b"),
    [
        ("office", True, True),
        ("leader", True, True),
        ("township", True, False),
        ("township_b", False, True),
        ("department", True, False),  # the transport bureau supports township A only
        ("education_staff", False, False),
        ("cadre", True, False),
        ("other_cadre", False, False),
    ],
)
def test_the_list_shows_the_cases_in_the_role_scope_only(client, two_townships, who, sees_a, sees_b):
    w, a, b = two_townships
    client.force_login(getattr(w, who))

    body = client.get(reverse("grievances:list")).content.decode()

    assert (a.reference in body) is sees_a
    assert (b.reference in body) is sees_b
    assert (w.other_household.head_name in body) is sees_b


def test_the_list_shows_the_columns_and_marks_overdue_cases(client, case_world):
    w = case_world
    case = w.to_status(w.submit(title="Culvert blocked"), "assigned")
    Case.objects.filter(pk=case.pk).update(deadline=TODAY() - dt.timedelta(days=3))
    client.force_login(w.township)

    body = client.get(reverse("grievances:list")).content.decode()

    for text in (case.reference, "Culvert blocked", w.village_a.name, w.household.head_name, "Assigned"):
        assert text in body
    assert w.transport.name in body
    assert "overdue 3 days" in body and 'class="overdue"' in body


def test_the_list_filters(client, case_world):
    w = case_world
    road = w.to_status(w.submit(title="Road"), "assigned")
    school = w.submit(title="School bus", category="education")
    dispute = w.submit(title="Pasture boundary", kind="dispute")
    late = w.to_status(w.submit(title="Late road"), "assigned")
    Case.objects.filter(pk=late.pk).update(deadline=TODAY() - dt.timedelta(days=1))
    elsewhere = w.submit(actor=w.office, household=w.other_household, title="Elsewhere")
    client.force_login(w.office)

    def listed(**params) -> set[str]:
        body = client.get(reverse("grievances:list"), params).content.decode()
        return {c.title for c in (road, school, dispute, late, elsewhere) if c.reference in body}

    assert listed(status="assigned") == {"Road", "Late road"}
    assert listed(category="education") == {"School bus"}
    assert listed(kind="dispute") == {"Pasture boundary"}
    assert listed(overdue="yes") == {"Late road"}
    assert "Late road" not in listed(overdue="no")
    assert listed(unit=w.transport.pk) == {"Road", "Late road"}
    assert listed(village=w.village_b.code) == {"Elsewhere"}
    assert listed(village=w.village_b.parent_id) == {"Elsewhere"}  # a township: its villages
    assert listed(q=school.reference) == {"School bus"}
    assert listed(q="boundary") == {"Pasture boundary"}
    assert listed(status="nonsense") == {"Road", "School bus", "Pasture boundary", "Late road", "Elsewhere"}


def test_the_list_sorts_by_deadline_and_by_creation(client, case_world):
    w = case_world
    first, second = w.to_status(w.submit(title="First"), "assigned"), w.to_status(w.submit(title="Second"), "assigned")
    Case.objects.filter(pk=first.pk).update(deadline=TODAY() + dt.timedelta(days=20))
    Case.objects.filter(pk=second.pk).update(deadline=TODAY() + dt.timedelta(days=5))
    client.force_login(w.township)

    def order(sort: str) -> list[str]:
        return [c.reference for c in client.get(reverse("grievances:list"), {"sort": sort}).context["page"]]

    assert order("deadline") == [second.reference, first.reference]
    assert order("-deadline") == [first.reference, second.reference]
    assert order("created") == [first.reference, second.reference]
    assert order("-created") == [second.reference, first.reference]


def test_the_list_pages_by_fifty(client, case_world):
    w = case_world
    make_cases(w, 52)
    client.force_login(w.township)

    first = client.get(reverse("grievances:list"))
    second = client.get(reverse("grievances:list"), {"page": 2, "kind": "problem"})

    assert len(first.context["page"]) == 50 and len(second.context["page"]) == 2
    assert "52 cases" in first.content.decode()
    assert "kind=problem&amp;page=1" in second.content.decode()  # the filters stay on the page links


@pytest.mark.parametrize("who", ["township", "office", "department", "cadre"])
def test_the_list_query_count_does_not_grow_with_the_rows(client, case_world, django_assert_max_num_queries, who):
    w = case_world
    for case in make_cases(w, 2):
        w.to_status(case, "assigned")
    client.force_login(getattr(w, who))
    url = reverse("grievances:list")
    client.get(url)  # warm up (session, content types)
    with django_assert_max_num_queries(12) as few:
        client.get(url, {"sort": "deadline"})
    for case in make_cases(w, 30):
        w.to_status(case, "assigned")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"sort": "deadline"})
    assert len(response.context["page"]) == 32


# -- a new case ----------------------------------------------------------------------------------------------


def new_case_data(**fields) -> dict:
    data = {
        "kind": "problem",
        "category": "roads_transport",
        "source": "visit",
        "priority": "normal",
        "title": "",
        "description": "The lane to the school floods when it rains.",
        "parties-TOTAL_FORMS": "3",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "10",
    }
    data.update(fields)
    return data


def test_township_staff_report_a_problem_for_a_household_from_its_page(client, case_world):
    w = case_world
    client.force_login(w.township)
    household_page = client.get(reverse("households:detail", args=[w.household.pk])).content.decode()
    link = f"{reverse('grievances:new')}?household={w.household.pk}"
    assert link in household_page

    form = client.get(link)
    response = client.post(link, new_case_data())

    assert w.household.head_name in form.content.decode()
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == detail_url(case)
    assert (case.household, case.village, case.reported_by, case.status) == (
        w.household,
        w.village_a,
        w.township,
        CaseStatus.SUBMITTED,
    )
    assert events(case) == ["submit"]
    page = client.get(response.url).content.decode()
    assert case.reference in page and "was listed" in page
    assert case.reference in client.get(reverse("households:detail", args=[w.household.pk])).content.decode()


def test_a_dispute_is_listed_with_its_parties(client, case_world):
    w = case_world
    client.force_login(w.township)
    data = new_case_data(
        kind="dispute",
        category="land_forest_grassland",
        **{
            "household": str(w.household.pk),
            "parties-0-name": "扎西",
            "parties-0-role": "applicant",
            "parties-0-phone": "13800005555",
            "parties-1-name": "卓玛",
            "parties-1-role": "respondent",
            "parties-2-role": "other",
        },
    )

    response = client.post(reverse("grievances:new"), data)

    case = Case.objects.get()
    assert response.status_code == 302 and case.kind == "dispute"
    assert sorted(DisputeParty.objects.filter(case=case).values_list("name", "role")) == [
        ("卓玛", "respondent"),
        ("扎西", "applicant"),
    ]


def test_parties_on_a_problem_are_refused_on_the_form_and_nothing_is_listed(client, case_world):
    w = case_world
    client.force_login(w.township)
    data = new_case_data(household=str(w.household.pk), **{"parties-0-name": "扎西", "parties-0-role": "applicant"})

    response = client.post(reverse("grievances:new"), data)

    assert response.status_code == 200 and "Only disputes have parties." in response.content.decode()
    assert not Case.objects.exists()


def test_bad_input_shows_the_form_with_its_errors(client, case_world):
    w = case_world
    client.force_login(w.township)

    response = client.post(reverse("grievances:new"), new_case_data(description="", village=w.village_a.code))

    assert response.status_code == 200 and response.context["form"].errors["description"]
    assert not Case.objects.exists()


def test_township_staff_without_a_household_choose_a_village_of_their_township(client, case_world):
    w = case_world
    client.force_login(w.township)

    choices = [v.code for v in client.get(reverse("grievances:new")).context["form"].fields["village"].queryset]
    outside = client.post(reverse("grievances:new"), new_case_data(village=w.village_b.code))
    inside = client.post(reverse("grievances:new"), new_case_data(village=w.village_a.code))

    assert choices == [w.village_a.code]
    assert outside.status_code == 200 and outside.context["form"].errors["village"]
    assert inside.status_code == 302
    assert Case.objects.get().village == w.village_a and Case.objects.get().household is None


def test_a_cadre_chooses_among_its_own_households(client, case_world):
    w = case_world
    client.force_login(w.cadre)

    field = client.get(reverse("grievances:new")).context["form"].fields["household_choice"]
    response = client.post(reverse("grievances:new"), new_case_data(household_choice=str(w.household.pk)))

    assert list(field.queryset) == [w.household]
    assert response.status_code == 302 and Case.objects.get().reporter_cadre.user == w.cadre


@pytest.mark.parametrize("who", ["leader", "department", "education_staff"])
def test_roles_that_do_not_list_cases_are_refused_the_form(client, case_world, who):
    w = case_world
    client.force_login(getattr(w, who))

    assert client.get(reverse("grievances:new")).status_code == 403
    assert client.post(reverse("grievances:new"), new_case_data(village=w.village_a.code)).status_code == 403
    assert not Case.objects.exists()


@pytest.mark.parametrize("who", ["township_b", "other_cadre"])
def test_a_household_outside_the_scope_is_not_found(client, case_world, who):
    w = case_world
    client.force_login(getattr(w, who))
    url = f"{reverse('grievances:new')}?household={w.household.pk}"

    assert client.get(url).status_code == 404
    assert client.post(url, new_case_data()).status_code == 404
    assert not Case.objects.exists()


# -- the case page -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "who", "buttons"),
    [
        ("submitted", "township", {"accept", "reject", "duplicate"}),
        ("submitted", "office", {"accept", "reject", "duplicate"}),
        ("submitted", "cadre", set()),
        ("submitted", "leader", set()),
        ("accepted", "township", {"assign", "reject", "duplicate", "escalate"}),
        ("assigned", "department", {"start", "escalate"}),
        ("assigned", "township", {"reassign", "escalate", "part_done"}),
        ("in_progress", "department", {"resolve", "escalate"}),
        ("resolved", "cadre", {"close", "reopen"}),
        ("closed", "office", {"reopen"}),
        ("closed", "township", set()),
    ],
)
def test_the_case_page_offers_the_actions_the_role_may_take_now(client, case_world, status, who, buttons):
    w = case_world
    case = w.to_status(w.submit(), status)
    client.force_login(getattr(w, who))

    response = client.get(detail_url(case))

    assert response.status_code == 200
    assert {str(entry["action"]) for entry in response.context["action_forms"]} == buttons
    body = response.content.decode()
    for action in buttons:
        assert act_url(case, action) in body
    assert act_url(case, "start") in body or "start" not in buttons


def test_the_case_page_shows_details_units_accountability_and_timeline(client, case_world):
    w = case_world
    case = w.to_status(w.submit(title="Road to the pasture"), "in_progress")
    AccountabilityRecord.objects.create(
        case=case, unit=w.transport, kind=AccountabilityKind.SUPERVISION, deadline=TODAY(), days_overdue=2
    )
    client.force_login(w.office)

    body = client.get(detail_url(case)).content.decode()

    for text in (case.reference, "Road to the pasture", w.household.head_name, "县交通运输局", w.government_a.name):
        assert text in body
    assert "Lead unit" in body and "Co-responsible unit" in body and "Supervision notice" in body
    for label in ("Submitted", "Accepted", "Assigned", "Work started"):
        assert label in body
    assert f"deadline: {case.deadline.isoformat()}" in body


@pytest.mark.parametrize("who", ["township_b", "education_staff", "other_cadre"])
def test_a_case_outside_the_scope_is_not_found_and_the_attempt_logged(client, case_world, who):
    w = case_world
    case = w.submit()
    client.force_login(getattr(w, who))
    before = AccessLog.objects.filter(event=AccessEvent.ACCESS_DENIED).count()

    assert client.get(detail_url(case)).status_code == 404
    assert post_action(client, case, "accept").status_code == 404
    assert AccessLog.objects.filter(event=AccessEvent.ACCESS_DENIED).count() == before + 2
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED


def test_the_assign_form_defaults_to_the_routed_unit_and_the_policy_deadline(client, case_world):
    w = case_world
    case = w.to_status(w.submit(), "accepted")
    client.force_login(w.township)

    form = next(e["form"] for e in client.get(detail_url(case)).context["action_forms"] if e["action"] == "assign")

    assert form.initial["unit"] == w.transport.pk
    assert form.initial["co_units"] == [w.government_a.pk]
    expected = default_deadline(category_id="roads_transport", priority="normal", start=TODAY())
    assert form.initial["deadline"] == expected
    assert form.initial["version"] == case.version


# -- actions through their forms -----------------------------------------------------------------------------


def test_an_action_through_its_form_changes_the_case_and_writes_an_event(client, case_world):
    w = case_world
    case = w.submit()
    client.force_login(w.township)

    response = post_action(client, case, "accept", note="Checked on the phone.")

    assert response.status_code == 302 and response.url == detail_url(case)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and events(case) == ["submit", "accept"]
    assert CaseEvent.objects.get(case=case, action="accept").note == "Checked on the phone."
    assert "The case is now" in client.get(response.url).content.decode()


def test_assigning_to_another_unit_than_the_routed_one_needs_a_reason(client, case_world):
    w = case_world
    case = w.to_status(w.submit(), "accepted")
    client.force_login(w.township)
    deadline = (TODAY() + dt.timedelta(days=12)).isoformat()

    refused = post_action(client, case, "assign", unit=w.education.pk, deadline=deadline)
    before = snapshot(case)
    done = post_action(client, case, "assign", unit=w.education.pk, deadline=deadline, reason="The school road.")

    assert refused.status_code == 200 and "routing table" in refused.content.decode()
    assert refused.context["action_forms"][0]["open"]
    assert before[0] == CaseStatus.ACCEPTED and before[4] == 2
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSIGNED and case.responsible_unit == w.education
    assert case.deadline.isoformat() == deadline
    assert CaseEvent.objects.get(case=case, action="assign").detail["reason"] == "The school road."


def test_township_staff_refer_an_assigned_case_to_another_unit(client, case_world):
    w = case_world
    case = w.to_status(w.submit(), "assigned")
    client.force_login(w.township)
    form = next(e["form"] for e in client.get(detail_url(case)).context["action_forms"] if e["action"] == "reassign")

    response = post_action(
        client, case, "reassign", unit=w.education.pk, deadline=TODAY() + dt.timedelta(days=9), reason="A school road."
    )

    assert "unit" not in form.initial  # a referral names its unit deliberately
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.responsible_unit == w.education and events(case)[-1] == "reassign"
    assert Notification.objects.filter(case=case, unit=w.transport, kind="referred_away").exists()


def test_the_whole_life_through_the_forms(client, case_world):
    w = case_world
    case = w.submit()
    steps = [
        (w.township, "accept", {}),
        (w.township, "assign", {"unit": w.transport.pk, "co_units": [w.government_a.pk], "deadline": TODAY()}),
        (w.department, "start", {}),
        (w.township, "part_done", {"note": "Debris cleared."}),
        (w.department, "resolve", {"note": "Road rebuilt."}),
        (w.cadre, "close", {"satisfaction": "satisfied", "note": "Thanks."}),
    ]
    for actor, action, fields in steps:
        client.force_login(actor)
        response = post_action(client, Case.objects.get(pk=case.pk), action, **fields)
        assert response.status_code == 302, (action, response.content.decode()[:2000])

    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.satisfaction == "satisfied"
    assert events(case) == ["submit", "accept", "assign", "start", "part_done", "resolve", "close"]
    body = client.get(detail_url(case)).content.decode()
    assert "Confirmed and closed" in body and "household: Satisfied" in body


@pytest.mark.parametrize(
    ("status", "who", "action"),
    [
        ("submitted", "cadre", "accept"),
        ("submitted", "leader", "reject"),
        ("assigned", "township", "start"),
        ("assigned", "education_staff", "start"),  # sees nothing: 404 below
        ("in_progress", "cadre", "resolve"),
        ("resolved", "department", "close"),
        ("closed", "township", "reopen"),
    ],
)
def test_a_refused_action_changes_nothing(client, case_world, status, who, action):
    w = case_world
    case = w.to_status(w.submit(), status)
    before = snapshot(case)
    client.force_login(getattr(w, who))
    denied = AccessLog.objects.filter(event=AccessEvent.ACCESS_DENIED).count()

    response = post_action(client, case, action, note="Trying.", satisfaction="satisfied")

    assert response.status_code == (404 if who == "education_staff" else 403)
    assert snapshot(case) == before
    assert not Notification.objects.filter(case=case, read_at__isnull=False).exists()
    assert AccessLog.objects.filter(event=AccessEvent.ACCESS_DENIED).count() == denied + 1


def test_an_action_the_status_does_not_allow_says_so_and_changes_nothing(client, case_world):
    w = case_world
    case = w.submit()
    before = snapshot(case)
    client.force_login(w.township)

    response = post_action(client, case, "assign", unit=w.transport.pk, deadline=TODAY())

    assert response.status_code == 409
    assert "is not possible while the case is" in response.content.decode()
    assert snapshot(case) == before


def test_a_stale_form_is_refused_with_a_reload_message(client, case_world):
    w = case_world
    case = w.submit()
    seen = case.version
    w.take(case, "accept", w.office)  # someone else acted in the meantime
    before = snapshot(case)
    client.force_login(w.township)

    response = post_action(client, case, "reject", version=seen, note="Not a public matter.")

    assert response.status_code == 409
    body = response.content.decode()
    assert "changed by someone else" in body and "Reload the case" in body
    assert snapshot(case) == before


def test_an_action_form_without_the_version_is_refused(client, case_world):
    w = case_world
    case = w.submit()
    client.force_login(w.township)

    response = client.post(act_url(case, "accept"), {})

    assert response.status_code == 400 and Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED


def test_bad_input_in_an_action_form_is_shown_with_the_form_open(client, case_world):
    w = case_world
    case = w.submit()
    client.force_login(w.township)

    response = post_action(client, case, "reject", note="")

    assert response.status_code == 200
    entry = next(e for e in response.context["action_forms"] if e["action"] == "reject")
    assert entry["open"] and entry["form"].errors["note"]
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED


def test_an_unknown_action_is_not_found(client, case_world):
    w = case_world
    case = w.submit()
    client.force_login(w.township)

    assert client.post(act_url(case, "explode"), {}).status_code == 404


def test_a_duplicate_names_the_original_by_its_reference(client, case_world):
    w = case_world
    original, repeat = w.submit(title="Original"), w.submit(title="Repeat")
    client.force_login(w.township)

    unknown = post_action(client, repeat, "duplicate", duplicate_of="SP-1999-000001")
    done = post_action(client, repeat, "duplicate", duplicate_of=original.reference.lower())

    assert unknown.status_code == 200 and unknown.context["action_forms"][-1]["form"].errors
    assert done.status_code == 302
    repeat.refresh_from_db()
    assert repeat.status == CaseStatus.DUPLICATE and repeat.duplicate_of == original


def test_a_duplicate_cannot_name_a_case_outside_the_scope(client, case_world):
    w = case_world
    elsewhere = w.submit(actor=w.township_b, household=w.other_household)
    repeat = w.submit()
    client.force_login(w.township)

    response = post_action(client, repeat, "duplicate", duplicate_of=elsewhere.reference)

    assert response.status_code == 200 and "that you can see" in response.content.decode()
    assert Case.objects.get(pk=repeat.pk).status == CaseStatus.SUBMITTED


def test_a_household_not_satisfied_reopens_the_case(client, case_world):
    w = case_world
    case = w.to_status(w.submit(), "resolved")
    client.force_login(w.cadre)

    missing_note = post_action(client, case, "close", satisfaction="not_satisfied")
    assert missing_note.status_code == 200 and Case.objects.get(pk=case.pk).status == CaseStatus.RESOLVED
    assert "not satisfied with" in missing_note.content.decode()
    done = post_action(client, case, "close", satisfaction="not_satisfied", note="Still floods.")

    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_PROGRESS and events(case)[-1] == "reopen"


# -- disputes ------------------------------------------------------------------------------------------------


@pytest.fixture
def dispute(case_world):
    w = case_world
    case = w.submit(kind="dispute", category="land_forest_grassland", parties=[{"name": "扎西", "role": "applicant"}])
    return w, w.to_status(case, "accepted")


def test_a_dispute_is_resolved_with_its_outcome(client, dispute):
    w, case = dispute
    case = w.take(case, "assign", w.township, unit=w.government_a.pk, co_units=[], reason="Township mediates.")
    case = w.take(case, "start", w.township)
    client.force_login(w.township)

    page = client.get(detail_url(case))
    missing = post_action(client, case, "resolve", note="Boundary agreed.")
    assert missing.status_code == 200 and Case.objects.get(pk=case.pk).status == CaseStatus.IN_PROGRESS
    done = post_action(client, case, "resolve", note="Boundary agreed.", outcome="agreement")

    assert "outcome" in next(e["form"] for e in page.context["action_forms"] if e["action"] == "resolve").fields
    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).dispute_outcome == "agreement"


def test_township_staff_record_a_mediation_session_and_add_a_party(client, dispute):
    w, case = dispute
    client.force_login(w.township)

    page = client.get(detail_url(case)).content.decode()
    bad = client.post(reverse("grievances:mediation", args=[case.pk]), {"mediation-date": "", "mediation-result": "x"})
    mediation = client.post(
        reverse("grievances:mediation", args=[case.pk]),
        {
            "mediation-date": TODAY().isoformat(),
            "mediation-place": "村委会",
            "mediation-mediators": "调解员甲",
            "mediation-result": "partial",
            "mediation-note": "Agreed on the upper boundary.",
        },
    )
    party = client.post(
        reverse("grievances:party-add", args=[case.pk]),
        {"party-name": "卓玛", "party-role": "respondent", "party-phone": "", "party-note": ""},
    )

    assert "Record a mediation session" in page and "扎西" in page
    assert bad.status_code == 200 and bad.context["mediation_form"].errors
    assert mediation.status_code == 302 and party.status_code == 302
    session = MediationSession.objects.get(case=case)
    assert (session.mediators, session.result, session.recorded_by) == ("调解员甲", "partial", w.township)
    assert events(case)[-1] == "mediation"
    assert DisputeParty.objects.filter(case=case).count() == 2
    body = client.get(detail_url(case)).content.decode()
    assert "调解员甲" in body and "卓玛" in body and "Mediation session" in body


@pytest.mark.parametrize("who", ["cadre", "leader"])
def test_mediation_by_a_role_not_handling_the_dispute_is_refused(client, dispute, who):
    w, case = dispute
    client.force_login(getattr(w, who))

    assert "Record a mediation session" not in client.get(detail_url(case)).content.decode()
    response = client.post(
        reverse("grievances:mediation", args=[case.pk]),
        {"mediation-date": TODAY().isoformat(), "mediation-mediators": "X", "mediation-result": "partial"},
    )

    assert response.status_code == 403 and not MediationSession.objects.exists()


def test_mediation_on_a_problem_is_refused(client, case_world):
    w = case_world
    case = w.submit()
    client.force_login(w.township)

    response = client.post(
        reverse("grievances:mediation", args=[case.pk]),
        {"mediation-date": TODAY().isoformat(), "mediation-mediators": "X", "mediation-result": "partial"},
    )

    assert response.status_code == 403 and not MediationSession.objects.exists()


# -- the unit inbox ------------------------------------------------------------------------------------------


def test_department_staff_see_their_units_cases_most_urgent_first_with_notifications(client, case_world):
    w = case_world
    later = w.to_status(w.submit(title="Later"), "assigned")
    sooner = w.to_status(w.submit(title="Sooner"), "assigned")
    late = w.to_status(w.submit(title="Late"), "in_progress")
    untouched = w.submit(title="Not assigned")
    Case.objects.filter(pk=later.pk).update(deadline=TODAY() + dt.timedelta(days=20))
    Case.objects.filter(pk=sooner.pk).update(deadline=TODAY() + dt.timedelta(days=2))
    Case.objects.filter(pk=late.pk).update(deadline=TODAY() - dt.timedelta(days=4))
    client.force_login(w.department)

    response = client.get(reverse("grievances:inbox"))

    assert [c.title for c in response.context["page"]] == ["Late", "Sooner", "Later"]
    body = response.content.decode()
    assert untouched.reference not in body
    assert "overdue 4 days" in body and 'class="overdue"' in body
    assert "A case was assigned to the unit" in body
    assert len(response.context["notifications"]) == 3


@pytest.mark.parametrize("value", ["\u00b2", "\u0663", "1" * 5000, "99999999999999999999999", "-1", "1.0", ""])
def test_marking_notifications_read_with_an_id_that_is_no_number_is_400_and_marks_nothing(client, case_world, value):
    w = case_world
    w.to_status(w.submit(), "assigned")
    client.force_login(w.department)
    unread = len(client.get(reverse("grievances:inbox")).context["notifications"])

    response = client.post(reverse("grievances:inbox-read"), {"id": ["1", value]})

    assert response.status_code == 400
    assert len(client.get(reverse("grievances:inbox")).context["notifications"]) == unread > 0


def test_township_staff_see_the_cases_where_their_government_has_a_part(client, case_world):
    w = case_world
    shared = w.to_status(w.submit(title="Shared road"), "assigned")  # the routing rule adds township A's government
    school = w.take(w.to_status(w.submit(title="School", category="education"), "accepted"), "assign", w.township)
    client.force_login(w.township)

    titles = [c.title for c in client.get(reverse("grievances:inbox")).context["page"]]
    w.take(shared, "part_done", w.township, note="Debris cleared.")
    after = [c.title for c in client.get(reverse("grievances:inbox")).context["page"]]

    assert school.responsible_unit == w.education
    assert titles == ["Shared road"] and after == []


def test_education_staff_do_not_see_the_transport_bureaus_cases(client, case_world):
    w = case_world
    case = w.to_status(w.submit(), "assigned")
    client.force_login(w.education_staff)

    response = client.get(reverse("grievances:inbox"))

    assert list(response.context["page"]) == [] and case.reference not in response.content.decode()


def test_notifications_are_marked_read_one_or_all(client, case_world):
    w = case_world
    w.to_status(w.submit(), "assigned")
    w.to_status(w.submit(), "assigned")
    client.force_login(w.department)
    first, second = Notification.objects.filter(unit=w.transport).order_by("id")
    other_unit = Notification.objects.filter(unit=w.government_a).first()

    one = client.post(reverse("grievances:inbox-read"), {"id": [first.pk, other_unit.pk]})
    assert one.status_code == 302
    assert list(Notification.objects.filter(read_at__isnull=False).values_list("pk", flat=True)) == [first.pk]
    client.post(reverse("grievances:inbox-read"), {"all": "1"})

    assert Notification.objects.get(pk=second.pk).read_by == w.department
    assert Notification.objects.get(pk=other_unit.pk).read_at is None  # another unit's stays unread
    assert list(client.get(reverse("grievances:inbox")).context["notifications"]) == []


@pytest.mark.parametrize("who", ["leader", "office", "cadre"])
def test_roles_without_a_unit_have_no_inbox(client, case_world, who):
    w = case_world
    client.force_login(getattr(w, who))

    assert client.get(reverse("grievances:inbox")).status_code == 403
    assert client.post(reverse("grievances:inbox-read"), {"all": "1"}).status_code == 403


def test_the_inbox_query_count_does_not_grow_with_the_rows(client, case_world, django_assert_max_num_queries):
    w = case_world
    for case in make_cases(w, 2):
        w.to_status(case, "assigned")
    client.force_login(w.department)
    url = reverse("grievances:inbox")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for case in make_cases(w, 20):
        w.to_status(case, "assigned")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"]) == 22


# -- the overdue board ---------------------------------------------------------------------------------------


def test_the_overdue_board_ranks_units_by_overdue_cases(client, case_world):
    w = case_world
    road_late = w.to_status(w.submit(), "assigned")
    road_late_2 = w.to_status(w.submit(), "in_progress")
    w.to_status(w.submit(), "assigned")
    school_late = w.take(w.to_status(w.submit(category="education"), "accepted"), "assign", w.township)
    closed = w.to_status(w.submit(), "closed")
    Case.objects.filter(pk__in=[road_late.pk, road_late_2.pk, school_late.pk]).update(
        deadline=TODAY() - dt.timedelta(days=2)
    )
    Case.objects.filter(pk=closed.pk).update(created_at=closed.closed_at - dt.timedelta(days=4, hours=12))
    AccountabilityRecord.objects.create(
        case=road_late, unit=w.transport, kind=AccountabilityKind.SUPERVISION, deadline=TODAY(), days_overdue=1
    )
    AccountabilityRecord.objects.create(
        case=road_late, unit=w.transport, kind=AccountabilityKind.PENALTY, deadline=TODAY(), days_overdue=5
    )
    client.force_login(w.office)

    response = client.get(reverse("grievances:overdue"))

    rows = response.context["rows"]
    assert [(r.name, r.overdue) for r in rows] == [("县交通运输局", 2), ("县教育局", 1)]
    transport = rows[0]
    assert (transport.open, transport.closed, transport.cases) == (3, 1, 4)
    assert transport.average_days_to_close == 4.5
    assert (transport.supervisions, transport.penalties) == (1, 1)
    assert rows[1].average_days_to_close is None
    link = f"{reverse('grievances:list')}?unit={w.transport.pk}&amp;overdue=yes"
    assert link in response.content.decode()
    listed = client.get(reverse("grievances:list"), {"unit": w.transport.pk, "overdue": "yes"})
    assert {c.pk for c in listed.context["page"]} == {road_late.pk, road_late_2.pk}


def test_the_overdue_board_counts_only_the_cases_in_scope(client, case_world):
    w = case_world
    case = w.to_status(w.submit(), "assigned")
    Case.objects.filter(pk=case.pk).update(deadline=TODAY() - dt.timedelta(days=2))
    client.force_login(w.leader)

    rows = client.get(reverse("grievances:overdue")).context["rows"]

    assert [(r.name, r.overdue) for r in rows] == [("县交通运输局", 1)]


def test_the_overdue_board_is_computed_in_a_fixed_number_of_queries(client, case_world, django_assert_max_num_queries):
    w = case_world
    w.to_status(w.submit(), "assigned")
    client.force_login(w.office)
    url = reverse("grievances:overdue")
    client.get(url)
    with django_assert_max_num_queries(8) as few:
        client.get(url)
    for _ in range(6):
        case = w.to_status(w.submit(), "closed")
        AccountabilityRecord.objects.create(
            case=case, unit=w.transport, kind=AccountabilityKind.SUPERVISION, deadline=TODAY(), days_overdue=1
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert [(r.closed, r.supervisions) for r in response.context["rows"]] == [(6, 6)]


@pytest.mark.parametrize("who", ["township", "department", "cadre"])
def test_the_overdue_board_is_for_the_county_office_and_leaders(client, case_world, who):
    client.force_login(getattr(case_world, who))

    assert client.get(reverse("grievances:overdue")).status_code == 403


# -- navigation and the household page -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "links"),
    [
        ("office", {"list", "new", "overdue"}),
        ("leader", {"list", "overdue"}),
        ("township", {"list", "new", "inbox"}),
        ("department", {"list", "inbox"}),
        ("cadre", {"list", "new"}),
    ],
)
def test_the_navigation_links_the_pages_the_role_may_use(client, case_world, who, links):
    client.force_login(getattr(case_world, who))

    body = client.get(reverse("home")).content.decode()

    for name in ("list", "new", "inbox", "overdue"):
        assert (f'href="{reverse(f"grievances:{name}")}"' in body) is (name in links), name


@pytest.mark.parametrize(("who", "may_report"), [("township", True), ("cadre", True), ("department", False)])
def test_the_household_page_lists_its_cases(client, case_world, who, may_report):
    w = case_world
    case = w.submit(title="Roof leaks")
    w.submit(actor=w.township_b, household=w.other_household, title="Other household")
    client.force_login(getattr(w, who))

    body = client.get(reverse("households:detail", args=[w.household.pk])).content.decode()

    assert case.reference in body and "Roof leaks" in body and "Other household" not in body
    assert (f"{reverse('grievances:new')}?household={w.household.pk}" in body) is may_report
