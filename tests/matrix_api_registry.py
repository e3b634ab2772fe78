"""Permission-matrix entries of the registry API (divisions, households, members, reveal, coverage).

Merged into ``tests.test_permission_matrix.MATRIX``. Bodies are ``{}``: a POST to a list is then bad input (400)
for the roles that may edit the registry (office, township) and refused (403) for the others; a PATCH with
nothing to change answers 200 for them; a PUT without the required fields 400; a DELETE of a member without a
reason 400. Outside the scope every method on an object answers 404 before anything else is checked.
"""

import uuid
from collections.abc import Callable

from django.urls import reverse

from tests.test_permission_matrix import SEES, Entry, World

EDITS_REGISTRY = {"office", "township"}
MAY_REVEAL_API = {"office", "township"}  # the same set as tests.test_permission_matrix.MAY_REVEAL


def _fixed(name: str) -> Callable[[World, str], str]:
    return lambda world, place: reverse(name)


def _object(name: str, objects: str) -> Callable[[World, str], str]:
    def build(world: World, place: str) -> str:
        pk = uuid.uuid4() if place == "missing" else getattr(world, objects)[place].pk
        return reverse(name, args=[pk])

    return build


def _village(world: World, place: str) -> str:
    code = "513224199299" if place == "missing" else world.households[place].village_id
    return reverse("api-division-detail", args=[code])


def _read_only_list(role: str, place: str, method: str) -> int:
    if role == "anonymous":
        return 401
    return 200 if method == "get" else 405


def _division_detail(role: str, place: str, method: str) -> int:
    if role == "anonymous":
        return 401
    if method != "get":
        return 405
    # Divisions are reference data: every role reads every division; a user with no role sees nothing.
    return 404 if role == "no_role" or place == "missing" else 200


def _writable_list(role: str, place: str, method: str) -> int:
    if role == "anonymous":
        return 401
    if method == "get":
        return 200
    if method == "post":
        return 400 if role in EDITS_REGISTRY else 403
    return 405


def _object_expect(allowed: dict[str, int], *, put_creates: bool = False) -> Callable[[str, str, str], int]:
    """``allowed``: method → status for a role that may edit the registry, on a visible object. ``put_creates``:
    a PUT on an id that exists nowhere registers a new object there (with the body "{}": 400 for editors)."""

    def expect(role: str, place: str, method: str) -> int:
        if role == "anonymous":
            return 401
        if method != "get" and method not in allowed:
            return 405
        if put_creates and method == "put" and place == "missing":
            return 400 if role in EDITS_REGISTRY else 403
        if place not in SEES[role]:
            return 404
        if method == "get":
            return 200
        return allowed[method] if role in EDITS_REGISTRY else 403

    return expect


def _reveal(role: str, place: str, method: str) -> int:
    if role == "anonymous":
        return 401
    if method != "post":
        return 405
    if place not in SEES[role]:
        return 404
    return 200 if role in MAY_REVEAL_API else 403


ENTRIES: dict[str, Entry] = {
    "api-division-list": Entry(_fixed("api-division-list"), _read_only_list, per_place=False),
    "api-division-detail": Entry(_village, _division_detail),
    "api-household-list": Entry(_fixed("api-household-list"), _writable_list, per_place=False),
    "api-household-detail": Entry(
        _object("api-household-detail", "households"), _object_expect({"patch": 200, "put": 400}, put_creates=True)
    ),
    "api-member-list": Entry(_fixed("api-member-list"), _writable_list, per_place=False),
    "api-member-detail": Entry(_object("api-member-detail", "members"), _object_expect({"patch": 200, "delete": 400})),
    "api-member-reveal": Entry(_object("api-member-reveal", "members"), _reveal),
    "api-coverage": Entry(_fixed("api-coverage"), _read_only_list, per_place=False),
}
