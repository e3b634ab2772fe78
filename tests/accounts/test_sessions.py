"""Browser sessions: signed in and out on record, ended after 30 minutes idle or 12 hours, safe cookies, CSRF."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AccessEvent, AccessLog, UserSession
from accounts.sessions import SESSION_SEEN, SESSION_STARTED

from .conftest import LOGIN_URL, ME_URL, PASSWORD, web_sign_in

pytestmark = pytest.mark.django_db
HOME = "/"


def shift_session(client, **seconds_ago):
    """Pretend the session started / was last used that many seconds ago."""
    session = client.session
    now = int(time.time())
    for key, name in (("started", SESSION_STARTED), ("seen", SESSION_SEEN)):
        if key in seconds_ago:
            session[name] = now - seconds_ago[key]
    session.save()


@pytest.fixture
def signed_in(en_client, township_user):
    assert web_sign_in(en_client, "liwei").status_code == 302
    return en_client


def test_signing_in_and_out_is_on_record(signed_in, township_user):
    assert signed_in.get(HOME).status_code == 200
    signed_in.post(reverse("logout"))

    rows = list(AccessLog.objects.order_by("id").values_list("event", "user", "detail"))
    assert rows == [
        (AccessEvent.LOGIN, township_user.pk, {}),
        (AccessEvent.LOGOUT, township_user.pk, {"reason": "signed_out"}),
    ]
    assert not UserSession.objects.exists()
    assert signed_in.get(HOME).status_code == 302


def test_the_session_is_remembered_for_its_user(signed_in, township_user):
    assert UserSession.objects.get().user == township_user
    assert UserSession.objects.get().session_key == signed_in.session.session_key


def test_an_active_session_stays_open(signed_in):
    shift_session(signed_in, started=3600, seen=29 * 60)

    assert signed_in.get(HOME).status_code == 200
    assert int(time.time()) - signed_in.session[SESSION_SEEN] < 5  # the activity was noted


def test_a_session_idle_for_30_minutes_is_refused_and_the_sign_in_page_says_why(signed_in, township_user):
    shift_session(signed_in, seen=30 * 60 + 1)

    response = signed_in.get(HOME)

    assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)
    page = signed_in.get(response["Location"]).content.decode()
    assert "You were signed out after 30 minutes without activity" in page
    assert "_auth_user_id" not in signed_in.session
    row = AccessLog.objects.filter(event=AccessEvent.LOGOUT).get()
    assert row.user == township_user and row.detail == {"reason": "session_idle"}


def test_a_session_ends_12_hours_after_sign_in_even_when_in_use(signed_in):
    shift_session(signed_in, started=12 * 3600 + 1, seen=10)

    response = signed_in.get(HOME)

    assert response.status_code == 302
    assert "a session lasts at most 12 hours" in signed_in.get(response["Location"]).content.decode()
    assert AccessLog.objects.get(event=AccessEvent.LOGOUT).detail == {"reason": "session_max_age"}


def test_an_expired_session_gets_401_from_the_api(signed_in):
    assert signed_in.get(ME_URL).status_code == 200
    shift_session(signed_in, seen=31 * 60)

    response = signed_in.get(ME_URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_session_not_started_by_the_sign_in_is_ended(signed_in):
    session = signed_in.session
    del session[SESSION_STARTED]
    session.save()

    assert signed_in.get(HOME).status_code == 302


def test_a_rotated_session_key_is_followed(signed_in, township_user):
    response = signed_in.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "a-new-Passphrase-7", "new_password2": "a-new-Passphrase-7"},
    )
    assert response.status_code == 302

    signed_in.get(HOME)

    assert signed_in.session.session_key in set(UserSession.objects.values_list("session_key", flat=True))


def test_session_and_csrf_cookies_are_http_only_and_same_site(en_client, township_user):
    en_client.get(LOGIN_URL)
    response = web_sign_in(en_client, "liwei")

    session_cookie = response.cookies["sessionid"]
    assert session_cookie["httponly"] and session_cookie["samesite"] == "Lax"
    assert session_cookie["max-age"] == ""  # ends with the browser
    csrf_cookie = en_client.cookies["csrftoken"]
    assert csrf_cookie["httponly"] and csrf_cookie["samesite"] == "Lax"


def test_the_sign_in_form_requires_the_csrf_token(township_user):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(LOGIN_URL, {"username": "liwei", "password": PASSWORD})

    assert response.status_code == 403
    page = browser.get(LOGIN_URL).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


def test_the_sign_in_page_never_shows_the_password_back(en_client, township_user):
    response = web_sign_in(en_client, "liwei", "my-secret-attempt", otp="123456")

    page = response.content.decode()
    assert "my-secret-attempt" not in page and "123456" not in page
