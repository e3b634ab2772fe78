"""Cases over the API: list and detail from the caller's scope, submission (POST, or PUT by a client UUID), edits
of the details, transitions, the timeline, mediation sessions, and the categories.

Thin: the scope decides what is seen (404 outside it), ``grievances.workflow`` and the services what may be done
(403, 409) and what is valid (400, 412). Order of refusals for a write: outside the scope 404; a role with no
standing on the case (``grievances.workflow.standing``) or that may not submit 403, before the body is read, so
that it learns nothing from validation; then a malformed body 400; then the service: a stale version 412, the
role 403, the status 409, the values 400. Nothing is written on any refusal (each service is one transaction);
403s are written to the access log.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.serializers import ErrorSerializer
from accounts.models import Role
from accounts.permissions import refusal_log
from divisions.models import Division
from grievances.models import Case, CaseCategory, CaseKind, CaseUnit, PartyRole
from grievances.services import case_submit, case_transition, case_update, mediation_record
from grievances.services.cases import case_label, title_from
from grievances.services.disputes import HANDLERS
from grievances.workflow import standing, with_standing_facts
from households.models import Household
from songpan.api.errors import field_invalid
from songpan.api.schema import errors
from songpan.api.viewsets import (
    IdempotentCreateMixin,
    ScopedViewSetMixin,
    VersionedMixin,
    client_uuid,
    expected_version,
)
from songpan.errors import check_version

from .filters import CaseCategoryFilter, CaseFilter, CaseOrderingFilter
from .serializers import (
    CaseCategorySerializer,
    CaseEventSerializer,
    CaseSerializer,
    CaseTransitionSerializer,
    MediationSessionSerializer,
)

# The roles ``grievances.services.case_submit`` lets submit; asked here first so that a role that may not submit
# gets its 403 before any validation of the body.
SUBMITTING_ROLES = frozenset({Role.COUNTY_OFFICE, Role.TOWNSHIP, Role.CADRE})
EDITABLE = {"kind": "kind", "category_id": "category", "source": "source", "priority": "priority"}

IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, description='The ETag acted on, like "7".'
)
CONFLICT = OpenApiResponse(
    ErrorSerializer, description="The case's status does not allow this now (`detail` says why); nothing changed."
)


def case_errors(*codes: int) -> dict[int, OpenApiResponse]:
    """``songpan.api.schema.errors`` plus 409 (a case's status refusing an action)."""
    answers = errors(*(code for code in codes if code != 409))
    if 409 in codes:
        answers[409] = CONFLICT
    return dict(sorted(answers.items()))


def _log_refusal(request: Request, case: Case | None, reason: str) -> None:
    refusal_log(
        user=request.user,
        request=request._request,
        target=case,
        object_type="" if case is not None else "grievances.case",
        detail={"reason": reason},
    )


@contextmanager
def _refusals_logged(request: Request, case: Case | None, what: str) -> Iterator[None]:
    """A service's refusal (403) is written to the access log (after its transaction was rolled back)."""
    try:
        yield
    except PermissionDenied:
        _log_refusal(request, case, what)
        raise


@extend_schema_view(
    list=extend_schema(
        summary="Cases in your scope",
        responses={200: CaseSerializer(many=True), **errors(400, 404)},
    ),
    retrieve=extend_schema(
        summary="One case, with what you may do to it now", responses={200: CaseSerializer, **errors(404)}
    ),
    create=extend_schema(
        summary="Submit a case (county office, township staff, cadres)",
        request=CaseSerializer,
        responses={201: CaseSerializer, 200: CaseSerializer, **errors(400, 403)},
        description="A cadre submits for the households it is paired with; staff anywhere in their area. A replayed "
        "create (the same client `id`, visible to the caller) answers 200 with the case as it is.",
    ),
    update=extend_schema(
        summary="Submit a case by its client id, or replace its details",
        request=CaseSerializer,
        parameters=[IF_MATCH],
        responses={200: CaseSerializer, 201: CaseSerializer, **case_errors(400, 403, 404, 409, 412)},
        description="On an id that does not exist yet, submit the case with that id (201); a replay with the same "
        "content changes nothing (200, same version). On an existing case, replace its details (`kind`, "
        "`category`, `source`, `title`, `description`, `priority`; omitted optional ones take their defaults) "
        "while it is not yet assigned (409 after that).",
    ),
    partial_update=extend_schema(
        summary="Correct a case's details while it is not yet assigned",
        request=CaseSerializer,
        parameters=[IF_MATCH],
        responses={200: CaseSerializer, **case_errors(400, 403, 404, 409, 412)},
    ),
)
class CaseViewSet(
    ScopedViewSetMixin,
    VersionedMixin,
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Problems, suggestions and disputes in the caller's scope (``accounts.scoping``: by village; department staff
    also the cases their department has a part in; a cadre those of its households and those it reported)."""

    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    filter_backends = [
        *viewsets.GenericViewSet.filter_backends[:1],
        CaseOrderingFilter,
        *viewsets.GenericViewSet.filter_backends[2:],
    ]
    ordering_fields = ["created_at", "deadline", "updated_at", "reference", "priority"]
    ordering = ["-created_at"]
    search_fields = ["reference", "title", "description"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def base_queryset(self) -> QuerySet[Case]:
        cases = Case.objects.select_related("category", "village", "responsible_unit").prefetch_related(
            Prefetch("units", queryset=CaseUnit.objects.select_related("unit")), "parties"
        )
        return with_standing_facts(cases, self.request.user)  # allowed_actions on every row, no query per row

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # The list's filters only: ``?status=`` on a transition must not turn the case into a 404.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def respond(self, case: Case, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.base_queryset().get(pk=case.pk)  # as a GET shows it, with what the caller may do now
        return Response(self.get_serializer(fresh).data, status=code)

    def _require_standing(self, request: Request, case: Case, *, among=None) -> None:
        """403 (logged) unless the caller has a standing on the case (``among`` those, if given)."""
        who = standing(request.user, case)
        if among is not None:
            who &= among
        if not who:
            _log_refusal(request, case, "no standing on the case")
            raise PermissionDenied(_("Your role may not do this to this case."))

    # -- submit ------------------------------------------------------------------------------------------------

    def create_from_request(self, request: Request, *, client_id: uuid.UUID | None) -> Response:
        # A PUT of an unknown id, or a POST: submit the case (IdempotentCreateMixin answers the replays).
        if request.user.role not in SUBMITTING_ROLES:
            _log_refusal(request, None, "may not submit cases")
            raise PermissionDenied(_("Your role may not submit cases."))
        serializer = CaseSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "version" in data:
            raise field_invalid("version", _("Not used when submitting a case."))
        if client_id is not None:
            if data.get("id", client_id) != client_id:
                raise field_invalid("id", _("The id does not match the case addressed."))
            data["id"] = client_id
        household = None
        if data.get("household_id") is not None:
            household = self.scope.of(Household).filter(pk=data["household_id"]).first()
            if household is None:
                raise field_invalid("household", _("There is no such household in your area."))
        village = None
        if data.get("village_id"):
            village = Division.objects.filter(code=data["village_id"]).first()
            if village is None:
                raise field_invalid(
                    "village", _("There is no division with code %(code)s.") % {"code": data["village_id"]}
                )

        def submit() -> Case:
            return case_submit(
                actor=request.user,
                id=data.get("id"),
                kind=data["kind"],
                category=data["category_id"],
                description=data["description"],
                source=data["source"],
                household=household,
                village=village,
                title=data["title"],
                priority=data["priority"],
                parties=data.get("parties"),
            )

        with _refusals_logged(request, None, "may not submit cases"):  # written after the rollback
            case = self.create_once(client_id=data.get("id"), create=submit)
        return self.answer_create(request, case, client_id=data.get("id"))

    # -- edit --------------------------------------------------------------------------------------------------

    def replace(self, request: Request) -> Response:
        return self._change(request, partial=False)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        return self._change(request, partial=True)

    def _change(self, request: Request, *, partial: bool) -> Response:
        case = self.get_object()
        self._require_standing(request, case)
        version = expected_version(request)
        serializer = CaseSerializer(data=request.data, partial=partial, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        changes = _edits(case, dict(serializer.validated_data))
        if not changes:  # a replay, or nothing to change: no edit, and no refusal for the case's status
            check_version(case, version, label=case_label(case))
            return self.respond(case)
        with _refusals_logged(request, case, "may not edit the case"):
            case = case_update(actor=request.user, case=case, expected_version=version, **changes)
        return self.respond(case)

    # -- workflow ----------------------------------------------------------------------------------------------

    @extend_schema(
        summary="Take a workflow action on the case",
        request=CaseTransitionSerializer,
        parameters=[IF_MATCH],
        responses={200: CaseSerializer, **case_errors(400, 403, 404, 409, 412)},
        description="`action` is one of accept, assign, reassign, start, part_done, resolve, close, reopen, "
        "escalate, reject, duplicate (see `allowed_actions` of the case). 409 when the case's status does not "
        "allow it, 403 when your role may not take it; nothing is changed on any refusal.",
    )
    @action(detail=True, methods=["post"], url_path="transition", url_name="transition", filter_backends=[])
    def transition(self, request: Request, *args, **kwargs) -> Response:
        case = self.get_object()
        self._require_standing(request, case)
        version = expected_version(request)
        serializer = CaseTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        named = data.pop("duplicate_of", "")
        if named:
            data["duplicate_of"] = self._case_named(named)
        with _refusals_logged(request, case, f"may not {data['action']} the case"):
            case_transition(actor=request.user, case=case, expected_version=version, **data)
        return self.respond(case)

    def _case_named(self, named: str) -> Case:
        """A case of the caller's scope by id or reference, else a 400 on ``duplicate_of``."""
        pk = client_uuid(named)
        cases = self.scope.of(Case)
        found = cases.filter(pk=pk).first() if pk is not None else cases.filter(reference=named).first()
        if found is None:
            raise field_invalid("duplicate_of", _("There is no case %(case)s in your area.") % {"case": named})
        return found

    @extend_schema(
        summary="The case's timeline",
        responses={200: CaseEventSerializer(many=True), **errors(404)},
    )
    @action(detail=True, methods=["get"], url_path="events", url_name="events", filter_backends=[])
    def events(self, request: Request, *args, **kwargs) -> Response:
        case = self.get_object()
        events = case.events.select_related("actor").order_by("at", "id")
        page = self.paginate_queryset(events)
        return self.get_paginated_response(CaseEventSerializer(page, many=True).data)

    @extend_schema(
        methods=["GET"],
        summary="The mediation sessions of a dispute",
        responses={200: MediationSessionSerializer(many=True), **errors(404)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Record a mediation session of a dispute (the staff handling it)",
        request=MediationSessionSerializer,
        parameters=[IF_MATCH],
        responses={201: MediationSessionSerializer, **errors(400, 403, 404, 412)},
        description="With `If-Match`, refused (412) when the case changed since the client read it.",
    )
    @action(detail=True, methods=["get", "post"], url_path="mediations", url_name="mediations", filter_backends=[])
    def mediations(self, request: Request, *args, **kwargs) -> Response:
        case = self.get_object()
        if request.method == "POST":
            return self._mediation_record(request, case)
        sessions = case.mediations.select_related("recorded_by").order_by("date", "id")
        page = self.paginate_queryset(sessions)
        return self.get_paginated_response(MediationSessionSerializer(page, many=True).data)

    def _mediation_record(self, request: Request, case: Case) -> Response:
        self._require_standing(request, case, among=HANDLERS)
        if case.kind != CaseKind.DISPUTE:
            _log_refusal(request, case, "not a dispute")
            raise PermissionDenied(_("Only disputes have parties and mediation sessions."))
        version = expected_version(request)
        serializer = MediationSessionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with _refusals_logged(request, case, "may not record mediation"):
            session = mediation_record(
                actor=request.user, case=case, expected_version=version, **serializer.validated_data
            )
        return Response(MediationSessionSerializer(session).data, status=status.HTTP_201_CREATED)


def _edits(case: Case, data: dict) -> dict:
    """The changes ``data`` (a validated body) asks of ``case``, as ``case_update`` takes them; values equal to the
    case's are left out, so that a replayed PUT is no change. ``household``, ``village`` and ``parties`` are set
    when submitting: a different value is passed on for the service to refuse with its reason."""
    data.pop("version", None)
    client_id = data.pop("id", None)
    if client_id is not None and client_id != case.pk:
        raise field_invalid("id", _("The id does not match the case addressed."))
    changes: dict = {}
    if "household_id" in data and data["household_id"] != case.household_id:
        changes["household"] = data["household_id"]
    if data.get("village_id") not in (None, case.village_id):
        changes["village"] = data["village_id"]
    if "parties" in data:
        # (a PATCH's parties come without their defaults)
        given = sorted((party.get("name", "").strip(), party.get("role", PartyRole.OTHER)) for party in data["parties"])
        held = sorted((party.name, party.role) for party in case.parties.all())
        if given != held:
            raise field_invalid("parties", _("Parties are recorded when the case is submitted."))
    for field, name in EDITABLE.items():
        if field in data and data[field] != getattr(case, field):
            changes[name] = data[field]
    description = data.get("description", case.description).strip()
    if "description" in data and description != case.description:
        changes["description"] = data["description"]
    if "title" in data and (data["title"].strip() or title_from(description)) != case.title:
        changes["title"] = data["title"]
    return changes


@extend_schema_view(
    list=extend_schema(
        summary="Case categories (reference data)", responses={200: CaseCategorySerializer(many=True), **errors(400)}
    )
)
class CaseCategoryViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """What a case may be about; ``is_active=false`` ones only label older cases."""

    serializer_class = CaseCategorySerializer
    filterset_class = CaseCategoryFilter
    ordering_fields = ["sort_order", "code", "name"]
    ordering = ["sort_order", "code"]
    search_fields = ["code", "name"]

    def base_queryset(self) -> QuerySet[CaseCategory]:
        return CaseCategory.objects.all()
