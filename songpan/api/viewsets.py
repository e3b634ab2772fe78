"""What every API view shares: lists start from the caller's scope, objects are fetched and authorized in one
call (404 outside the scope), and versioned objects carry an ETag and honour If-Match.

    class HouseholdViewSet(ScopedViewSetMixin, VersionedMixin, viewsets.GenericViewSet): ...
"""

import re
import uuid

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework.request import Request

from accounts.scoping import scope_for
from songpan.client_numbers import client_int

from .errors import PreconditionFailed

_ETAG = re.compile(r'^\s*(?:W/)?"([^"]*)"\s*$')  # the digits inside are read by ``client_int``


class ScopedViewSetMixin:
    """``base_queryset()`` narrowed by ``accounts.scoping`` for every list, detail and action."""

    lookup_value_regex = "[^/]+"  # malformed ids reach the scope check (404, logged) instead of the resolver

    def base_queryset(self) -> QuerySet:
        raise NotImplementedError

    @property
    def scope(self):
        if not hasattr(self, "_scope"):
            self._scope = scope_for(self.request.user)
        return self._scope

    def get_queryset(self) -> QuerySet:
        return self.scope.filter(self.base_queryset())

    def get_object(self):
        queryset = self.filter_queryset(self.get_queryset()) if self.action != "retrieve" else self.get_queryset()
        lookup = {self.lookup_field: self.kwargs[self.lookup_url_kwarg or self.lookup_field]}
        obj = self.scope.get_or_404(queryset, request=self.request._request, **lookup)
        self.check_object_permissions(self.request, obj)
        return obj


def client_uuid(value: str) -> uuid.UUID | None:
    """``value`` as the UUID a phone chose for an object it creates offline (``PUT /<resource>/<uuid>/``), or None."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def expected_version(request: Request) -> int | None:
    """The version the client edited: ``If-Match: "7"`` (or ``W/"7"``), else ``version`` in the body, else None.

    A malformed If-Match answers 412 (it can match nothing).
    """
    header = request.headers.get("If-Match")
    if header:
        match = _ETAG.match(header)
        version = client_int(match.group(1)) if match else None
        if version is None:
            raise PreconditionFailed(_('If-Match must be an ETag of this API, like "7".'))
        return version
    sent = request.data.get("version") if hasattr(request.data, "get") else None
    if sent is None:
        return None
    version = client_int(sent)
    if version is None:
        raise PreconditionFailed(_("version must be an integer."))
    return version


class VersionedMixin:
    """Adds ``ETag: "<version>"`` to responses about one versioned object."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if response.status_code in (200, 201) and isinstance(data, dict) and "version" in data and "id" in data:
            response["ETag"] = f'"{data["version"]}"'
        return response
