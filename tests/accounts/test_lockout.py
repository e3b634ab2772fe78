"""Lockout: five failed sign-ins by one username from one address lock that pair for 30 minutes, on the web
sign-in and at the API token endpoint alike; each failure and each lockout is in the access log."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from accounts.models import AccessEvent, AccessLog, AccessOutcome

from .conftest import PASSWORD, TOKEN_URL, api_sign_in, web_sign_in

pytestmark = pytest.mark.django_db
LOCKED_MESSAGE = "locked for 30 minutes"


def fail_on_the_web(client, username, times, **extra):
    return [web_sign_in(client, username, "not-the-password", **extra) for _ in range(times)]


def events(username):
    return list(AccessLog.objects.filter(username=username).order_by("id").values_list("event", "outcome"))


def test_a_wrong_password_six_times_locks_the_web_sign_in_with_a_clear_message(en_client, township_user):
    responses = fail_on_the_web(en_client, "liwei", 6)

    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429, 429]
    assert "Please enter a correct username and password" in responses[0].content.decode()
    locked = responses[-1]
    assert LOCKED_MESSAGE in locked.content.decode()
    assert "Signing in is locked" in locked.content.decode()
    assert 1700 < int(locked["Retry-After"]) <= 1800
    assert "not-the-password" not in locked.content.decode()


def test_five_wrong_passwords_then_the_right_one_is_refused(en_client, township_user):
    fail_on_the_web(en_client, "liwei", 5)

    response = web_sign_in(en_client, "liwei", PASSWORD)

    assert response.status_code == 429
    assert LOCKED_MESSAGE in response.content.decode()
    assert "_auth_user_id" not in en_client.session


def test_each_failure_and_the_lockout_are_in_the_access_log(en_client, township_user):
    fail_on_the_web(en_client, "liwei", 5)
    web_sign_in(en_client, "liwei", PASSWORD)

    failed = (AccessEvent.LOGIN_FAILED, AccessOutcome.FAILED)
    locked = (AccessEvent.LOCKED_OUT, AccessOutcome.DENIED)
    assert sorted(events("liwei")) == sorted([failed] * 5 + [locked, locked])
    lockout = AccessLog.objects.filter(event=AccessEvent.LOCKED_OUT).order_by("id")
    assert lockout[0].detail == {"failures": 5, "cool_off_minutes": 30}
    assert lockout[1].detail == {"refused_while_locked": True, "cool_off_minutes": 30}
    assert {row.user_id for row in AccessLog.objects.all()} == {township_user.pk}
    assert {row.ip_address for row in AccessLog.objects.all()} == {"127.0.0.1"}
    assert not AccessLog.objects.filter(detail__icontains="not-the-password").exists()


def test_a_failure_for_an_unknown_username_is_logged_with_the_name_tried(en_client, db):
    web_sign_in(en_client, "nobody", "whatever-it-is")

    row = AccessLog.objects.get()
    assert (row.event, row.outcome, row.username, row.user) == (AccessEvent.LOGIN_FAILED, "failed", "nobody", None)


def test_sign_in_works_again_after_30_minutes(en_client, township_user):
    fail_on_the_web(en_client, "liwei", 5)
    # Thirty minutes pass.
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=30, seconds=1))

    response = web_sign_in(en_client, "liwei", PASSWORD)

    assert response.status_code == 302
    assert AccessLog.objects.filter(event=AccessEvent.LOGIN, username="liwei").exists()


def test_attempts_while_locked_do_not_extend_the_lockout(en_client, township_user):
    fail_on_the_web(en_client, "liwei", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=29))
    fail_on_the_web(en_client, "liwei", 3)  # refused without being counted
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=30, seconds=1))

    assert web_sign_in(en_client, "liwei", PASSWORD).status_code == 302


def test_the_lock_is_per_username_and_address(en_client, township_user):
    fail_on_the_web(en_client, "liwei", 5)

    from_elsewhere = web_sign_in(en_client, "liwei", PASSWORD, REMOTE_ADDR="10.1.2.3")

    assert from_elsewhere.status_code == 302


def test_a_success_clears_the_earlier_failures(en_client, township_user):
    fail_on_the_web(en_client, "liwei", 4)
    assert web_sign_in(en_client, "liwei", PASSWORD).status_code == 302

    responses = fail_on_the_web(en_client, "liwei", 4)

    assert [r.status_code for r in responses] == [200] * 4


def test_the_api_token_endpoint_locks_out_the_same_way(en_client, township_user):
    responses = [api_sign_in(en_client, "liwei", "not-the-password") for _ in range(6)]

    assert [r.status_code for r in responses] == [401, 401, 401, 401, 429, 429]
    assert responses[0].json() == {"detail": "The username or password is not correct.", "code": "invalid_credentials"}
    locked = responses[-1]
    assert locked.json()["code"] == "locked_out" and LOCKED_MESSAGE in locked.json()["detail"]
    assert 1700 < int(locked["Retry-After"]) <= 1800
    assert api_sign_in(en_client, "liwei").status_code == 429
    assert AccessLog.objects.filter(event=AccessEvent.LOGIN_FAILED).count() == 5
    assert AccessLog.objects.filter(event=AccessEvent.LOCKED_OUT).count() == 3
    assert all(row.path == TOKEN_URL for row in AccessLog.objects.all())


def test_web_and_api_failures_count_together(en_client, township_user):
    fail_on_the_web(en_client, "liwei", 3)
    api_sign_in(en_client, "liwei", "not-the-password")

    assert api_sign_in(en_client, "liwei", "still-not-it").status_code == 429
    assert web_sign_in(en_client, "liwei", PASSWORD).status_code == 429
