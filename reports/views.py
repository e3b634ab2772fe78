"""The landing page: coverage of the signed-in user's division, broken down one level."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ledgers.selectors import coverage_by_child, coverage_for_division


@login_required
def home(request: HttpRequest) -> HttpResponse:
    division = request.user.division
    context = {"division": division}
    if division is not None:
        context["coverage"] = coverage_for_division(division.code, unpaired_limit=10)
        context["children"] = coverage_by_child(division)
    return render(request, "reports/home.html", context)
