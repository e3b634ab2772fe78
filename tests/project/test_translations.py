"""The message catalogues: complete, compiled, faithful to their placeholders, and served in each language.

Simplified Chinese is the product's default language and Tibetan its second (DESIGN §7, API.md). A message
missing from a catalogue falls back to Chinese, so a gap is easy to miss by eye; these tests find it.
"""

import ast
import gettext
import re
from pathlib import Path

import django
import polib
import pytest
import rest_framework
from django.conf import settings
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import Role
from tests.factories import UserFactory, township

ROOT = Path(__file__).resolve().parents[2]
# English is the source language: it needs no catalogue.
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sdr]|%[sd]|\{[a-z_0-9]*(?::[A-Za-z0-9]+)?\}|</?[a-z]+\b[^>]*>")
TIBETAN = re.compile(r"[\u0F00-\u0FFF]")


def catalogue(code: str) -> Path:
    return ROOT / "locale" / translation.to_locale(code) / "LC_MESSAGES" / "django.po"


def entries(code: str) -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(catalogue(code))) if not entry.obsolete]


def translations_of(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(code):
    missing = [entry.msgid for entry in entries(code) if not all(translations_of(entry))]
    fuzzy = [entry.msgid for entry in entries(code) if "fuzzy" in entry.flags]

    assert not missing, f"{code}: {len(missing)} messages untranslated, e.g. {missing[:5]}"
    assert not fuzzy, f"{code}: {len(fuzzy)} fuzzy messages, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("code", [code for code in TRANSLATED if code != settings.LANGUAGE_CODE])
def test_catalogues_hold_the_same_messages(code):
    """Every language carries every message the default language carries: none of them lags behind the code."""
    default = {(entry.msgctxt, entry.msgid) for entry in entries(settings.LANGUAGE_CODE)}

    assert {(entry.msgctxt, entry.msgid) for entry in entries(code)} == default


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_every_placeholder_and_tag(code):
    """A lost %(name)s shows the reader a hole; a lost or extra one raises at run time."""
    broken = []
    for entry in entries(code):
        sources = {entry.msgid, entry.msgid_plural} - {""}
        wanted = [sorted(PLACEHOLDER.findall(source)) for source in sources]
        for text in translations_of(entry):
            if sorted(PLACEHOLDER.findall(text)) not in wanted:
                broken.append(f"{entry.msgid!r} -> {text!r}")
    assert not broken, "\n".join(broken[:20])


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_compiled_catalogue_is_the_source_catalogue(code):
    """The server reads django.mo: a .po edited but not compiled (make messages) would not reach anyone."""
    compiled = polib.mofile(str(catalogue(code).with_suffix(".mo")))
    in_mo = {(entry.msgctxt, entry.msgid): translations_of(entry) for entry in compiled if entry.msgid}
    in_po = {(entry.msgctxt, entry.msgid): translations_of(entry) for entry in entries(code)}

    assert in_mo == in_po


def test_tibetan_is_written_in_tibetan_script():
    """Messages that have words in English have Tibetan letters in bo, not English or Chinese left in place."""
    untranslated = [
        entry.msgid
        for entry in entries("bo")
        if re.search(r"[A-Za-z]{3,}", PLACEHOLDER.sub("", entry.msgid))
        and not all(TIBETAN.search(text) for text in translations_of(entry))
    ]
    assert not untranslated, untranslated[:10]


def test_upstream_messages_are_still_worded_as_upstream_words_them():
    """songpan/upstream_messages.py repeats Django's and DRF's messages so that our catalogues can translate them
    into Tibetan; a message reworded by an upgrade would silently fall back. Upstream's own Chinese catalogues
    list every message upstream has."""
    upstream_catalogues = [
        Path(django.__file__).parent / "conf/locale",
        Path(django.__file__).parent / "contrib/auth/locale",
        Path(rest_framework.__file__).parent / "locale",
    ]
    known: set = set()
    for folder in upstream_catalogues:
        with open(folder / "zh_Hans/LC_MESSAGES/django.mo", "rb") as compiled:
            known |= set(gettext.GNUTranslations(compiled)._catalog)
    listed = []
    for call in ast.walk(ast.parse((ROOT / "songpan/upstream_messages.py").read_text())):
        if isinstance(call, ast.Call) and getattr(call.func, "id", "") in {"gettext_noop", "ngettext_lazy"}:
            singular = call.args[0].value
            listed.append(singular if call.func.id == "gettext_noop" else (singular, 0))

    assert len(listed) > 90
    assert [message for message in listed if message not in known] == []


# -- served in the reader's language ---------------------------------------------------------------------------


def in_language(code: str, message: str) -> str:
    with translation.override(code):
        return translation.gettext(message)


@pytest.mark.parametrize("code", ["bo", "zh-hans"])
def test_api_errors_answer_in_the_requested_language(db, code):
    """A phone asking in Tibetan or Chinese reads DRF's and our own refusals in that language."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE=code)

    anonymous = client.get("/api/v1/households/")
    client.force_authenticate(UserFactory(role=Role.TOWNSHIP, division=township()))
    missing = client.post("/api/v1/households/", {}, format="json")

    assert anonymous.status_code == 401
    assert anonymous.json()["detail"] == in_language(code, "Authentication credentials were not provided.")
    assert anonymous["Content-Language"] == code
    assert missing.status_code == 400
    assert missing.json()["village"] == [in_language(code, "This field is required.")]
    assert in_language(code, "This field is required.") != "This field is required."


def test_tibetan_pages_are_marked_and_written_in_tibetan(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="bo")

    body = page.content.decode()
    assert '<html lang="bo">' in body
    assert in_language("bo", "Sign in") in body
    assert TIBETAN.search(in_language("bo", "Sign in"))


def test_the_language_chooser_switches_the_pages_language(client):
    """Every page carries the chooser; choosing Tibetan keeps Tibetan for the next pages (a cookie)."""
    chooser = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'name="language"' in chooser and 'value="bo"' in chooser

    response = client.post("/i18n/setlang/", {"language": "bo", "next": "/accounts/login/"})

    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert '<html lang="bo">' in client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
