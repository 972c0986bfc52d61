"""The ingestion fast path: every place where IHF skips part of Django's request cycle, in one module.

Every click and view on every host page is a POST to /api/v1/interaction-events, most with one event. For
those, Django's request cycle (signals, the middleware chain, URL resolution, ninja's operation wrapper,
building an HttpResponse) cost as much CPU as authenticating, validating and storing the event
(bench/ingest.py). The public API needs none of it: it authenticates by API key (no session, CSRF or
messages), answers JSON and names the CORS origin itself. Three shortcuts, each guarded by a test:

1. `WSGIHandler` (served by wiring.wsgi) calls `hubs.api.report` directly for POST /api/v1/interaction-events
   and writes its answer, keeping what matters of the cycle: the database connection housekeeping,
   SecurityMiddleware's redirect and headers, CORS, and Django's logging of exceptions (answered in JSON by
   hubs.api.exception_response, as on the Django path). It was written for the middleware list in
   `HANDLER_WRITTEN_FOR`; tests/ihf/test_handlers.py fails when settings.MIDDLEWARE changes, so that
   whoever adds middleware decides whether the fast path must run it too.
2. `ApiCorsMiddleware` calls the /api/v1/ views itself for every other API request, skipping the middleware
   below it (sessions, authentication, CSRF, messages, htmx): about 0.4 ms of a 2 ms request.
3. `hubs.ingest._insert_one` runs the single-event INSERT on a psycopg cursor kept per connection, with
   Django's connection checks and exception classes (hubs/ingest.py says why and what it keeps).

The state these keep in each process (known origins here; the contract, confirmed widgets and kept cursors in
hubs.ingest; API key counts in hubs.keys) is registered with `ihf.caches`, whose `reset_all()` the tests use.

Every other request takes Django's whole cycle, and so does the event endpoint under Django's test client
(the view `report_events`); the API tests run through both paths.
"""

import json
import time
from http import HTTPStatus
from types import SimpleNamespace

from django.core.handlers import wsgi
from django.db import close_old_connections
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django.urls import Resolver404, resolve

from hubs.api import (
    ApiError,
    exception_response,
    method_not_allowed_response,
    no_endpoint_response,
    report,
)
from hubs.models import Hub
from ihf import caches

INGEST_PATH = "/api/v1/interaction-events"
FAST_PREFIX = "/api/v1/"

# settings.MIDDLEWARE as it was when WSGIHandler was written: the handler keeps SecurityMiddleware's work and
# the CORS headers, and skips the rest. A change to the list must be weighed against the handler.
# ContentSecurityPolicyMiddleware (issue #15): skipped here, and below ApiCorsMiddleware so that no /api/v1/
# answer gets it either. A CSP restricts what an HTML page may load and run; the event endpoint answers JSON
# (or an empty 204/4xx body) with nosniff, which a browser neither renders nor runs, so the header would be
# bytes on every request for nothing. SecurityMiddleware's HSTS and redirect, which do matter, are kept.
HANDLER_WRITTEN_FOR = (
    "django.middleware.security.SecurityMiddleware",
    "hubs.fastpath.ApiCorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Messages as toasts on htmx answers of the web UI: nothing the event endpoint (JSON) needs.
    "ihf.toasts.HtmxToastsMiddleware",
)

ORIGINS_TTL_SECONDS = 30
_origins_cache: dict = {"at": 0.0, "value": frozenset()}


def known_origins() -> frozenset:
    """Every origin some hub allows (cached briefly): enough to answer a preflight, which carries no key."""
    now = time.monotonic()
    if now - _origins_cache["at"] > ORIGINS_TTL_SECONDS:
        origins: set[str] = set()
        for allowed in Hub.objects.exclude(allowed_origins=[]).values_list("allowed_origins", flat=True):
            origins.update(allowed or [])
        _origins_cache.update(at=now, value=frozenset(origins))
    return _origins_cache["value"]


def forget_origins() -> None:
    _origins_cache["at"] = 0.0


caches.register("hubs.fastpath.origins", forget_origins)


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

    It also calls the /api/v1/ views itself, skipping the middleware below it (shortcut 2 above), and answers
    in JSON, as the API always does, a path that is no endpoint and a method that an endpoint does not take.
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
        """The view's answer; JSON where Django and ninja answer an API client in HTML (no such endpoint,
        or a method the endpoint does not take)."""
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return no_endpoint_response(request)
        response = match.func(request, *match.args, **match.kwargs)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            return method_not_allowed_response(request, response["Allow"])
        return response


class WSGIHandler(wsgi.WSGIHandler):
    def __init__(self):
        super().__init__()
        self.security = SecurityMiddleware(lambda request: None)
        # The headers SecurityMiddleware adds to a response, for a plain and for a secure request.
        self.security_headers = {
            secure: [
                (name, value)
                for name, value in self.security.process_response(
                    SimpleNamespace(is_secure=lambda secure=secure: secure), HttpResponse()
                ).items()
                if name != "Content-Type"
            ]
            for secure in (False, True)
        }

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != INGEST_PATH:
            return super().__call__(environ, start_response)
        request = self.request_class(environ)
        redirect = self.security.process_request(request)
        if redirect is not None:
            return self._respond(request, redirect, start_response)
        try:
            status, payload = report(request)
        except ApiError as refused:
            return self._respond(request, refused.response, start_response)
        except Exception as exc:  # logged as Django would; answered in JSON, as every API error is
            return self._respond(request, exception_response(request, exc), start_response)
        finally:
            # What Django's request_finished receiver does for the database connection.
            close_old_connections()
        content = json.dumps(payload).encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(content)))]
        headers += self.security_headers[request.is_secure()] + cors_headers(request)
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [content]

    def _respond(self, request, response, start_response):
        self.security.process_response(request, response)
        add_cors_headers(request, response)
        start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
        return [response.content]
