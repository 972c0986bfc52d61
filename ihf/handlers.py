"""IHF's WSGI handler: Django's, with a short way in for its busiest request.

Every click and view on every host page is a POST to /api/v1/interaction-events, most with one event. For
those, Django's request cycle (signals, the middleware chain, URL resolution, ninja's operation wrapper) cost
as much CPU as authenticating, validating and storing the event (bench/ingest.py: the same view went from
~520 to ~780 requests/s on 2 cores without it). The view needs none of it: it authenticates by API key (no
session, CSRF or messages), answers JSON, and names the CORS origin itself. So this handler calls it directly,
keeping what matters of the cycle: the database connection housekeeping, SecurityMiddleware's headers and
Django's handling of exceptions. Every other request takes Django's whole cycle.
"""

from django.core.handlers import wsgi
from django.core.handlers.exception import response_for_exception
from django.db import close_old_connections
from django.middleware.security import SecurityMiddleware

from hubs.api import report_events
from ihf.middleware import add_cors_headers

INGEST_PATH = "/api/v1/interaction-events"


class WSGIHandler(wsgi.WSGIHandler):
    def __init__(self):
        super().__init__()
        self.security = SecurityMiddleware(lambda request: None)

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != INGEST_PATH:
            return super().__call__(environ, start_response)
        # What Django's request_started and request_finished receivers do for connections.
        close_old_connections()
        request = self.request_class(environ)
        try:
            response = self.security.process_request(request) or report_events(request)
        except Exception as exc:  # Django logs it and answers as it would for any view
            response = response_for_exception(request, exc)
        finally:
            close_old_connections()
        self.security.process_response(request, response)
        add_cors_headers(request, response)
        start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
        return [response.content]
