"""Household pages: the list (search, filters, sorting); the household card with members, pairing history, open
cases and edit history; editing a household; ID-number reveal; the county office's list of ID numbers refused
because they are held outside the scope of who gave them.

Thin: input is parsed by ``households.forms``, reads go through ``households.selectors`` (which start from the
scope), writes through ``households.services``. Outside the scope 404 (logged by the scope); a role that may not
edit the registry 403 (logged); a form made from an older version 409 with nothing saved; bad input re-renders
the form with its errors.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import Capability, has_capability, phone_for, require_capability
from accounts.scoping import scope_for
from grievances.forms import add_service_errors
from grievances.models import FINAL_STATUSES
from grievances.selectors import household_cases, may_submit_cases
from ledgers.selectors import pairing_history
from songpan.errors import ServiceUnavailable, StaleVersionError

from .forms import HouseholdFilterForm, HouseholdForm
from .models import Household, Member
from .selectors import household_history, household_list, household_page_get, id_number_conflicts
from .services import household_update, member_id_number_reveal

PAGE_SIZE = 50


@require_GET
@login_required
def household_index(request: HttpRequest) -> HttpResponse:
    form = HouseholdFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_bound else {}
    page = Paginator(household_list(user=request.user, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "households/household_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def _household_page(request: HttpRequest, household: Household, revealed: dict | None = None) -> HttpResponse:
    members = list(household.members.order_by("birth_date"))
    for member in members:
        member.revealed_id_number = (revealed or {}).get(member.pk, "")
    pairings = getattr(household, "active_primary_pairings", None)
    context = {
        "household": household,
        "members": members,
        "income_sources": household.income_sources.order_by("-year", "kind"),
        "categories": household.categories.all(),
        "active_pairing": pairings[0] if pairings else None,
        "pairings": pairing_history(household),
        "history": household_history(household, show_phone=lambda phone: phone_for(request.user, phone), limit=30),
        "can_reveal": has_capability(request.user, Capability.REVEAL_ID_NUMBER),
        "may_edit": has_capability(request.user, Capability.EDIT_REGISTRY),
        "cases": household_cases(user=request.user, household=household).exclude(status__in=FINAL_STATUSES)[:20],
        "may_submit_case": may_submit_cases(request.user),
        "today": timezone.localdate(),
    }
    return render(request, "households/household_detail.html", context)


@require_GET
@login_required
def household_detail(request: HttpRequest, pk: str) -> HttpResponse:
    return _household_page(request, household_page_get(user=request.user, pk=pk, request=request))


@require_http_methods(["GET", "POST"])
@login_required
def household_edit(request: HttpRequest, pk: str) -> HttpResponse:
    household = household_page_get(user=request.user, pk=pk, request=request)
    require_capability(request.user, Capability.EDIT_REGISTRY, request=request, target=household)
    if request.method != "POST":
        form = HouseholdForm(initial=HouseholdForm.initial_for(household))
        return _edit_page(request, household, form)
    form = HouseholdForm(request.POST, initial=HouseholdForm.initial_for(household))
    if not form.is_valid():
        if "version" in form.errors:
            return _edit_page(
                request, household, form, problem=_("The form was incomplete: reload the page."), status=400
            )
        return _edit_page(request, household, form)
    try:
        household_update(  # a refusal by the service is logged by it (with the request) and answers 403
            actor=request.user,
            household=household,
            expected_version=form.cleaned_data["version"],
            request=request,
            **form.changes(),
        )
    except StaleVersionError as error:
        # Nothing was saved. The form keeps what the user typed, beside what is saved now, and carries the new
        # version: saving again is a deliberate choice made after seeing the other change.
        fresh = household_page_get(user=request.user, pk=pk, request=request)
        data = request.POST.copy()
        data["version"] = str(fresh.version)
        retry = HouseholdForm(data, initial=HouseholdForm.initial_for(fresh))
        return _edit_page(request, fresh, retry, problem=str(error), saved=_saved_values(retry, fresh), status=409)
    except ValidationError as error:
        add_service_errors(form, error)
        return _edit_page(request, household, form)
    changed = form.changed_labels()
    if changed:
        messages.success(
            request,
            _("Household %(number)s saved: %(fields)s changed.")
            % {"number": household.number, "fields": ", ".join(changed)},
        )
    else:
        messages.info(request, _("Nothing was changed."))
    return redirect("households:detail", pk=household.pk)


def _saved_values(form: HouseholdForm, household: Household) -> list[dict[str, str]]:
    """The fields the user changed that differ from what is saved now: the label, the saved and the typed value."""
    rows = []
    saved = HouseholdForm.initial_for(household)
    typed = form.cleaned_data if form.is_valid() else {}
    for name in form.changed_data:
        if name not in HouseholdForm.EDITED:
            continue
        field = form.fields[name]
        if name == "categories":
            names = dict(field.queryset.values_list("code", "name"))
            now = "、".join(names.get(code, code) for code in saved[name])
            mine = "、".join(c.name for c in typed.get(name, []))
        elif name == "risk_level":
            now, mine = household.get_risk_level_display(), dict(field.choices).get(typed.get(name), "")
        else:
            now, mine = saved[name], typed.get(name, "")
        rows.append({"label": field.label, "saved": str(now or "—"), "typed": str(mine or "—")})
    return rows


def _edit_page(
    request: HttpRequest,
    household: Household,
    form: HouseholdForm,
    *,
    problem: str = "",
    saved: list | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "households/household_edit.html",
        {"household": household, "form": form, "problem": problem, "saved": saved or []},
        status=status,
    )


@never_cache
@require_POST
@login_required
def member_reveal(request: HttpRequest, pk: str) -> HttpResponse:
    """Show one member's full ID number on the household card, once; never cached, always logged."""
    scope = scope_for(request.user)
    member = scope.get_or_404(Member.objects.select_related("household__village__parent"), request=request, pk=pk)
    try:
        number = member_id_number_reveal(actor=request.user, member=member, request=request)
    except ServiceUnavailable as error:
        return render(request, "households/unavailable.html", {"message": str(error)}, status=503)
    return _household_page(request, member.household, revealed={member.pk: number})


@never_cache
@require_GET
@login_required
def id_conflicts(request: HttpRequest) -> HttpResponse:
    """The county office's follow-up list: who gave an ID number held outside their scope, when, for which
    household, and which member holds it (masked). Other roles: 403, logged."""
    require_capability(request.user, Capability.RESOLVE_ID_CONFLICTS, request=request)
    conflicts = id_number_conflicts(scope=scope_for(request.user))
    return render(request, "households/id_conflicts.html", {"conflicts": conflicts})
