"""Cases in the admin: the county office edits the configuration (categories, routing, deadlines); cases, their
timeline and accountability are read there and never written; every list goes through the caller's scope."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from grievances.models import (
    AccountabilityRecord,
    Case,
    CaseCategory,
    CaseEvent,
    CaseStatus,
    DeadlinePolicy,
    RoutingRule,
)
from grievances.services import case_transition, overdue_sweep, route_for
from tests.factories import township


def staff(user: User) -> User:
    """Let a role's account into the admin, as the demo does for the county office."""
    User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def office_client(client, case_world):
    client.force_login(staff(case_world.office))
    return client


@pytest.fixture
def township_client(client, case_world):
    client.force_login(staff(case_world.township))
    return client


# -- configuration ---------------------------------------------------------------------------------------------


def test_the_office_adds_a_routing_rule_and_the_next_assignment_follows_it(office_client, case_world):
    w = case_world
    # When the office routes health cases of township A to the education bureau, the township sharing the work
    response = office_client.post(
        reverse("admin:grievances_routingrule_add"),
        {"category": "health", "township": w.village_a.parent_id, "unit": w.education.pk, "with_township": "on"},
    )
    # Then the rule is saved and the services use it
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = RoutingRule.objects.get(category_id="health")
    assert (rule.township_id, rule.unit, rule.with_township) == (w.village_a.parent_id, w.education, True)
    case = w.submit(category="health")
    route = route_for(case)
    assert route.unit == w.education and list(route.co_units) == [w.government_a]


def test_the_office_edits_a_routing_rule_and_a_deadline_policy(office_client, case_world):
    w = case_world
    rule = RoutingRule.objects.get(category_id="roads_transport", township__isnull=True)
    policy = DeadlinePolicy.objects.get(category__isnull=True, priority="normal")

    rule_response = office_client.post(
        reverse("admin:grievances_routingrule_change", args=[rule.pk]),
        {"category": "roads_transport", "unit": w.transport.pk, "co_units": [w.education.pk]},
    )
    policy_response = office_client.post(
        reverse("admin:grievances_deadlinepolicy_change", args=[policy.pk]),
        {"priority": "normal", "days": 20, "grace_days": 7},
    )

    assert [rule_response.status_code, policy_response.status_code] == [302, 302]
    rule.refresh_from_db()
    policy.refresh_from_db()
    assert (rule.with_township, list(rule.co_units.all())) == (False, [w.education])
    assert (policy.days, policy.grace_days) == (20, 7)


ENGLISH = {"accept-language": "en"}
POLICY_ADD, RULE_ADD = "admin:grievances_deadlinepolicy_add", "admin:grievances_routingrule_add"


@pytest.mark.parametrize(
    ("url_name", "data", "message"),
    [
        # a second catch-all "normal" policy (the migration's is there already)
        (POLICY_ADD, {"priority": "normal", "days": 5, "grace_days": 1}, "for every category at this priority already"),
        (
            POLICY_ADD,
            {"priority": "high", "category": "income", "days": 0, "grace_days": 1},
            "must be at least 1",
        ),
        # a second county-wide rule for roads
        (RULE_ADD, {"category": "roads_transport", "unit": "transport"}, "has a county-wide rule already"),
        (RULE_ADD, {"category": "health", "unit": "transport", "co_units": ["transport"]}, "cannot also be"),
        (RULE_ADD, {"category": "health", "unit": "transport", "township": "513224101201"}, "not a township"),
        (RULE_ADD, {"category": "health", "unit": "transport", "township": "513225101"}, "outside your area"),
    ],
)
def test_bad_configuration_is_shown_on_the_form_and_saves_nothing(office_client, case_world, url_name, data, message):
    w = case_world
    township("513225101")  # a township of another county
    data = {key: _resolve(w, value) for key, value in data.items()}
    rules, policies = RoutingRule.objects.count(), DeadlinePolicy.objects.count()

    response = office_client.post(reverse(url_name), data, headers=ENGLISH)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in str(errors), errors
    assert (RoutingRule.objects.count(), DeadlinePolicy.objects.count()) == (rules, policies)


