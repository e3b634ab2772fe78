"""Permission-matrix entries of the case API (merged into ``tests.test_permission_matrix.MATRIX``).

The world holds one *assigned* problem per place (``world.cases``); the in_scope one's lead unit is the department
user's department, and its household is paired with the cadre account. Who sees which case follows ``SEES``:
county roles the county's, township and department staff the in_scope one (the department supports that township
and leads the case), the cadre the case of its paired household.

Who may act (``grievances.workflow.standing``) on a visible case: the county office and township staff (by area),
the department (lead unit) and the cadre (confirmer for its household); the county leader never. Bodies are
``{}``, so:

- POST to the list: 400 for the roles that submit cases (office, township, cadre), 403 for the others;
- PUT on an existing case: 400 (the required fields are missing) for a role with a standing, 403 for the leader;
  on an id that exists nowhere it submits a case with that id (400 for submitters, 403 for the others);
- PATCH: nothing to change, 200 for a role with a standing, 403 for the leader;
- transition: 400 (no ``action``) for a role with a standing, 403 for the leader;
- mediation POST: 403 for everyone (the case is not a dispute);
- GET of the case, its timeline and its mediation sessions: 200 where seen.

Outside the scope every method on a case answers 404 before anything else is checked.
"""

import uuid
from collections.abc import Callable

from django.urls import reverse

from tests.test_permission_matrix import SEES, Entry, World, _fixed

SUBMITTERS = {"office", "township", "cadre"}
ACTORS = {"office", "township", "department", "cadre"}  # a standing on the in-scope cases they see


def _case(name: str) -> Callable[[World, str], str]:
    def build(world: World, place: str) -> str:
        pk = uuid.uuid4() if place == "missing" else world.cases[place].pk
        return reverse(name, args=[pk])

    return build


def _list(role: str, place: str, method: str) -> int:
    if role == "anonymous":
        return 401
    if method == "get":
        return 200
    if method == "post":
        return 400 if role in SUBMITTERS else 403
    return 405


def _categories(role: str, place: str, method: str) -> int:
    if role == "anonymous":
        return 401
    return 200 if method == "get" else 405


def _detail(role: str, place: str, method: str) -> int:
    if role == "anonymous":
        return 401
    if method not in {"get", "put", "patch"}:
        return 405
    if method == "put" and place == "missing":
        return 400 if role in SUBMITTERS else 403
    if place not in SEES[role]:
        return 404
    if method == "get":
        return 200
    if role not in ACTORS:
        return 403
    return 400 if method == "put" else 200


def _transition(role: str, place: str, method: str) -> int:
    if role == "anonymous":
        return 401
    if method != "post":
        return 405
    if place not in SEES[role]:
        return 404
    return 400 if role in ACTORS else 403


def _events(role: str, place: str, method: str) -> int:
    if role == "anonymous":
        return 401
    if method != "get":
        return 405
    return 200 if place in SEES[role] else 404


def _mediations(role: str, place: str, method: str) -> int:
    if role == "anonymous":
        return 401
    if method not in {"get", "post"}:
        return 405
    if place not in SEES[role]:
        return 404
    return 200 if method == "get" else 403


ENTRIES: dict[str, Entry] = {
    "api-case-list": Entry(_fixed("api-case-list"), _list, per_place=False),
    "api-case-detail": Entry(_case("api-case-detail"), _detail),
    "api-case-transition": Entry(_case("api-case-transition"), _transition),
    "api-case-events": Entry(_case("api-case-events"), _events),
    "api-case-mediations": Entry(_case("api-case-mediations"), _mediations),
    "api-case-category-list": Entry(_fixed("api-case-category-list"), _categories, per_place=False),
}
