"""API tokens: issued for a username and password, stored hashed, one per device, expiring, revocable."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone
from knox.crypto import hash_token
from rest_framework.throttling import UserRateThrottle

from accounts.api.views import TokenEndpointThrottle
from accounts.models import AccessEvent, AccessLog, ApiToken

from .conftest import ME_URL, PASSWORD, TOKEN_URL, api_sign_in

pytestmark = pytest.mark.django_db
REVOKE_URL = "/api/v1/auth/token/revoke/"
REVOKE_ALL_URL = "/api/v1/auth/token/revoke-all/"


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {token}"}


def issue(client, device: str = "", username: str = "liwei") -> str:
    response = api_sign_in(client, username, device=device)
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_a_token_is_issued_and_works(en_client, township_user):
    response = api_sign_in(en_client, "liwei", device="Pixel 8")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expiry", "device"} and body["device"] == "Pixel 8"
    expiry = dt.datetime.fromisoformat(body["expiry"])
    assert dt.timedelta(days=29) < expiry - timezone.now() <= dt.timedelta(days=30)
    me = en_client.get(ME_URL, **auth(body["token"]))
    assert me.status_code == 200
    assert me.json() == {
        "username": "liwei",
        "full_name": "",
        "role": "township",
        "division": "513224101",
        "department": None,
    }
    row = AccessLog.objects.get(event=AccessEvent.TOKEN_CREATED)
    assert row.user == township_user and row.detail["device"] == "Pixel 8" and row.detail["replaced"] is False


def test_only_a_digest_of_the_token_is_stored_and_never_shown(en_client, township_user):
    response = api_sign_in(en_client, "liwei")
    token = response.json()["token"]

    stored = ApiToken.objects.get()
    assert stored.digest == hash_token(token) and token not in stored.digest
    assert stored.digest not in response.content.decode()
    assert PASSWORD not in response.content.decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        assert token not in repr(cursor.fetchall())
    assert token not in repr(list(AccessLog.objects.values()))


def test_wrong_credentials_get_401_with_a_detail_and_no_echo(en_client, township_user):
    response = api_sign_in(en_client, "liwei", "guessed-password-1")

    assert response.status_code == 401
    assert response.json() == {"detail": "The username or password is not correct.", "code": "invalid_credentials"}
    assert response["WWW-Authenticate"] == "Token"
    assert "guessed-password-1" not in response.content.decode()
    assert AccessLog.objects.get().event == AccessEvent.LOGIN_FAILED


@pytest.mark.parametrize(
    "body",
    [{}, {"username": "liwei"}, {"password": PASSWORD}, {"username": "x" * 151, "password": "p"}, ["not", "an object"]],
)
def test_malformed_requests_get_400_with_field_errors(en_client, township_user, body):
    response = en_client.post(TOKEN_URL, body, content_type="application/json")

    assert response.status_code == 400
    assert isinstance(response.json(), dict)
    assert PASSWORD not in response.content.decode()


def test_a_body_that_is_not_json_gets_400(en_client, db):
    response = en_client.post(TOKEN_URL, "{username: nope", content_type="application/json")

    assert response.status_code == 400 and "detail" in response.json()


def test_an_inactive_account_gets_no_token(en_client, township_user):
    township_user.is_active = False
    township_user.save()

    assert api_sign_in(en_client, "liwei").status_code == 401


def test_a_new_token_for_the_same_device_replaces_the_old_one(en_client, township_user):
    first = issue(en_client, "phone")
    second = issue(en_client, "phone")

    assert en_client.get(ME_URL, **auth(first)).status_code == 401
    assert en_client.get(ME_URL, **auth(second)).status_code == 200
    assert ApiToken.objects.count() == 1
    replaced = AccessLog.objects.filter(event=AccessEvent.TOKEN_CREATED).order_by("id").last()
    assert replaced.detail["replaced"] is True


def test_tokens_of_different_devices_live_side_by_side(en_client, township_user):
    phone, tablet = issue(en_client, "phone"), issue(en_client, "tablet")
    unnamed = issue(en_client)

    for token in (phone, tablet, unnamed):
        assert en_client.get(ME_URL, **auth(token)).status_code == 200
    assert set(ApiToken.objects.values_list("device", flat=True)) == {"phone", "tablet", "default"}


def test_an_expired_token_stops_working(en_client, township_user):
    token = issue(en_client)
    ApiToken.objects.update(expiry=timezone.now() - dt.timedelta(seconds=1))

    response = en_client.get(ME_URL, **auth(token))

    assert response.status_code == 401
    assert not ApiToken.objects.exists()


def test_revoking_ends_the_calling_token_only(en_client, township_user):
    phone, tablet = issue(en_client, "phone"), issue(en_client, "tablet")

    response = en_client.post(REVOKE_URL, **auth(phone))

    assert response.status_code == 204
    assert en_client.get(ME_URL, **auth(phone)).status_code == 401
    assert en_client.get(ME_URL, **auth(tablet)).status_code == 200
    row = AccessLog.objects.get(event=AccessEvent.TOKEN_REVOKED)
    assert row.user == township_user and row.detail == {"device": "phone"}


def test_revoke_all_ends_every_token_of_the_caller(en_client, township_user, office):
    phone, tablet = issue(en_client, "phone"), issue(en_client, "tablet")
    other = ApiToken.objects.create(user=office, device="phone")[1]

    response = en_client.post(REVOKE_ALL_URL, **auth(tablet))

    assert response.status_code == 200 and response.json() == {"revoked": 2}
    assert en_client.get(ME_URL, **auth(phone)).status_code == 401
    assert en_client.get(ME_URL, **auth(other)).status_code == 200
    assert AccessLog.objects.get(event=AccessEvent.TOKEN_REVOKED).detail == {"all_devices": True, "count": 2}


def test_revoke_all_works_from_a_browser_session(en_client, township_user):
    issue(en_client, "phone")
    en_client.force_login(township_user)

    response = en_client.post(REVOKE_ALL_URL)

    assert response.status_code == 200 and response.json() == {"revoked": 1}


def test_revoking_needs_a_token(en_client, township_user):
    en_client.force_login(township_user)

    assert en_client.post(REVOKE_URL).status_code == 401


@pytest.mark.parametrize("url", [ME_URL, REVOKE_URL, REVOKE_ALL_URL])
def test_unauthenticated_requests_get_401(en_client, db, url):
    method = en_client.get if url == ME_URL else en_client.post

    response = method(url)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "detail" in response.json()


def test_a_made_up_token_gets_401(en_client, db):
    assert en_client.get(ME_URL, **auth("0" * 64)).status_code == 401
    assert en_client.get(ME_URL, HTTP_AUTHORIZATION="Token").status_code == 401
    assert en_client.get(ME_URL, HTTP_AUTHORIZATION="Token a b").status_code == 401


def test_the_token_endpoint_throttles_an_address(en_client, township_user, monkeypatch):
    monkeypatch.setitem(TokenEndpointThrottle.THROTTLE_RATES, "auth_token", "3/minute")
    for _ in range(3):
        api_sign_in(en_client, "somebody", "wrong-password")

    response = api_sign_in(en_client, "liwei")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0 and "detail" in response.json()


def test_api_users_are_throttled(en_client, township_user, monkeypatch):
    monkeypatch.setitem(UserRateThrottle.THROTTLE_RATES, "user", "2/minute")
    token = issue(en_client)
    for _ in range(2):
        assert en_client.get(ME_URL, **auth(token)).status_code == 200

    response = en_client.get(ME_URL, **auth(token))

    assert response.status_code == 429 and int(response["Retry-After"]) > 0


# What each authentication endpoint answers to every method, signed out and in a browser session (the
# permission matrix in tests/test_permission_matrix.py declares the same).
EXPECTED = {
    TOKEN_URL: {"anonymous": {"post": 400}, "session": {"post": 400}, "other": 405},
    REVOKE_URL: {"anonymous": {}, "session": {}, "other": 401},  # token authentication only
    REVOKE_ALL_URL: {"anonymous": {"all": 401}, "session": {"post": 200}, "other": 405},
    ME_URL: {"anonymous": {"all": 401}, "session": {"get": 200}, "other": 405},
}


@pytest.mark.parametrize("url", list(EXPECTED))
@pytest.mark.parametrize("who", ["anonymous", "session"])
def test_every_method_of_the_authentication_endpoints(en_client, township_user, url, who):
    if who == "session":
        en_client.force_login(township_user)
    expected = EXPECTED[url]
    for method in ("get", "post", "put", "patch", "delete"):
        want = expected[who].get(method, expected[who].get("all", expected["other"]))

        response = getattr(en_client, method)(url, content_type="application/json")

        assert response.status_code == want, (method, response.content)


def test_a_made_up_forwarded_address_does_not_escape_the_throttle(en_client, db, monkeypatch):
    monkeypatch.setitem(TokenEndpointThrottle.THROTTLE_RATES, "auth_token", "2/minute")
    statuses = [
        api_sign_in(
            en_client, "somebody", "wrong-password", headers={"HTTP_X_FORWARDED_FOR": f"10.0.0.{n}"}
        ).status_code
        for n in range(3)
    ]

    assert statuses == [401, 401, 429]
