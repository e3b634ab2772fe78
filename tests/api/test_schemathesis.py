"""Robustness: schemathesis generates requests from the OpenAPI schema and checks every response.

Checked: no server error, every status code and content type declared in the schema, every body matching its
declared schema. Runs as an authenticated township clerk on a small county, with a few examples per operation so
that it stays fast in ``make test``; ``make fuzz`` runs it longer (SCHEMATHESIS_MAX_EXAMPLES).
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Role
from accounts.sessions import api_sign_in
from songpan.wsgi import application
from tests.factories import CadreFactory, MemberFactory, PairingFactory, UserFactory, township, village

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "5"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


pytestmark = pytest.mark.usefixtures("in_process_wsgi")


@pytest.fixture
def token(db, rf):
    """A township clerk's API token, and a little of the township for the requests to find."""
    for number in range(3):
        household = PairingFactory(household__village=village(f"51322410120{number + 1}")).household
        MemberFactory(household=household)
    CadreFactory(division=township("513224101"), department=None)
    UserFactory(username="fuzz-clerk", role=Role.TOWNSHIP, division=township("513224101"))
    request = rf.post("/api/v1/auth/token/", REMOTE_ADDR="127.0.0.1")
    return api_sign_in(request=request, username="fuzz-clerk", password="correct-horse-battery").token


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_answers_as_its_schema_says(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
