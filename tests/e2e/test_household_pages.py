"""The household pages in a real browser (Chromium driven by Playwright) against the demo county (issue 12):
township staff find a household, edit it, and meet a stale edit; at phone width no household page scrolls
sideways, in any of the three languages.

Uses the demo server of ``test_case_life`` (its own seeded database and ``runserver``); skipped with a reason
without Debian's chromium.
"""

import pytest

from tests.e2e.test_case_life import PASSWORD, TIMEOUT_MS, browser, demo_server, sign_in  # noqa: F401 - fixtures

PHONE = {"width": 390, "height": 844}


def _signed_in_at(browser, server, username: str, *, language: str, viewport: dict):  # noqa: F811
    context = browser.new_context(base_url=server.url, viewport=viewport)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies([{"name": "django_language", "value": language, "url": server.url}])
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_url(f"{server.url}/")
    return page


def _sideways(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("language", ["zh-hans", "bo", "en"])
@pytest.mark.parametrize("username", ["township", "cadre"])
def test_no_household_page_scrolls_sideways_on_a_phone(browser, demo_server, username, language):  # noqa: F811
    page = _signed_in_at(browser, demo_server, username, language=language, viewport=PHONE)
    page.goto("/households/")
    assert page.evaluate("document.documentElement.lang") == language
    first = page.locator("table.households tbody a").first.get_attribute("href")
    pages = ["/households/", "/households/?paired=no&sort=-updated", first]
    if username == "township":
        pages.append(f"{first}edit/")

    overflow = {}
    for path in pages:
        page.goto(path)
        overflow[path] = _sideways(page)

    assert overflow == dict.fromkeys(pages, 0)


def test_township_staff_find_a_household_edit_it_and_meet_a_stale_edit(browser, demo_server):  # noqa: F811
    from playwright.sync_api import expect

    # Township staff search the list for the demo household by its number and open it.
    page = sign_in(browser, demo_server, "township")
    page.goto(f"/households/{demo_server.household_id}/")
    number = page.locator("h1 small").inner_text().split()[-1]
    head = page.locator("h1").evaluate("h => h.firstChild.textContent.trim()")
    page.goto("/households/")
    page.fill("input[name=q]", head)
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    expect(page.locator("table.households")).to_contain_text(number)
    with page.expect_navigation():
        page.locator("table.households tbody a", has_text=head).first.click()
    assert page.url.endswith(f"/households/{demo_server.household_id}/")

    # They edit its address: the page says what changed.
    with page.expect_navigation():
        page.click("text=Edit household")
    page.fill("input[name=address]", "Upper road 3")
    with page.expect_navigation():
        page.click("form.household-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Address changed")
    expect(page.locator("dl.card")).to_contain_text("Upper road 3")

    # Two of them open the form; the first saves; the second's save is refused with both values shown.
    other = sign_in(browser, demo_server, "township")
    other.goto(f"/households/{demo_server.household_id}/edit/")
    page.goto(f"/households/{demo_server.household_id}/edit/")
    page.fill("input[name=address]", "Lower road 5")
    with page.expect_navigation():
        page.click("form.household-form button[type=submit]")
    other.fill("input[name=address]", "River road 9")
    with other.expect_navigation():
        other.click("form.household-form button[type=submit]")

    expect(other.locator(".problem")).to_contain_text("changed by someone else")
    expect(other.locator(".problem table")).to_contain_text("Lower road 5")
    expect(other.locator("input[name=address]")).to_have_value("River road 9")  # nothing typed is lost
    other.goto(f"/households/{demo_server.household_id}/")
    expect(other.locator("dl.card")).to_contain_text("Lower road 5")
