"""The case pages (DESIGN §5, §7): the list, a new case, the case page with its actions, a unit's inbox and the
county office's overdue board. Thin: they parse input with ``grievances.forms``, read through
``grievances.selectors`` (which start from the scope) and write through ``grievances.services``.

Refusals: outside the scope 404 (logged by the scope); an action the role may not take 403 (logged here); an
action the case's status does not allow, or a form made from an older version of the case, 409 with the page
saying why; bad input re-renders the form with its errors. Nothing is changed by any refusal.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import phone_for, refusal_log
from songpan.client_numbers import client_ints
from songpan.errors import StaleVersionError

from . import selectors
from .forms import (
    CaseFilterForm,
    CaseForm,
    CasePartyForm,
    MediationForm,
    PartyFormSet,
    action_form,
    add_service_errors,
    parties_from,
)
from .models import Case, CaseKind, DisputeOutcome, EventAction, Satisfaction
from .services import case_submit, case_transition, mediation_record, notifications_mark_read, party_add
from .services.disputes import HANDLERS
from .workflow import ACTION_LABELS, Action, TransitionNotAllowed, allowed_actions, check, standing

PAGE_SIZE = 50


def _refuse(request: HttpRequest, error: PermissionDenied, *, target: Any = None, detail: dict | None = None):
    """Log a refused action on a visible object and answer 403."""
    refusal_log(user=request.user, request=request, target=target, detail=detail)
    raise error


def _require(request: HttpRequest, allowed: bool, what: str) -> None:
    if not allowed:
        _refuse(request, PermissionDenied(_("Your role may not use this page.")), detail={"page": what})


# -- the list ------------------------------------------------------------------------------------------------


@require_GET
@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_bound else {}
    cases = selectors.case_list(user=request.user, filters=filters)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "grievances/case_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "may_submit": selectors.may_submit_cases(request.user),
            "today": timezone.localdate(),
        },
    )


# -- a new case ----------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    _require(request, selectors.may_submit_cases(request.user), "case-new")
    household_id = request.POST.get("household") or request.GET.get("household")
    household = selectors.household_get(user=request.user, pk=household_id, request=request) if household_id else None
    data = request.POST if request.method == "POST" else None
    form = CaseForm(data, user=request.user, household=household)
    parties = PartyFormSet(data, prefix="parties")
    if request.method == "POST" and form.is_valid() and parties.is_valid():
        try:
            case = case_submit(actor=request.user, parties=parties_from(parties), **form.service_arguments())
        except ValidationError as error:
            add_service_errors(form, error, aliases={"household": "household_choice"})
        except PermissionDenied as error:
            _refuse(request, error, detail={"page": "case-new"})
        else:
            messages.success(request, _("Case %(reference)s was listed.") % {"reference": case.reference})
            return redirect("grievances:detail", pk=case.pk)
    return render(request, "grievances/case_new.html", {"form": form, "parties": parties, "household": household})


# -- the case page and its actions ---------------------------------------------------------------------------


def _timeline(case: Case) -> list[dict[str, Any]]:
    rows = []
    for event in case.events.all():
        detail = event.detail or {}
        facts = []
        if detail.get("unit_name"):
            facts.append(_("unit: %(unit)s") % {"unit": detail["unit_name"]})
        if detail.get("deadline"):
            facts.append(_("deadline: %(date)s") % {"date": detail["deadline"]})
        if detail.get("reason"):
            facts.append(_("reason: %(reason)s") % {"reason": detail["reason"]})
        if detail.get("satisfaction"):
            facts.append(_("household: %(verdict)s") % {"verdict": _label_of("satisfaction", detail["satisfaction"])})
        if detail.get("outcome"):
            facts.append(_("outcome: %(outcome)s") % {"outcome": _label_of("outcome", detail["outcome"])})
        if detail.get("duplicate_of"):
            facts.append(_("duplicate of %(reference)s") % {"reference": detail["duplicate_of"]})
        if detail.get("to_level"):
            facts.append(
                _("level: %(before)s → %(after)s") % {"before": detail["from_level"], "after": detail["to_level"]}
            )
        if detail.get("mediators"):
            facts.append(_("mediators: %(names)s") % {"names": detail["mediators"]})
        rows.append({"event": event, "facts": facts})
    return rows


def _label_of(kind: str, value: str) -> str:
    choices = {"satisfaction": Satisfaction, "outcome": DisputeOutcome}[kind]
    return str(choices(value).label) if value in choices.values else value


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    bound: Any = None,
    mediation: MediationForm | None = None,
    party: CasePartyForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    forms = []
    for action in allowed_actions(user, case):
        form = bound if bound is not None and bound.action == action else action_form(action, case=case, user=user)
        forms.append({"action": action, "label": ACTION_LABELS[action], "form": form, "open": form.is_bound})
    if bound is not None and bound.action not in {entry["action"] for entry in forms}:
        # The action is no longer possible (the page says why); keep what the user typed visible anyway.
        forms.append({"action": bound.action, "label": ACTION_LABELS[bound.action], "form": bound, "open": True})
    handles_dispute = case.kind == CaseKind.DISPUTE and _may_record_mediation(user, case)
    context = {
        "case": case,
        "units": case.units.all(),
        "accountability": case.accountability.all(),
        "parties": [{"party": p, "phone": phone_for(user, p.phone)} for p in case.parties.all()],
        "mediations": case.mediations.all(),
        "timeline": _timeline(case),
        "action_forms": forms,
        "mediation_form": (mediation or MediationForm()) if handles_dispute else None,
        "party_form": (party or CasePartyForm()) if handles_dispute else None,
        "problem": problem,
        "today": timezone.localdate(),
    }
    return render(request, "grievances/case_detail.html", context, status=status)


def _may_record_mediation(user, case: Case) -> bool:
    return bool(standing(user, case) & HANDLERS)


def _require_dispute_handler(request: HttpRequest, case: Case, what: str) -> None:
    if case.kind != CaseKind.DISPUTE:
        _refuse(request, PermissionDenied(_("Only disputes have parties and mediation sessions.")), target=case)
    if not _may_record_mediation(request.user, case):
        _refuse(
            request,
            PermissionDenied(_("Your role may not do this to this case.")),
            target=case,
            detail={"action": what},
        )


@require_GET
@login_required
def case_detail(request: HttpRequest, pk: str) -> HttpResponse:
    return _case_page(request, selectors.case_get(user=request.user, pk=pk, request=request))


@require_POST
@login_required
def case_act(request: HttpRequest, pk: str, action: str) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk, request=request)
    try:
        action = Action(action)
    except ValueError:
        raise Http404(_("There is no such action.")) from None
    # Who may do what is settled before the input is read: a refused role gets 403 whatever it sent.
    try:
        check(request.user, case, action)
    except PermissionDenied as error:
        _refuse(request, error, target=case, detail={"action": str(action)})
    except TransitionNotAllowed as error:
        return _case_page(request, case, problem=str(error), status=409)
    form = action_form(action, case=case, user=request.user, data=request.POST)
    if not form.is_valid():
        if "version" in form.errors:
            return _case_page(
                request, case, bound=form, problem=_("The form was incomplete: reload the page."), status=400
            )
        return _case_page(request, case, bound=form)
    try:
        case_transition(actor=request.user, case=case, action=action, **form.service_arguments())
    except PermissionDenied as error:
        _refuse(request, error, target=case, detail={"action": str(action)})
    except StaleVersionError as error:
        fresh = selectors.case_get(user=request.user, pk=pk, request=request)
        return _case_page(request, fresh, bound=form, problem=str(error), status=409)
    except TransitionNotAllowed as error:
        fresh = selectors.case_get(user=request.user, pk=pk, request=request)
        return _case_page(request, fresh, problem=str(error), status=409)
    except ValidationError as error:
        add_service_errors(form, error)
        return _case_page(request, case, bound=form)
    messages.success(
        request,
        _("%(action)s: done. The case is now “%(status)s”.")
        % {"action": ACTION_LABELS[action], "status": case.get_status_display()},
    )
    return redirect("grievances:detail", pk=case.pk)


@require_POST
@login_required
def mediation_add(request: HttpRequest, pk: str) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk, request=request)
    _require_dispute_handler(request, case, EventAction.MEDIATION)
    form = MediationForm(request.POST)
    if form.is_valid():
        try:
            mediation_record(actor=request.user, case=case, **form.cleaned_data)
        except PermissionDenied as error:
            _refuse(request, error, target=case, detail={"action": EventAction.MEDIATION})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The mediation session was recorded."))
            return redirect("grievances:detail", pk=case.pk)
    return _case_page(request, case, mediation=form)


@require_POST
@login_required
def party_new(request: HttpRequest, pk: str) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk, request=request)
    _require_dispute_handler(request, case, "party_add")
    form = CasePartyForm(request.POST)
    if form.is_valid():
        try:
            party_add(actor=request.user, case=case, **form.cleaned_data)
        except PermissionDenied as error:
            _refuse(request, error, target=case, detail={"action": "party_add"})
        except ValidationError as error:
            add_service_errors(form, error, aliases={"parties": "name"})
        else:
            messages.success(request, _("The party was added."))
            return redirect("grievances:detail", pk=case.pk)
    return _case_page(request, case, party=form)


# -- a unit's inbox ------------------------------------------------------------------------------------------


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    _require(request, selectors.has_inbox(request.user), "case-inbox")
    return _inbox_page(request)


def _inbox_page(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    cases = selectors.case_inbox(user=request.user)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "grievances/inbox.html",
        {
            "page": page,
            "units": selectors.acting_units(request.user),
            "notifications": selectors.unit_notifications(user=request.user),
            "today": timezone.localdate(),
        },
        status=status,
    )


@require_POST
@login_required
def inbox_read(request: HttpRequest) -> HttpResponse:
    _require(request, selectors.has_inbox(request.user), "case-inbox-read")
    ids = client_ints(request.POST.getlist("id"))
    if ids is None:
        messages.error(request, _("Nothing was marked read: a notification is named by its number."))
        return _inbox_page(request, status=400)
    count = notifications_mark_read(actor=request.user, ids=ids if "all" not in request.POST else None)
    messages.success(request, _("%(count)d notifications marked read.") % {"count": count})
    return redirect("grievances:inbox")


# -- the overdue board ---------------------------------------------------------------------------------------


@require_GET
@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    _require(request, selectors.may_supervise(request.user), "case-overdue")
    rows = selectors.overdue_board(user=request.user)
    list_url = reverse("grievances:list")
    return render(
        request,
        "grievances/overdue.html",
        {"rows": rows, "list_url": list_url, "today": timezone.localdate()},
    )
