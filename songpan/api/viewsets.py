"""What every API view shares: lists start from the caller's scope, objects are fetched and authorized in one
call (404 outside the scope), versioned objects carry an ETag and honour If-Match, and objects created offline are
created once however often (and however simultaneously) the phone sends them.

    class HouseholdViewSet(ScopedViewSetMixin, VersionedMixin, IdempotentCreateMixin, viewsets.GenericViewSet): ...
"""

import re
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

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


class IdempotentCreateMixin:
    """Create-or-replay by client UUID, for a resource that phones create offline.

    A phone gives each object it creates an id of its own and sends it until it has an answer: ``PUT
    /<resource>/<uuid>/`` (or ``POST`` with ``"id"`` in the body). The first request to arrive creates the object
    (201); every other one is a replay and answers 200 — also when the requests arrive at the same moment and the
    replays find the object only when the database refuses their insert. A replay answers what it would have
    answered had it come after the create: a ``PUT`` goes on as the PUT of an existing object (``replace``: the
    same content changes nothing, 200 with the same version; other content is the usual update, with its usual
    refusals — 409 for a case already assigned, 412 for a stale If-Match); a ``POST`` answers the stored object as
    it is, if the caller sees it (else the service's refusal of the id stands: 400 on ``id``).

    The viewset (also a ``ScopedViewSetMixin``) provides:

    - ``create_from_request(request, *, client_id)``: validate the body (``client_id`` is the id of the URL for a
      PUT, else None) and end with ``return self.create_or_replay(request, client_id=..., create=...)``, where
      ``create`` calls the service (keyword-only, ``actor``) and returns the new object;
    - ``replace(request)``: the PUT of an object that exists;
    - ``respond(instance, code)``: the object as the API shows it.

    A view that must do something around the service's refusals (log a 403 after the rollback) calls the two
    steps itself: ``instance = self.create_once(client_id=..., create=...)`` then
    ``return self.answer_create(request, instance, client_id=...)``.
    """

    def create_from_request(self, request: Request, *, client_id: uuid.UUID | None) -> Response:
        raise NotImplementedError

    def replace(self, request: Request) -> Response:
        raise NotImplementedError

    def respond(self, instance: Any, code: int = status.HTTP_200_OK) -> Response:
        raise NotImplementedError

    def create(self, request: Request, *args, **kwargs) -> Response:
        return self.create_from_request(request, client_id=None)

    def update(self, request: Request, *args, **kwargs) -> Response:
        client_id = client_uuid(self.kwargs[self.lookup_url_kwarg or self.lookup_field])
        if client_id is not None and not self._stored(client_id).exists():
            return self.create_from_request(request, client_id=client_id)
        return self.replace(request)

    def create_or_replay(
        self, request: Request, *, client_id: uuid.UUID | None, create: Callable[[], Model]
    ) -> Response:
        """201 with the object ``create()`` made; 200 (or the PUT's answer) when ``client_id`` was stored already."""
        return self.answer_create(request, self.create_once(client_id=client_id, create=create), client_id=client_id)

    def create_once(self, *, client_id: uuid.UUID | None, create: Callable[[], Model]) -> Model | None:
        """The object ``create()`` made, or None when it refused because ``client_id`` is stored already (a replay).

        ``create()`` must call a service that is atomic itself (every create service is): its transaction (or
        savepoint) is rolled back when the database refuses a second insert of the same id (two requests at the
        same moment, neither seeing the other's object when it checked), so the connection stays usable, and
        what the service wrote to the access log after its rollback (a refusal, an ID-number probe) stays. The
        stored object is then looked up anew, which sees the committed winner. Any other refusal is raised as it
        was.
        """
        try:
            return create()
        except (DjangoValidationError, IntegrityError):
            if client_id is None or not self._replayable(client_id).exists():
                raise
            return None

    def answer_create(self, request: Request, instance: Model | None, *, client_id: uuid.UUID | None) -> Response:
        """201 for the object this request created; for a replay (``instance`` None) what a later request gets."""
        if instance is not None:
            return self.respond(instance, status.HTTP_201_CREATED)
        if self.action == "update":
            return self.replace(request)
        return self.respond(self._replayable(client_id).get())

    def _stored(self, client_id: uuid.UUID) -> QuerySet:
        return self.base_queryset().model._default_manager.filter(pk=client_id)

    def _replayable(self, client_id: uuid.UUID | None) -> QuerySet:
        # A PUT goes on to ``replace``, which answers 404 (logged) for an object outside the caller's scope; a POST
        # answers only an object the caller sees.
        if self.action == "update":
            return self._stored(client_id)
        return self.get_queryset().filter(pk=client_id)
