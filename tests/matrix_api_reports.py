"""Permission-matrix entries of the roll-up API (merged into ``tests.test_permission_matrix.MATRIX``).

Read-only: GET answers 200 for every signed-in user (the figures are counted inside the caller's scope, a user
who sees nothing gets empty figures, as ``/coverage/`` does), other methods 405. What each role sees is asserted
in tests/reports/test_rollup_api.py."""

from tests.matrix_api_registry import _read_only_list
from tests.test_permission_matrix import Entry, _fixed

ENTRIES = {
    "api-rollups": Entry(_fixed("api-rollups"), _read_only_list, per_place=False),
    "api-dashboard": Entry(_fixed("api-dashboard"), _read_only_list, per_place=False),
}
