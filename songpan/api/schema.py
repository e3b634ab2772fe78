"""Schema post-processing: the error answers every endpoint can give, declared once for all of them.

Any authenticated endpoint may answer 401 (no or expired credentials) and 429 (throttled, with Retry-After); a
list may answer 400 (a malformed filter, ordering or page size) and 404 (a page past the end). Views declare the
answers particular to them (403, 409, 412, ...); this hook adds the shared ones where a view did not.

``errors(*codes)`` builds those declarations for a view's ``extend_schema(responses=...)`` (API.md: 400, 401, 403,
404, 412, 429), the same ``OpenApiResponse`` objects for every app.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse

from accounts.api.serializers import ErrorSerializer

ERROR = {
    "type": "object",
    "description": '`{"detail": "..."}`, or `{"field": ["message", ...]}` for invalid input.',
    "additionalProperties": True,
}
SHARED = {
    "401": "Not signed in, or the token or session expired.",
    "429": "Too many requests; retry after the number of seconds in Retry-After.",
}
LISTS = {
    "400": "A filter, the ordering or the page size is not valid.",
    "404": "The page does not exist.",
}


def add_shared_error_responses(result, generator, request, public):
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            answers = dict(SHARED)
            if method == "get" and operation.get("operationId", "").endswith("_list"):
                answers.update(LISTS)
            if method == "get" and "{" in path:
                answers["404"] = "Not found, or outside the caller's scope."
            for status, description in answers.items():
                operation["responses"].setdefault(
                    status,
                    {"description": description, "content": {"application/json": {"schema": ERROR}}},
                )
    return result


# --- error responses a view declares -------------------------------------------------------------------------

BAD_INPUT = OpenApiResponse(
    OpenApiTypes.OBJECT, description='Bad input: `{"field": ["message", ...]}` or `{"detail": "..."}`.'
)
UNAUTHENTICATED = OpenApiResponse(ErrorSerializer, description="Not signed in (no or invalid token or session).")
FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Your role may not take this action on a visible object.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such object in your scope.")
THROTTLED = OpenApiResponse(ErrorSerializer, description="Too many requests; see the Retry-After header.")
STALE = OpenApiResponse(ErrorSerializer, description="If-Match (or `version`) is stale: nothing was changed.")
UNAVAILABLE = OpenApiResponse(ErrorSerializer, description="The server cannot do this now (not the caller's fault).")


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The error responses ``codes`` (401 and 429 are always added: every view needs sign-in and is throttled)."""
    known = {
        400: BAD_INPUT,
        401: UNAUTHENTICATED,
        403: FORBIDDEN,
        404: NOT_FOUND,
        412: STALE,
        429: THROTTLED,
        503: UNAVAILABLE,
    }
    return {code: known[code] for code in sorted({*codes, 401, 429})}
