"""A refused lookup of a malformed id answers 404 and is on record with the value made safe (issue 10, finding 6).

PostgreSQL refuses a NUL in text and in JSON: an id such as ``%00`` used to fail the access-log insert and answer
500, unlogged. The access log's writer makes every value safe once: control characters escaped, length capped.
"""

import pytest

import accounts.audit as audit
from accounts.models import AccessEvent, AccessLog, AccessOutcome, Role

from .conftest import make_user

pytestmark = pytest.mark.django_db

REQUESTS = [
    ("get", "/api/v1/households/{id}/", {}),
    ("get", "/households/{id}/", {}),
    ("get", "/cases/{id}/", {}),
    ("post", "/api/v1/members/{id}/reveal/", {}),
    ("post", "/households/members/{id}/reveal/", {}),
    ("post", "/api/v1/cases/{id}/transition/", {"action": "accept"}),
    ("post", "/cases/{id}/act/accept/", {"version": "1"}),
    ("get", "/cases/new/?household={id}", {}),
]
VALUES = ["%00", "abc%00def", "%1B%5B31m%07", "%00" * 200, "%C2%85%E2%80%8E"]


def _has_control(text: str) -> bool:
    return any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in text)


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize(("method", "url", "body"), REQUESTS)
def test_a_malformed_id_is_404_and_logged_with_a_safe_value(client, method, url, body, value):
    user = make_user("liwei", Role.TOWNSHIP)
    client.force_login(user)

    if method == "get":
        response = client.get(url.format(id=value))
    elif url.startswith("/api/"):
        response = client.post(url.format(id=value), body, content_type="application/json")
    else:
        response = client.post(url.format(id=value), body)

    assert response.status_code == 404
    row = AccessLog.objects.get(event=AccessEvent.ACCESS_DENIED)
    assert row.outcome == AccessOutcome.DENIED and row.user == user
    assert row.object_id and len(row.object_id) <= 64 and not _has_control(row.object_id)
    assert row.path and not _has_control(row.path)
    if value == "%00":
        assert row.object_id == "\\x00"


@pytest.mark.parametrize(
    ("value", "limit", "safe"),
    [
        ("plain", 64, "plain"),
        ("\x00", 64, "\\x00"),
        ("a\x00b\x1b\x7f\u0085c", 64, "a\\x00b\\x1b\\x7f\\x85c"),
        ("\u200e\u202e", 64, "\\u200e\\u202e"),  # direction marks that would reorder what a reader sees
        ("户主\t张三\n", 64, "户主\\t张三\\n"),
        ("x" * 70, 64, "x" * 63 + "…"),
        ("\x00" * 30, 64, "\\x00" * 15 + "…"),
    ],
)
def test_log_safe_text_escapes_control_characters_and_caps_the_length(value, limit, safe):
    assert audit.log_safe_text(value, limit=limit) == safe


def test_a_detail_with_a_nul_is_written_safely(rf):
    row = audit.access_log_write(
        event=AccessEvent.ACCESS_DENIED,
        outcome=AccessOutcome.DENIED,
        request=rf.get("/x\x00/", HTTP_USER_AGENT="agent\x00"),
        detail={"reason\x00": "not\x00found", "values": ["\x00", 1, None]},
    )

    row.refresh_from_db()
    assert row.detail == {"reason\\x00": "not\\x00found", "values": ["\\x00", 1, None]}
    assert row.path == "/x\\x00/" and row.user_agent == "agent\\x00"


@pytest.mark.parametrize("forwarded", ["not-an-address", "\x00", "1.2.3.4\x00", "999.1.1.1"])
def test_a_forwarded_address_that_is_no_address_is_not_logged_as_one(rf, settings, forwarded):
    settings.USE_X_FORWARDED_FOR = True
    request = rf.get("/", HTTP_X_FORWARDED_FOR=f"{forwarded}, 10.0.0.1", REMOTE_ADDR="10.0.0.2")

    row = audit.access_log_write(event=AccessEvent.ACCESS_DENIED, outcome=AccessOutcome.DENIED, request=request)

    row.refresh_from_db()
    assert row.ip_address == "10.0.0.2"
