"""Permission-matrix entries of the department, cadre and ledger endpoints (merged by tests/test_permission_matrix).

What each role sees follows ``accounts.scoping.RULES`` for the world of the matrix (places seen from 513224101):

- cadres: by home division, department division or an active posting; the world's cadres live in their place's
  village, so the county roles see in_scope and sibling, the township and department staff in_scope, and the
  cadre account only itself (in_scope);
- departments: the units of the county holding the scope, or by an active support of a township in scope;
  in_scope is a county bureau (513224) that supports the in_scope township, sibling and elsewhere are township
  governments, so the county roles, the township staff and the department staff see in_scope and sibling (the
  county's units), and the cadre account none (it has no department);
- pairings: by household, so ``SEES``;
- leader assignments, department supports, key-village assistance: by township or village for division roles;
  the cadre account sees only its own rows, and it has none of these.

Who may write: departments, cadres and the three other ledgers need MANAGE_LEDGERS (county office); pairings
MANAGE_PAIRINGS (county office and township staff).
"""

from django.urls import reverse

from tests.test_permission_matrix import SEES, Entry, World

COUNTY_WIDE = {"in_scope", "sibling"}
VISIBLE = {
    "cadres": {**SEES, "leader": COUNTY_WIDE, "office": COUNTY_WIDE},
    "departments": {
        **{role: set() for role in SEES},
        "leader": COUNTY_WIDE,
        "office": COUNTY_WIDE,
        "township": COUNTY_WIDE,
        "department": COUNTY_WIDE,
    },
    "pairings": SEES,
    "ledgers": {**SEES, "cadre": set()},
}
MANAGE_LEDGERS = {"office"}
MANAGE_PAIRINGS = {"office", "township"}
MISSING_ID = 999_999_999


def _list_url(name: str):
    return lambda world, place: reverse(name)


def _object_url(name: str, objects: str):
    def build(world: World, place: str) -> str:
        pk = MISSING_ID if place == "missing" else getattr(world, objects)[place].pk
        return reverse(name, args=[pk])

    return build


def _list(writers: set[str]):
    """GET for every signed-in role (a scoped list); POST with an empty body: 400 for writers, 403 otherwise."""

    def expect(role: str, place: str, method: str) -> int:
        if role == "anonymous":
            return 401
        if method == "get":
            return 200
        if method == "post":
            return 400 if role in writers else 403
        return 405

    return expect


def _detail(visible: dict, writers: set[str] | None = None):
    """GET (and PATCH when ``writers``): 404 outside the scope; PATCH ``{}`` changes nothing (200) for writers."""

    def expect(role: str, place: str, method: str) -> int:
        if role == "anonymous":
            return 401
        allowed = {"get"} | ({"patch"} if writers is not None else set())
        if method not in allowed:
            return 405
        if place not in visible[role]:
            return 404
        if method == "get":
            return 200
        return 200 if role in writers else 403

    return expect


def _end(visible: dict, writers: set[str]):
    """POST only; ``{}`` lacks the reason: 400 for a writer on a visible row, 403 for others, 404 outside."""

    def expect(role: str, place: str, method: str) -> int:
        if role == "anonymous":
            return 401
        if method != "post":
            return 405
        if place not in visible[role]:
            return 404
        return 400 if role in writers else 403

    return expect


ENTRIES: dict[str, Entry] = {
    "api-department-list": Entry(_list_url("api-department-list"), _list(MANAGE_LEDGERS), per_place=False),
    "api-department-detail": Entry(
        _object_url("api-department-detail", "departments"), _detail(VISIBLE["departments"])
    ),
    "api-cadre-list": Entry(_list_url("api-cadre-list"), _list(MANAGE_LEDGERS), per_place=False),
    "api-cadre-detail": Entry(
        _object_url("api-cadre-detail", "cadres"), _detail(VISIBLE["cadres"], writers=MANAGE_LEDGERS)
    ),
    "api-pairing-list": Entry(_list_url("api-pairing-list"), _list(MANAGE_PAIRINGS), per_place=False),
    "api-pairing-detail": Entry(_object_url("api-pairing-detail", "pairings"), _detail(VISIBLE["pairings"])),
    "api-pairing-end": Entry(_object_url("api-pairing-end", "pairings"), _end(VISIBLE["pairings"], MANAGE_PAIRINGS)),
}

for _name, _objects in (
    ("api-leader-assignment", "leader_assignments"),
    ("api-department-support", "supports"),
    ("api-village-assistance", "assistance"),
):
    ENTRIES[f"{_name}-list"] = Entry(_list_url(f"{_name}-list"), _list(MANAGE_LEDGERS), per_place=False)
    ENTRIES[f"{_name}-detail"] = Entry(_object_url(f"{_name}-detail", _objects), _detail(VISIBLE["ledgers"]))
    ENTRIES[f"{_name}-end"] = Entry(_object_url(f"{_name}-end", _objects), _end(VISIBLE["ledgers"], MANAGE_LEDGERS))
