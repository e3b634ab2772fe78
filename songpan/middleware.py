"""Project-wide response rules."""

from django.conf import settings
from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every API response and every response to a signed-in user (issue 10,
    finding 10): they carry personal data, which no browser cache, proxy or shared computer may keep. A response
    that set its own Cache-Control keeps it; static files (served before this by WhiteNoise) are not concerned."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control") or request.path.startswith(self.static_prefix):
            return response
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            patch_cache_control(response, no_store=True)
        return response
