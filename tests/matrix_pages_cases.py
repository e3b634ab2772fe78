"""Permission-matrix entries for the case pages (merged into ``tests.test_permission_matrix.MATRIX``).

Page conventions: anonymous → 302 to the sign-in page; a case or household outside the role's scope → 404; a
role the page or action is not for → 403; a method the page does not serve → 405. The matrix sends no form
data, so a POST that gets past the permission checks is refused as incomplete (the form again, 200; or 400 for
an action form without the version the user saw). Every case of the world (``world.cases[place]``) is an
assigned road problem whose lead unit, for ``in_scope``, is the department user's department.
"""

import uuid
from collections.abc import Callable

from django.urls import reverse

from tests.test_permission_matrix import SEES, Entry, World, _fixed

SUBMITTERS = {"office", "township", "cadre"}
INBOX = {"department", "township"}
SUPERVISORS = {"office", "leader"}


def _case_url(name: str, *extra: str) -> Callable[[World, str], str]:
    def build(world: World, place: str) -> str:
        pk = uuid.uuid4() if place == "missing" else world.cases[place].pk
        return reverse(name, args=[pk, *extra])

    return build


def _new_case_url(world: World, place: str) -> str:
    pk = uuid.uuid4() if place == "missing" else world.households[place].pk
    return f"{reverse('grievances:new')}?household={pk}"


def _for_roles(roles: set[str], methods: set[str], *, answer: int = 200) -> Callable[[str, str, str], int]:
    """A page without an object, for some roles only."""

    def expect(role: str, place: str, method: str) -> int:
        if method not in methods:
            return 405
        if role == "anonymous":
            return 302
        return answer if role in roles else 403

    return expect


def _case_list(role: str, place: str, method: str) -> int:
    # Every signed-in user: the list is the caller's scope (a role-less user gets an empty list).
    if method != "get":
        return 405
    return 302 if role == "anonymous" else 200


def _case_new(role: str, place: str, method: str) -> int:
    if method not in {"get", "post"}:
        return 405
    if role == "anonymous":
        return 302
    if role not in SUBMITTERS:
        return 403
    return 200 if place in SEES[role] else 404  # POST without data: the form with its errors


def _case_detail(role: str, place: str, method: str) -> int:
    if method != "get":
        return 405
    if role == "anonymous":
        return 302
    return 200 if place in SEES[role] else 404


def _case_start(role: str, place: str, method: str) -> int:
    """``start`` is the lead unit's: only the department user may, on its own case."""
    if method != "post":
        return 405
    if role == "anonymous":
        return 302
    if place not in SEES[role]:
        return 404
    return 400 if role == "department" and place == "in_scope" else 403


def _dispute_only(role: str, place: str, method: str) -> int:
    """Mediation and parties are for disputes: the world's cases are problems, so 403 wherever visible."""
    if method != "post":
        return 405
    if role == "anonymous":
        return 302
    return 403 if place in SEES[role] else 404


ENTRIES = {
    "grievances:list": Entry(_fixed("grievances:list"), _case_list, per_place=False),
    "grievances:new": Entry(_new_case_url, _case_new),
    "grievances:inbox": Entry(_fixed("grievances:inbox"), _for_roles(INBOX, {"get"}), per_place=False),
    "grievances:inbox-read": Entry(
        _fixed("grievances:inbox-read"), _for_roles(INBOX, {"post"}, answer=302), per_place=False
    ),
    "grievances:overdue": Entry(_fixed("grievances:overdue"), _for_roles(SUPERVISORS, {"get"}), per_place=False),
    "grievances:detail": Entry(_case_url("grievances:detail"), _case_detail),
    "grievances:act": Entry(_case_url("grievances:act", "start"), _case_start),
    "grievances:mediation": Entry(_case_url("grievances:mediation"), _dispute_only),
    "grievances:party-add": Entry(_case_url("grievances:party-add"), _dispute_only),
}
