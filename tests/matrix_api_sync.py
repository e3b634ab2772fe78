"""Permission-matrix entries for the sync feed (merged into ``tests.test_permission_matrix.MATRIX``).

GET answers 200 to every signed-in user, a role-less one included: the feed is the caller's own scope, so a user
who sees nothing gets an empty feed (200, ``"changes": []``) — there is no object in the URL whose existence a
404 could hide, and the matrix's leak checks verify that no household outside the role's scope appears in it.
Anonymous: 401. Every other method: 405.
"""

from tests.test_permission_matrix import Entry, _fixed


def _api_sync(role: str, place: str, method: str) -> int:
    if role == "anonymous":
        return 401
    return 200 if method == "get" else 405


ENTRIES = {"api-sync": Entry(_fixed("api-sync"), _api_sync, per_place=False)}
