"""A body sent with Transfer-Encoding: chunked has no Content-Length (issue #15): it is read to its end, up to
IHF_INGEST_MAX_BODY_BYTES, when the WSGI server ends its stream (wsgi.input_terminated: gunicorn does), and
answered 411 when it does not."""

import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from psycopg.conninfo import make_conninfo

from hubs.models import InteractionEvent
from tests.api.helpers import EVENTS
from tests.api.helpers import event as _event
from tests.api.helpers import post as _post


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _post_chunked(api, body, headers, terminated=True):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    extra = {"CONTENT_LENGTH": None, "HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(data)}
    if terminated:
        extra["wsgi.input_terminated"] = True  # what gunicorn says of a chunked body it decodes
    return _post(api, EVENTS, b"", headers, **extra)


@pytest.mark.django_db
def test_a_chunked_body_is_read(api, setup):
    widget, headers = setup
    single, batch = _event(widget), [_event(widget), _event(widget)]
    assert _post_chunked(api, single, headers).status_code == 201
    response = _post_chunked(api, {"events": batch}, headers)
    assert response.status_code == 200 and response.json()["accepted"] == 2
    ids = {uuid.UUID(e["id"]) for e in [single, *batch]}
    assert set(InteractionEvent.objects.values_list("id", flat=True)) == ids


@pytest.mark.django_db
def test_a_chunked_body_over_the_limit_is_413(api, setup):
    widget, headers = setup
    pad = "x" * 3000
    events = [_event(widget, metadata={"pad": pad}) for _ in range(1000)]  # about 3 MiB
    response = _post_chunked(api, {"events": events}, headers)
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert not InteractionEvent.objects.exists()


@pytest.mark.django_db
def test_a_chunked_body_the_server_does_not_end_is_411(api, setup):
    """Without wsgi.input_terminated the WSGI server does not promise an end to the stream: reading it
    could hang, so the client is asked for a Content-Length."""
    widget, headers = setup
    response = _post_chunked(api, _event(widget), headers, terminated=False)
    assert response.status_code == 411 and response.json()["code"] == "length_required"
    assert not InteractionEvent.objects.exists()


@pytest.mark.django_db
def test_a_content_length_that_is_not_a_number_is_400(api, setup):
    widget, headers = setup
    response = _post(api, EVENTS, _event(widget), headers, CONTENT_LENGTH="ten")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert not InteractionEvent.objects.exists()


GUNICORN_LIMIT = 64 * 1024


@pytest.fixture
def gunicorn(transactional_db):
    """wiring.wsgi under gunicorn, as bin/ihf run serves it, on the test database."""
    db = connection.settings_dict
    url = make_conninfo(
        "", dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"]
    )
    port = _free_port()
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": url, "CONN_MAX_AGE": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "wiring.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=Path(__file__).resolve().parents[2],
        env={**env, "IHF_INGEST_MAX_BODY_BYTES": str(GUNICORN_LIMIT)},
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


def _send_chunked(port, body, headers):
    """POST `body` in 1,000-byte chunks, written at once: the server answers 413 without reading the rest,
    and a client still writing when it closes the connection would not read the answer."""
    data = json.dumps(body).encode()
    chunked = b"".join(
        b"%x\r\n%s\r\n" % (len(part), part)
        for part in (data[i : i + 1000] for i in range(0, len(data), 1000))
    )
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    request = (
        f"POST {EVENTS} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{head}"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request + chunked + b"0\r\n\r\n")
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, json.loads(response.read())


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_gunicorn_hands_the_app_a_chunked_body_it_reads(setup, gunicorn):
    widget, headers = setup
    single, batch = _event(widget), [_event(widget) for _ in range(3)]
    assert _send_chunked(gunicorn, single, headers)[0] == 201
    status, body = _send_chunked(gunicorn, {"events": batch}, headers)
    assert status == 200 and body["accepted"] == 3
    big = [_event(widget, metadata={"pad": "x" * 3000}) for _ in range(40)]  # 2 × the server's limit
    status, body = _send_chunked(gunicorn, {"events": big}, headers)
    assert status == 413 and body["code"] == "too_large"
    ids = {uuid.UUID(e["id"]) for e in [single, *batch]}
    assert set(InteractionEvent.objects.values_list("id", flat=True)) == ids
