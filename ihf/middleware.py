import time

from django.http import HttpResponse
from django.urls import Resolver404, resolve

from hubs.models import Hub

ORIGINS_TTL_SECONDS = 30
_origins_cache = {"at": 0.0, "value": frozenset()}


def known_origins() -> frozenset:
    """Every origin some hub allows (cached briefly): enough to answer a preflight, which carries no key."""
    now = time.monotonic()
    if now - _origins_cache["at"] > ORIGINS_TTL_SECONDS:
        origins = set()
        for allowed in Hub.objects.exclude(allowed_origins=[]).values_list("allowed_origins", flat=True):
            origins.update(allowed or [])
        _origins_cache.update(at=now, value=frozenset(origins))
    return _origins_cache["value"]


FAST_PREFIX = "/api/v1/"


def forget_origins() -> None:
    _origins_cache["at"] = 0.0


def cors_headers(request) -> list[tuple[str, str]]:
    """The headers that let the origin the request's key allows read the response (the view set
    request.ihf_cors_origin); none when it set no origin."""
    allowed = getattr(request, "ihf_cors_origin", None)
    return [("Access-Control-Allow-Origin", allowed), ("Vary", "Origin")] if allowed else []


def add_cors_headers(request, response) -> None:
    for name, value in cors_headers(request):
        response[name] = value


class ApiCorsMiddleware:
    """CORS for /api/: preflights from origins some hub allows; responses readable by the origin the request's
    key allows (the view decides that and sets request.ihf_cors_origin).

    It also calls the /api/v1/ views itself, skipping the middleware below it (sessions, authentication,
    CSRF, messages, htmx): API requests authenticate with keys, not cookies, and that machinery cost about
    0.4 ms of a 2 ms request on the ingestion hot path (bench/ingest.py).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        origin = request.headers.get("Origin")
        if request.method == "OPTIONS" and origin and request.headers.get("Access-Control-Request-Method"):
            if origin not in known_origins():
                return HttpResponse(status=403)
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Origin"] = origin
            response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response["Access-Control-Allow-Headers"] = "Authorization, Content-Type, Idempotency-Key"
            response["Access-Control-Max-Age"] = "600"
            response["Vary"] = "Origin"
            return response
        response = self._call_api_view(request) if request.path.startswith(FAST_PREFIX) else None
        if response is None:
            response = self.get_response(request)
        add_cors_headers(request, response)
        return response

    @staticmethod
    def _call_api_view(request):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        return match.func(request, *match.args, **match.kwargs)
