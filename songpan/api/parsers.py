"""The API's JSON parser: DRF's, with a limit on how deeply a body may nest (issue 10, finding 4).

Python's ``json`` module recurses once per level of nesting: a body of a thousand ``[`` ran it out of stack and
the request answered 500 ``RecursionError``, before authentication. No body of this API nests deeper than a few
levels, so a body nested deeper than ``MAX_JSON_DEPTH`` is refused with 400 after a linear scan of its brackets
(those inside strings do not count) and before ``json`` sees it.
"""

import io
import re

from django.conf import settings
from django.utils.translation import gettext
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32

# A JSON string (an unterminated one runs to the end of the body), or a bracket.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)


def json_depth_exceeds(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the brackets of ``text`` outside strings nest deeper than ``limit``. Linear, no recursion."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _TOKENS.finditer(text):
        piece = match.group()
        if piece in "[{":
            depth += 1
            if depth > limit:
                return True
        elif piece in "]}":
            depth -= 1
    return False


class DepthLimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read()
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            text = ""  # DRF's parser reports the encoding error
        if json_depth_exceeds(text):
            raise ParseError(
                gettext("The request body is nested too deeply (at most %(limit)d levels).") % {"limit": MAX_JSON_DEPTH}
            )
        return super().parse(io.BytesIO(body), media_type, parser_context)
