"""Issue 10, finding 10: every response carrying personal data says ``Cache-Control: no-store`` (no browser,
proxy or shared-computer cache keeps it): all API responses and every page for a signed-in user."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import Role
from songpan.middleware import NoStoreMiddleware
from tests.factories import HouseholdFactory, MemberFactory, UserFactory, county

pytestmark = pytest.mark.django_db


@pytest.fixture
def office_client(client):
    client.force_login(UserFactory(username="office", role=Role.COUNTY_OFFICE, division=county()))
    return client


@pytest.fixture
def household(db):
    household = HouseholdFactory()
    MemberFactory(household=household)
    return household


def urls(household) -> list[str]:
    return [
        reverse("home"),
        reverse("households:detail", args=[household.pk]),
        reverse("grievances:list"),
        reverse("grievances:overdue"),
        reverse("account-list"),
        "/api/v1/households/",
        f"/api/v1/households/{household.pk}/",
        "/api/v1/members/",
        "/api/v1/sync/",
        "/api/v1/auth/me/",
        "/api/v1/cases/",
    ]


def test_pages_and_api_for_a_signed_in_user_are_not_stored(office_client, household):
    for url in urls(household):
        response = office_client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert "no-store" in response.get("Cache-Control", ""), url


def test_api_answers_are_not_stored_even_without_a_session(client, household):
    for response in (
        client.get("/api/v1/households/"),  # 401
        client.post("/api/v1/auth/token/", {}, content_type="application/json"),  # 400, would carry a token
    ):
        assert "no-store" in response.get("Cache-Control", "")


def test_an_explicit_cache_control_is_kept():
    request = RequestFactory().get("/api/v1/schema-like/")
    middleware = NoStoreMiddleware(lambda request: HttpResponse(headers={"Cache-Control": "max-age=60"}))

    assert middleware(request)["Cache-Control"] == "max-age=60"
