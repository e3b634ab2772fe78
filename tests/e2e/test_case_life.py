"""A case's whole life in a real browser (Chromium driven by Playwright) against a real server process.

The pytest database lives in a transaction no other process can see, so this test builds its own: it migrates a
temporary SQLite file, loads Songpan's divisions and seeds a (smaller) demo county with the demo accounts, starts
``manage.py runserver`` on a free port, and signs in as the demo accounts one after the other:

    township staff  report a problem for a household of the demo cadre, accept it and assign it to the demo
                    department's bureau (not the routed unit: with a reason);
    department      finds it in its inbox, starts and resolves it;
    cadre           records the household's satisfaction: the case is closed, every step on its timeline.

Needs Debian's chromium at /usr/bin/chromium (CI installs it: .ci/run); skipped with a reason without it.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "songpan-demo-2026"
ROOT = Path(__file__).resolve().parents[2]
# Enough of a county for the demo accounts (the cadre's ten households, the education bureau), seeded in seconds.
SEED = ["--households", "1200", "--cadres", "300"]
TIMEOUT_MS = 15_000

# The demo facts the browser needs, read through the ORM by the server's own settings.
FACTS_SCRIPT = """
from accounts.models import User
from ledgers.models import Pairing
cadre, township, department = (User.objects.get(username=n) for n in ("cadre", "township", "department"))
household = (
    Pairing.objects.active()
    .filter(cadre__user=cadre, household__village__code__startswith=township.division_id)
    .order_by("household__village_id", "household__number")
    .values_list("household_id", flat=True)
    .first()
)
print("FACT", household)
print("FACT", department.department.name)
"""


@dataclass
class DemoServer:
    url: str
    household_id: str
    department_name: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env: dict, *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    if result.returncode != 0:
        pytest.fail(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium): the browser test cannot run")
    folder = tmp_path_factory.mktemp("e2e")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "songpan.settings",
        "DJANGO_DEBUG": "1",  # runserver serves the static files (stylesheet, script)
        "DEMO_PASSWORD": PASSWORD,
        "PYTHONWARNINGS": "ignore",
    }
    env.pop("SONGPAN_ENV", None)
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "import_divisions", "divisions/data/songpan-2023.csv")
    _manage(env, "seed_demo", *SEED)
    output = _manage(env, "shell", "-v0", "-c", FACTS_SCRIPT)
    household_id, department_name = (line[5:] for line in output.splitlines() if line.startswith("FACT "))
    assert household_id not in ("", "None"), "the demo cadre has no household in the demo township"

    port = _free_port()
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{url}/accounts/login/", timeout=1)  # noqa: S310 - our own local server
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"the server stopped:\n{(folder / 'server.log').read_text()}")
                time.sleep(0.1)
        else:
            pytest.fail(f"the server did not answer:\n{(folder / 'server.log').read_text()}")
        yield DemoServer(url=url, household_id=household_id, department_name=department_name)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser(demo_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()


def sign_in(browser, server: DemoServer, username: str):
    """A fresh browser session signed in as ``username`` (English pages)."""
    context = browser.new_context(base_url=server.url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_url(f"{server.url}/")
    return page


def act(page, action: str, **fill) -> None:
    """Open an action's form on the case page, fill it and submit it; wait for the page it leads back to."""
    from playwright.sync_api import expect

    page.click(f"#action-{action} summary")
    form = page.locator(f"#action-{action} form")
    for name, value in fill.items():
        field = form.locator(f"[name='{action}-{name}']")
        tag = field.first.evaluate("element => element.tagName.toLowerCase() + ':' + (element.type || '')")
        if tag.startswith("select"):
            field.select_option(**value) if isinstance(value, dict) else field.select_option(value)
        elif tag.endswith(":radio"):
            form.locator(f"[name='{action}-{name}'][value='{value}']").check()
        else:
            field.fill(value)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("done")


def test_a_case_from_the_township_to_the_bureau_and_back_to_the_household(browser, demo_server):
    from playwright.sync_api import expect

    # Township staff report a problem from the household's page.
    township = sign_in(browser, demo_server, "township")
    township.goto(f"/households/{demo_server.household_id}/")
    township.click("text=Report a problem")
    township.select_option("select[name=kind]", "problem")
    township.select_option("select[name=category]", "education")
    township.fill("input[name=title]", "The school bus no longer stops at the village")
    township.fill("textarea[name=description]", "Since September the children walk 6 km to the main road.")
    expect(township.locator("#case-parties")).to_be_hidden()  # parties are asked for disputes only
    with township.expect_navigation():
        township.click("button:has-text('Submit the case')")
    expect(township.locator(".messages")).to_contain_text("was listed")
    case_url = township.url
    reference = township.locator("h1").inner_text().split()[0]
    assert reference.startswith("SP-")

    # ... accept it and give it to the demo department's bureau, saying why it is not the routed unit.
    act(township, "accept", note="Confirmed with the village committee.")
    act(
        township,
        "assign",
        unit={"label": demo_server.department_name},
        co_units=[],
        reason="School transport is the education bureau's.",
    )
    expect(township.locator("h1 .status")).to_have_text("Assigned")

    # The bureau finds it in its inbox, starts and resolves it.
    department = sign_in(browser, demo_server, "department")
    department.goto("/cases/inbox/")
    expect(department.locator("table.cases")).to_contain_text(reference)
    department.click(f"text={reference}")
    act(department, "start")
    act(department, "resolve", note="The bus route was changed; it stops at the village again.")
    expect(department.locator("h1 .status")).to_contain_text("Resolved")

    # The household's cadre records its satisfaction: the case is crossed off the list.
    cadre = sign_in(browser, demo_server, "cadre")
    cadre.goto(case_url)
    act(cadre, "close", satisfaction="satisfied", note="The family thanks the bureau.")

    expect(cadre.locator("h1 .status")).to_have_text("Closed")
    expect(cadre.locator("#action-reopen")).to_have_count(0)  # only the county office may reopen a closed case
    steps = cadre.locator("table.timeline tbody tr td:nth-child(3)").all_inner_texts()
    assert [step.splitlines()[0] for step in steps] == [
        "Submitted",
        "Accepted",
        "Assigned",
        "Work started",
        "Resolved",
        "Confirmed and closed",
    ]
    timeline = cadre.locator("table.timeline").inner_text()
    assert demo_server.department_name in timeline and "School transport is the education bureau's." in timeline
    assert "household: Satisfied" in timeline


def test_the_language_chooser_turns_the_pages_tibetan_and_back(browser, demo_server):
    """The chooser in the top bar is a plain form (no script needed); the choice holds for the next pages."""
    from django.utils import translation
    from playwright.sync_api import expect

    with translation.override("bo"):
        cases_in_tibetan = translation.gettext("Cases")
    page = sign_in(browser, demo_server, "township")

    page.select_option(".language select", "bo")
    with page.expect_navigation():
        page.click(".language button")

    expect(page.locator("html")).to_have_attribute("lang", "bo")
    page.goto("/cases/")
    expect(page.locator("html")).to_have_attribute("lang", "bo")
    expect(page.locator("nav.mainnav")).to_contain_text(cases_in_tibetan)

    page.select_option(".language select", "en")
    with page.expect_navigation():
        page.click(".language button")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("nav.mainnav")).to_contain_text("Cases")