def _resolve(world, value):
    if value == "transport":
        return world.transport.pk
    if isinstance(value, list):
        return [_resolve(world, item) for item in value]
    return value


def test_township_staff_read_the_configuration_but_cannot_change_it(township_client, case_world):
    w = case_world
    RoutingRule.objects.create(category_id="health", township_id="513224101", unit=w.government_a)
    RoutingRule.objects.create(category_id="health", township_id="513224102", unit=w.government_b)
    rule = RoutingRule.objects.get(category_id="roads_transport")
    policy = DeadlinePolicy.objects.get(category__isnull=True, priority="normal")

    listing = township_client.get(reverse("admin:grievances_routingrule_changelist"))
    refused = [
        township_client.post(
            reverse("admin:grievances_routingrule_change", args=[rule.pk]),
            {"category": "roads_transport", "unit": w.education.pk},
        ),
        township_client.post(
            reverse("admin:grievances_deadlinepolicy_change", args=[policy.pk]),
            {"priority": "normal", "days": 1, "grace_days": 1},
        ),
        township_client.post(
            reverse("admin:grievances_routingrule_add"), {"category": "other", "unit": w.education.pk}
        ),
        township_client.post(reverse("admin:grievances_deadlinepolicy_delete", args=[policy.pk]), {"post": "yes"}),
    ]

    assert listing.status_code == 200
    shown = {r.township_id for r in listing.context["cl"].result_list}
    assert shown == {None, "513224101"}  # the county-wide rules and its own township's
    assert [r.status_code for r in refused] == [403, 403, 403, 403]
    rule.refresh_from_db()
    policy.refresh_from_db()
    assert (rule.unit_id, policy.days) == (w.transport.pk, 30)
    assert RoutingRule.objects.count() == 4 and DeadlinePolicy.objects.filter(pk=policy.pk).exists()


def test_categories_are_taken_out_of_use_not_deleted(office_client):
    response = office_client.post(reverse("admin:grievances_casecategory_delete", args=["other"]), {"post": "yes"})
    change = office_client.post(
        reverse("admin:grievances_casecategory_change", args=["other"]),
        {"name": "其他", "description": "Other", "sort_order": 9},
    )

    assert response.status_code == 403
    assert change.status_code == 302

    assert CaseCategory.objects.get(code="other").is_active is False


# -- cases are read only -------------------------------------------------------------------------------------


@pytest.fixture
def assigned(case_world):
    return case_world.to_status(case_world.submit(), "assigned")


@pytest.mark.parametrize("who", ["office", "township", "technical_admin"])
def test_no_one_changes_a_case_through_the_admin(client, case_world, assigned, admin_user, who):
    w, case = case_world, assigned
    user = admin_user if who == "technical_admin" else staff(getattr(w, who))
    client.force_login(user)
    before = Case.objects.values().get(pk=case.pk)
    events = CaseEvent.objects.filter(case=case).count()
    record = case.history.first()

    page = client.get(reverse("admin:grievances_case_change", args=[case.pk]))
    responses = [
        client.post(
            reverse("admin:grievances_case_change", args=[case.pk]),
            {"status": "closed", "satisfaction": "satisfied", "title": "changed", "level": "county"},
        ),
        client.post(reverse("admin:grievances_case_delete", args=[case.pk]), {"post": "yes"}),
        client.post(reverse("admin:grievances_case_add"), {"status": "closed", "kind": "problem"}),
        client.post(
            reverse("admin:grievances_case_simple_history", args=[case.pk, record.history_id]),
            {"status": "submitted"},
        ),
        client.post(
            reverse("admin:grievances_caseevent_delete", args=[CaseEvent.objects.filter(case=case).first().pk]),
            {"post": "yes"},
        ),
    ]

    assert page.status_code == 200
    content = page.content.decode()
    assert case.reference in content and 'name="status"' not in content  # shown, not editable
    assert [r.status_code for r in responses] == [403] * len(responses)
    assert Case.objects.values().get(pk=case.pk) == before
    assert CaseEvent.objects.filter(case=case).count() == events


