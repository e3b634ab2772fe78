"""Log filters of the project (issue 10, finding 11).

``MaskIdNumbers`` masks every sequence that looks like a national ID number (17 digits and a digit or X, or a
longer run of digits) in a log record as the pages mask them (``513224********1234``): the message with its
arguments, a traceback and a stack. It is installed on every handler the project configures (settings.LOGGING:
Django's request and dev-server logs, the application's; gunicorn.conf.py: gunicorn's access and error logs), so
that a number typed into a search box or a URL (``/admin/households/member/?q=<number>``) never reaches a log file.
"""

import logging
import re

_ID_NUMBER = re.compile(r"(?<![0-9])([0-9]{6})[0-9]{8,}([0-9]{3}[0-9Xx])(?![0-9])")


def mask_id_numbers(text: str) -> str:
    return _ID_NUMBER.sub(r"\1********\2", text)


class MaskIdNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logged as its raw text rather than dropped
            message = str(record.msg)
        record.msg, record.args = mask_id_numbers(message), ()
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = mask_id_numbers(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_id_numbers(record.stack_info)
        return True
