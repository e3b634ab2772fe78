"""Issue 10, finding 4: a JSON body nested deeper than the limit is refused with 400 before Python's parser can
run out of recursion (it answered 500 ``RecursionError``), signed in or not."""

import pytest
from django.urls import reverse

from accounts.models import Role
from households.models import Household
from songpan.api.parsers import MAX_JSON_DEPTH
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token/"
HOUSEHOLDS = reverse("api-household-list")


def nested(depth: int, open_: str = "[", close: str = "]") -> str:
    return open_ * depth + close * depth


def deep_object(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


@pytest.mark.parametrize("body", [nested(1000), deep_object(1000), nested(100_000)])
def test_a_deeply_nested_body_on_the_token_endpoint_is_400(client, body):
    response = client.post(TOKEN_URL, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400, response.content[:200]
    assert "nested" in response.json()["detail"]


def test_a_deeply_nested_body_on_an_authenticated_post_is_400_and_changes_nothing(client):
    client.force_login(UserFactory(username="office-depth", role=Role.COUNTY_OFFICE))

    response = client.post(
        HOUSEHOLDS, '{"village": ' + nested(1000) + "}", content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400, response.content[:200]
    assert response.json() == {"detail": f"The request body is nested too deeply (at most {MAX_JSON_DEPTH} levels)."}
    assert not Household.objects.exists()


def test_brackets_inside_strings_do_not_count(client):
    client.force_login(UserFactory(username="office-depth2", role=Role.COUNTY_OFFICE))
    text = "[" * 500 + '\\"{' * 100

    response = client.post(HOUSEHOLDS, {"head_name": text, "village": "nowhere"}, content_type="application/json")

    assert response.status_code == 400
    assert "nested" not in str(response.json())  # an ordinary field error, the body parsed


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH, MAX_JSON_DEPTH + 1])
def test_the_limit_is_exact(client, depth):
    body = '{"username": "x", "password": "y", "device": ' + nested(depth - 1) + "}"

    response = client.post(TOKEN_URL, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")

    nested_refusal = "nested" in str(response.json())
    assert nested_refusal is (depth > MAX_JSON_DEPTH)
