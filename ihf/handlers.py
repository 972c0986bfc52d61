"""IHF's WSGI handler: Django's, with a short way in for its busiest request.

Every click and view on every host page is a POST to /api/v1/interaction-events, most with one event. For
those, Django's request cycle (signals, the middleware chain, URL resolution, ninja's operation wrapper,
building an HttpResponse) cost as much CPU as authenticating, validating and storing the event
(bench/ingest.py). The endpoint needs none of it: it authenticates by API key (no session, CSRF or
messages), answers JSON and names the CORS origin itself. So this handler calls `hubs.api.report` directly
and writes its answer, keeping what matters of the cycle: the database connection housekeeping,
SecurityMiddleware's redirect and headers, and Django's handling of exceptions. Every other request takes
Django's whole cycle, and so does this one under Django's test client (the view `report_events`).
"""

import json
from http import HTTPStatus
from types import SimpleNamespace

from django.core.handlers import wsgi
from django.core.handlers.exception import response_for_exception
from django.db import close_old_connections
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware

from hubs.api import ApiError, report
from ihf.middleware import add_cors_headers, cors_headers

INGEST_PATH = "/api/v1/interaction-events"


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
        except Exception as exc:  # Django logs it and answers as it would for any view
            return self._respond(request, response_for_exception(request, exc), start_response)
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
