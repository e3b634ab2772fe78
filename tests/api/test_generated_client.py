"""A client generated from our OpenAPI schema (openapi-python-client) can sign in and call the API.

The schema is written by ``manage.py spectacular`` in English, the client generated into a temporary folder and
imported, and its HTTP calls served in-process by our WSGI application (httpx's WSGI transport) on the test
database.
"""

import importlib
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command

from accounts.models import Role
from songpan.wsgi import application
from tests.factories import MemberFactory, PairingFactory, UserFactory, township, village


@pytest.fixture
def generated_client(tmp_path, monkeypatch):
    schema = tmp_path / "schema.yaml"
    call_command("spectacular", "--lang", "en", "--file", str(schema))
    generator = Path(sys.executable).with_name("openapi-python-client")
    output = tmp_path / "songpan_client"
    subprocess.run(  # noqa: S603 - the generator installed beside our interpreter, on our own schema
        [
            str(generator),
            "generate",
            "--path",
            str(schema),
            "--meta",
            "none",
            "--output-path",
            str(output),
        ],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return importlib.import_module("songpan_client")


@pytest.fixture
def transport(in_process_wsgi):
    return httpx.WSGITransport(app=application)


@pytest.mark.django_db
def test_a_generated_client_signs_in_lists_households_and_syncs(generated_client, transport):
    household = PairingFactory(
        household__village=village("513224101201"), household__head_name="生成客户端户"
    ).household
    MemberFactory(household=household)
    UserFactory(username="clerk", role=Role.TOWNSHIP, division=township("513224101"))
    client_module = generated_client
    token_api = importlib.import_module("songpan_client.api.auth.auth_token_create")
    households_api = importlib.import_module("songpan_client.api.households.households_list")
    sync_api = importlib.import_module("songpan_client.api.sync.sync")
    token_request = importlib.import_module("songpan_client.models").TokenRequestRequest

    base_url = "http://testserver"
    anonymous = client_module.Client(base_url=base_url, httpx_args={"transport": transport})
    issued = token_api.sync(client=anonymous, body=token_request(username="clerk", password="correct-horse-battery"))
    client = client_module.AuthenticatedClient(
        base_url=base_url, token=issued.token, prefix="Token", httpx_args={"transport": transport}
    )
    page = households_api.sync(client=client, within="513224101")
    feed = sync_api.sync(client=client)

    assert page.count == 1 and page.results[0].head_name == "生成客户端户"
    assert page.results[0].members[0].id_number.count("*") == 8
    assert {change.resource.value for change in feed.changes} == {"household", "member", "pairing"}
