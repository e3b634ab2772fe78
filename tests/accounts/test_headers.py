"""Response headers: a Content Security Policy without inline script or style, and the other protections;
``check --deploy`` is clean in production mode."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.project.test_settings import GOOD_PRODUCTION_ENV, ROOT

from .conftest import LOGIN_URL

TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_code(en_client):
    response = en_client.get(LOGIN_URL)

    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_pages_and_api_carry_the_other_protections(en_client):
    for response in (en_client.get(LOGIN_URL), en_client.get("/api/v1/auth/me/")):
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_no_template_has_inline_script_or_style():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
    offenders = []
    for directory in TEMPLATE_DIRS:
        for path in Path(directory).rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            if inline_script.search(text) or re.search(r"<style|\sstyle=|\son[a-z]+=", text, re.I):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_check_deploy_passes_in_production_mode():
    # A random secret key: Django's check refuses keys with few distinct characters.
    env = {**GOOD_PRODUCTION_ENV, "DJANGO_SECRET_KEY": secrets.token_urlsafe(64)}
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SONGPAN_", "DATABASE_URL"))}

    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "songpan.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_make_cookies_secure_and_send_hsts():
    env = {**GOOD_PRODUCTION_ENV, "DJANGO_SECRET_KEY": secrets.token_urlsafe(64)}
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SONGPAN_", "DATABASE_URL"))}
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.DEBUG)"
    )

    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "songpan.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "True", "True", "True", "False"]