def test_the_case_page_shows_the_timeline_units_and_accountability(office_client, case_world, assigned):
    case = assigned
    overdue_sweep(today=case.deadline + dt.timedelta(days=1))

    page = office_client.get(reverse("admin:grievances_case_change", args=[case.pk]), headers=ENGLISH).content.decode()
    history = office_client.get(reverse("admin:grievances_case_history", args=[case.pk]))

    assert "Supervision notice" in page
    assert page.count("Found overdue") >= 1 and "Assigned" in page
    assert str(case_world.transport) in page
    assert history.status_code == 200


# -- scope -----------------------------------------------------------------------------------------------------


@pytest.fixture
def two_townships(case_world):
    w = case_world
    ours = w.to_status(w.submit(title="本镇案件"), "in_progress")
    theirs = w.submit(actor=w.office, household=w.other_household, title="邻镇案件")
    theirs = case_transition(actor=w.office, case=theirs, action="accept")
    theirs = case_transition(actor=w.office, case=theirs, action="assign")
    overdue_sweep(today=ours.deadline + dt.timedelta(days=1))
    return ours, theirs


def test_township_staff_see_only_their_townships_cases_and_records(township_client, two_townships):
    ours, theirs = two_townships

    cases = township_client.get(reverse("admin:grievances_case_changelist"))
    events = township_client.get(reverse("admin:grievances_caseevent_changelist"))
    records = township_client.get(reverse("admin:grievances_accountabilityrecord_changelist"))
    notifications = township_client.get(reverse("admin:grievances_notification_changelist"))
    foreign = township_client.get(reverse("admin:grievances_case_change", args=[theirs.pk]))

    assert [c.pk for c in cases.context["cl"].result_list] == [ours.pk]
    assert {e.case_id for e in events.context["cl"].result_list} == {ours.pk}
    assert {r.case_id for r in records.context["cl"].result_list} == {ours.pk}
    assert {n.case_id for n in notifications.context["cl"].result_list} == {ours.pk}
    assert foreign.status_code == 302  # the admin's answer for an object it cannot find


def test_the_office_sees_the_county(office_client, two_townships):
    listing = office_client.get(reverse("admin:grievances_case_changelist"))

    assert {c.pk for c in listing.context["cl"].result_list} == {c.pk for c in two_townships}
    assert AccountabilityRecord.objects.count() == 2


def test_filters_and_searches(office_client, case_world, two_townships):
    ours, theirs = two_townships
    url = reverse("admin:grievances_case_changelist")

    def found(**params):
        response = office_client.get(url, params)
        assert response.status_code == 200
        return {c.pk for c in response.context["cl"].result_list}

    assert found(status__exact=CaseStatus.IN_PROGRESS) == {ours.pk}
    assert found(overdue="marked") == {ours.pk, theirs.pk}
    assert found(overdue="penalised") == set()
    assert found(q=ours.reference) == {ours.pk}
    assert found(q="513224102") == {theirs.pk}
    assert found(level__exact="township") == {ours.pk, theirs.pk}


def test_the_case_list_costs_the_same_queries_for_more_cases(office_client, case_world):
    w = case_world
    url = reverse("admin:grievances_case_changelist")
    w.to_status(w.submit(), "assigned")
    with CaptureQueriesContext(connection) as few:
        assert office_client.get(url).status_code == 200
    for _ in range(4):
        w.to_status(w.submit(), "in_progress")
    with CaptureQueriesContext(connection) as more:
        assert office_client.get(url).status_code == 200
    assert len(more.captured_queries) == len(few.captured_queries)
