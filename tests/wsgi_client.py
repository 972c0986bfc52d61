"""A test client that sends requests through ihf.wsgi.application, as gunicorn does.

Django's test client calls the handler's middleware chain, so it never takes the ingestion shortcut of
hubs/fastpath.py; this one does. Like Django's test client, it keeps the request cycle from closing the
database connection, which holds the test's transaction.
"""

import io
import json
from urllib.parse import urlencode, urlsplit

from django.core import signals
from django.db import close_old_connections
from django.http.response import ResponseHeaders

from hubs import fastpath as handlers
from wiring.wsgi import application


class WsgiResponse:
    def __init__(self, status: str, headers: list, content: bytes):
        self.status_code = int(status.split(" ", 1)[0])
        self.headers = ResponseHeaders(dict(headers))
        self.content = content

    def __getitem__(self, header):
        return self.headers[header]

    def __contains__(self, header):
        return header in self.headers

    def json(self):
        return json.loads(self.content)

    def __repr__(self):
        return f"<WsgiResponse {self.status_code}: {self.content[:200]!r}>"


class WsgiClient:
    def __init__(self, monkeypatch):
        monkeypatch.setattr(handlers, "close_old_connections", lambda: None)
        self.monkeypatch = monkeypatch

    def request(self, method, path, data=b"", content_type=None, headers=None, **extra):
        url = urlsplit(path)
        body = data.encode() if isinstance(data, str) else data
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": url.path,
            "QUERY_STRING": url.query,
            "SCRIPT_NAME": "",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "testserver",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": io.StringIO(),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)),
            **({"CONTENT_TYPE": content_type} if content_type else {}),
            **{f"HTTP_{name.upper().replace('-', '_')}": value for name, value in (headers or {}).items()},
            **extra,
        }
        # A None leaves the key out, as a server does with a header the request lacks (CONTENT_LENGTH=None:
        # a chunked body).
        environ = {name: value for name, value in environ.items() if value is not None}
        started = []

        def start_response(status, response_headers, exc_info=None):
            started.append((status, response_headers))

        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            result = application(environ, start_response)
            try:
                content = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)
        return WsgiResponse(*started[0], content)

    def post(self, path, data=b"", content_type="application/octet-stream", headers=None, **extra):
        if isinstance(data, dict):
            data = json.dumps(data)
        return self.request("POST", path, data, content_type, headers, **extra)

    def get(self, path, query=None, headers=None, **extra):
        if query:
            path = f"{path}?{urlencode(query)}"
        return self.request("GET", path, headers=headers, **extra)

    def options(self, path, headers=None, **extra):
        return self.request("OPTIONS", path, headers=headers, **extra)
