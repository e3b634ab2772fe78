"""Permission-matrix entries for the household pages of the workbench (merged into
``tests.test_permission_matrix.MATRIX``).

The list is every signed-in user's (it holds the caller's scope; a role-less user gets an empty list). The edit
page: a household outside the scope → 404 (before anything else, as the household page); a role without
``EDIT_REGISTRY`` → 403; a POST without data → 400 (the form lacks the version the user saw), nothing saved.
"""

import uuid

from tests.test_permission_matrix import SEES, Entry, _fixed, _object_url

EDITORS = {"office", "township"}


def _household_list(role: str, place: str, method: str) -> int:
    if method != "get":
        return 405
    return 302 if role == "anonymous" else 200


def _household_edit(role: str, place: str, method: str) -> int:
    if method not in {"get", "post"}:
        return 405
    if role == "anonymous":
        return 302
    if place not in SEES[role]:
        return 404
    if role not in EDITORS:
        return 403
    return 200 if method == "get" else 400


ENTRIES = {
    "households:list": Entry(_fixed("households:list"), _household_list, per_place=False),
    "households:edit": Entry(_object_url("households:edit", "households", uuid.uuid4()), _household_edit),
}
