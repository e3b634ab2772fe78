"""The error responses every scoped API view documents in the OpenAPI schema (API.md: 400, 401, 403, 404, 429)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse

from accounts.api.serializers import ErrorSerializer

BAD_INPUT = OpenApiResponse(
    OpenApiTypes.OBJECT, description='Bad input: `{"field": ["message", ...]}` or `{"detail": "..."}`.'
)
UNAUTHENTICATED = OpenApiResponse(ErrorSerializer, description="Not signed in (no or invalid token or session).")
FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Your role may not take this action on a visible object.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such object in your scope.")
THROTTLED = OpenApiResponse(ErrorSerializer, description="Too many requests; see the Retry-After header.")
STALE = OpenApiResponse(ErrorSerializer, description="If-Match (or `version`) is stale: nothing was changed.")


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The error responses ``codes`` (401 and 429 are always added: every view needs sign-in and is throttled)."""
    known = {400: BAD_INPUT, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND, 412: STALE, 429: THROTTLED}
    return {code: known[code] for code in sorted({*codes, 401, 429})}
