"""The landing page: pairing coverage of what the signed-in user may see, broken down one level."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.scoping import scope_for
from divisions.models import Division
from households.models import Household
from ledgers.selectors import coverage_by_child, coverage_for_division


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    households = scope.of(Household)
    context: dict = {"sees_anything": scope.sees_anything}
    codes = scope.division_codes
    # One division in scope (county, township): its figures and its children. Several (a department's
    # townships) or none (a cadre's own households): figures over the whole county, counted inside the scope.
    division = Division.objects.filter(pk=codes[0]).first() if len(codes) == 1 else None
    code = division.code if division else ""
    if scope.sees_anything:
        context["division"] = division
        context["coverage"] = coverage_for_division(code, households=households, unpaired_limit=10)
        context["children"] = coverage_by_child(division, households=households) if division else []
    return render(request, "reports/home.html", context)
