"""An offline create and its retries arriving at the same moment (``songpan.api.viewsets.IdempotentCreateMixin``):
every ``PUT /<resource>/<client uuid>/`` and every ``POST`` with a client ``id`` creates the object once and answers
201 to one request and 200, with the stored object, to all the others — never 400 or 500 — on PostgreSQL, with
each request in its own thread and database connection, released together."""

import uuid

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from grievances.models import Case, CaseCategory, CaseEvent
from households.models import Household, Member
from tests.concurrency import committed_db, needs_postgresql, run_at_once
from tests.factories import HouseholdFactory, UserFactory, township, village
from tests.grievances.conftest import build_case_world

pytestmark = [needs_postgresql, committed_db]

REQUESTS = 20


@pytest.fixture
def clerk(migration_rows_put_back):
    """Township staff of 513224101, committed so that the threads' connections see them."""
    return UserFactory(username="clerk", role=Role.TOWNSHIP, division=township("513224101"))


@pytest.fixture
def case_world(migration_rows_put_back):
    # An earlier committed test's flush deleted the categories the migrations made.
    for code in ("roads_transport", "education"):
        CaseCategory.objects.get_or_create(code=code, defaults={"name": code})
    return build_case_world()


def send_at_once(user, method: str, url: str, body: dict) -> list[tuple[int, dict]]:
    """``REQUESTS`` identical requests by ``user``, each from its own thread; their (status, body)."""

    def send(_index: int) -> tuple[int, dict]:
        client = APIClient()
        client.force_authenticate(user)
        response = getattr(client, method)(url, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
        return response.status_code, response.json()

    answers, errors = run_at_once(REQUESTS, send)
    assert errors == []
    return answers


def assert_created_once(answers: list[tuple[int, dict]], client_id: uuid.UUID) -> None:
    statuses = sorted(status for status, _body in answers)
    assert statuses == [200] * (REQUESTS - 1) + [201], [body for status, body in answers if status not in (200, 201)]
    assert {body["id"] for _status, body in answers} == {str(client_id)}
    assert {body["version"] for _status, body in answers} == {1}


def household_body(**fields) -> dict:
    return {"village": "513224101201", "number": "9001", "head_name": "离线登记户", "phone": "13800009001", **fields}


def test_a_household_put_sent_at_once_is_created_once(clerk):
    village("513224101201")
    client_id = uuid.uuid4()

    answers = send_at_once(clerk, "put", f"/api/v1/households/{client_id}/", household_body())

    assert_created_once(answers, client_id)
    assert list(Household.objects.values_list("pk", flat=True)) == [client_id]
    assert Household.objects.get().history.count() == 1


def test_a_household_post_with_an_id_sent_at_once_is_created_once(clerk):
    village("513224101201")
    client_id = uuid.uuid4()

    answers = send_at_once(clerk, "post", reverse("api-household-list"), household_body(id=str(client_id)))

    assert_created_once(answers, client_id)
    assert list(Household.objects.values_list("pk", flat=True)) == [client_id]


def test_a_member_post_with_an_id_sent_at_once_is_created_once(clerk):
    household = HouseholdFactory(village=village("513224101201"))
    client_id = uuid.uuid4()
    body = {"id": str(client_id), "household": str(household.pk), "name": "次仁", "relation": "child", "sex": "male"}

    answers = send_at_once(clerk, "post", reverse("api-member-list"), body)

    assert_created_once(answers, client_id)
    assert list(Member.objects.values_list("pk", flat=True)) == [client_id]


@pytest.mark.parametrize("method", ["put", "post"])
def test_a_case_sent_at_once_is_submitted_once(case_world, method):
    w = case_world
    client_id = uuid.uuid4()
    body = {
        "kind": "problem",
        "category": "roads_transport",
        "description": "The road to the upper pasture washed out.",
        "household": str(w.household.pk),
    }
    if method == "put":
        url = reverse("api-case-detail", args=[client_id])
    else:
        url, body["id"] = reverse("api-case-list"), str(client_id)

    answers = send_at_once(w.cadre, method, url, body)

    assert_created_once(answers, client_id)
    assert list(Case.objects.values_list("pk", flat=True)) == [client_id]
    assert CaseEvent.objects.count() == 1
