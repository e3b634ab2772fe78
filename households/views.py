"""Household pages: the household card with members, pairing history and edit history; ID-number reveal; the
county office's list of ID numbers refused because they are held outside the scope of who gave them."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import Capability, has_capability, phone_for, require_capability
from accounts.scoping import scope_for
from grievances.selectors import household_cases, may_submit_cases
from ledgers.selectors import pairing_history
from songpan.errors import ServiceUnavailable

from .models import Household, Member
from .selectors import household_history, id_number_conflicts
from .services import member_id_number_reveal


def _household_page(request: HttpRequest, household: Household, revealed: dict | None = None) -> HttpResponse:
    members = list(household.members.order_by("birth_date"))
    for member in members:
        member.revealed_id_number = (revealed or {}).get(member.pk, "")
    context = {
        "household": household,
        "members": members,
        "income_sources": household.income_sources.all(),
        "categories": household.categories.all(),
        "pairings": pairing_history(household),
        "history": household_history(household, show_phone=lambda phone: phone_for(request.user, phone)),
        "can_reveal": has_capability(request.user, Capability.REVEAL_ID_NUMBER),
        "cases": household_cases(user=request.user, household=household)[:20],
        "may_submit_case": may_submit_cases(request.user),
    }
    return render(request, "households/household_detail.html", context)


@require_GET
@login_required
def household_detail(request: HttpRequest, pk: str) -> HttpResponse:
    scope = scope_for(request.user)
    household = scope.get_or_404(Household.objects.select_related("village__parent"), request=request, pk=pk)
    return _household_page(request, household)


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
