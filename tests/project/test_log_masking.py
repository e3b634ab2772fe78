"""Issue 10, finding 11: no full ID number reaches a log the project writes or configures. A search in the admin
(``/admin/households/member/?q=<number>``) put it in the dev server's request line; every handler the project
configures (Django's and gunicorn's) masks 18-character ID-number-like sequences as the pages do."""

import io
import logging
import logging.config
import runpy
from contextlib import contextmanager

import pytest

from accounts.models import Role
from songpan.logfilters import MaskIdNumbers, mask_id_numbers
from tests.factories import UserFactory, county

ID_NUMBER = "51322419800517001X"
MASKED = "513224********001X"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"GET /admin/households/member/?q={ID_NUMBER} HTTP/1.1", f"GET /admin/households/member/?q={MASKED} HTTP/1.1"),
        ("id 513224198005170017.", "id 513224********0017."),
        ("lower x 51322419800517001x", "lower x 513224********001x"),
        ("two 513224198005170017,513224198005170025", "two 513224********0017,513224********0025"),
        ("short 5132241980051700 stays", "short 5132241980051700 stays"),
    ],
)
def test_id_numbers_are_masked(text, expected):
    assert mask_id_numbers(text) == expected


@contextmanager
def captured(handlers):
    buffer = io.StringIO()
    old = [(handler, handler.setStream(buffer)) for handler in handlers if isinstance(handler, logging.StreamHandler)]
    try:
        yield buffer
    finally:
        for handler, stream in old:
            handler.setStream(stream)


def handlers_of(name: str) -> list[logging.Handler]:
    """The handlers a record of logger ``name`` reaches (pytest's own capture handlers aside)."""
    logger, found = logging.getLogger(name), []
    while logger:
        found.extend(
            h
            for h in logger.handlers
            if not type(h).__module__.startswith("_pytest") and not isinstance(h, logging.NullHandler)
        )
        logger = logger.parent if logger.propagate else None
    return found


@pytest.mark.parametrize("name", ["django.request", "django.server", "django.security", "songpan", "axes", "celery"])
def test_every_handler_the_project_configures_masks(name):
    handlers = handlers_of(name)

    assert handlers
    for handler in handlers:
        assert any(isinstance(f, MaskIdNumbers) for f in handler.filters), (name, handler)


def test_the_dev_server_request_line_is_masked():
    handlers = handlers_of("django.server")
    with captured(handlers) as output:
        logging.getLogger("django.server").info(
            '"%s" %s %s', f"GET /admin/households/member/?q={ID_NUMBER} HTTP/1.1", "200", "512"
        )

    assert MASKED in output.getvalue() and ID_NUMBER not in output.getvalue()


@pytest.mark.django_db
def test_a_request_with_an_id_number_leaves_no_full_number_in_the_logs(client):
    client.force_login(UserFactory(username="office", role=Role.COUNTY_OFFICE, division=county()))
    names = ["django.request", "django.server", "django", "songpan", ""]
    handlers = list({id(h): h for name in names for h in handlers_of(name)}.values())

    with captured(handlers) as output:
        client.get(f"/api/v1/households/{ID_NUMBER}/?q={ID_NUMBER}")  # 404, logged by django.request
        client.get(f"/households/{ID_NUMBER}/")
        try:
            raise ValueError(f"a traceback naming {ID_NUMBER}")
        except ValueError:
            logging.getLogger("django.request").exception("Internal Server Error: /x/?q=%s", ID_NUMBER)

    text = output.getvalue()
    assert "Not Found" in text and MASKED in text
    assert ID_NUMBER not in text


def test_gunicorn_access_and_error_logs_are_masked():
    from django.conf import settings
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    from tests.project.test_settings import ROOT

    cfg = Config()
    for key, value in runpy.run_path(str(ROOT / "gunicorn.conf.py")).items():
        if key in cfg.settings:
            cfg.set(key, value)
    try:
        log = Logger(cfg)
        handlers = [*log.access_log.handlers, *log.error_log.handlers]
        assert handlers and all(any(isinstance(f, MaskIdNumbers) for f in h.filters) for h in handlers)
        with captured(handlers) as output:
            log.access_log.info("%(r)s %(s)s", {"r": f"GET /admin/households/member/?q={ID_NUMBER} HTTP/1.1", "s": 200})
            log.error("Error handling request /households/%s/", ID_NUMBER)
    finally:
        logging.config.dictConfig(settings.LOGGING)  # the project's logging again for the other tests

    assert output.getvalue().count(MASKED) == 2 and ID_NUMBER not in output.getvalue()
