"""Each web process hears at once when an API key is revoked, re-limited or deleted anywhere.

hubs/keys.py keeps the keys a process has seen and rereads each about once a second; a trigger on api_keys
(sql/api_keys_notify.sql) NOTIFYs `ihf_api_keys` with the key's public id when one of them changes. This
module's thread LISTENs on its own connection and drops the key from the process's cache, so the next
request with it reads the row again: a revocation reaches every process in the time a notification takes
(bench/key_revocation.py measures it), not at the next sync. While the listener is disconnected (a database
restart), it cannot hear: on reconnecting it drops every known key, since it may have missed something.
"""

import logging
import os
import threading

import psycopg
from django.conf import settings
from django.db import connections

from hubs import keys

CHANNEL = "ihf_api_keys"
RETRY_SECONDS = (0.5, 1, 2, 5)

logger = logging.getLogger(__name__)


class _Listener:
    def __init__(self) -> None:
        self.pid = 0
        self.thread: threading.Thread | None = None
        self.stopping = threading.Event()
        self.listening = threading.Event()
        self.conn: psycopg.Connection | None = None
        self.lock = threading.Lock()


_state = _Listener()


def _conninfo() -> dict[str, object]:
    """Django's connection parameters, less the Python objects (cursor factory, adapters) Django adds."""
    params = connections["default"].get_connection_params()
    return {k: v for k, v in params.items() if k not in {"cursor_factory", "prepare_threshold", "context"}}


def _run(state: _Listener) -> None:
    attempt = 0
    while not state.stopping.is_set():
        try:
            with psycopg.connect(**_conninfo(), autocommit=True) as conn:
                state.conn = conn
                conn.execute(f"LISTEN {CHANNEL}")
                # Whatever changed while nobody listened is unknown: reread every key.
                keys.forget_all()
                state.listening.set()
                attempt = 0
                while not state.stopping.is_set():
                    for notice in conn.notifies(timeout=1.0):
                        keys.forget(notice.payload)
        except psycopg.Error as error:
            if state.stopping.is_set():
                break
            state.listening.clear()
            wait = RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)]
            attempt += 1
            logger.warning("API key listener disconnected (%s); retrying in %s s", error, wait)
            state.stopping.wait(wait)
        finally:
            state.conn = None
    state.listening.clear()


def ensure_listening() -> None:
    """Start this process's listener unless it runs (cheap enough to call on every request: it compares a
    process id). After a fork (gunicorn's workers) the child starts its own."""
    if _state.pid == os.getpid() or not settings.IHF_API_KEY_NOTIFY:
        return
    with _state.lock:
        if _state.pid == os.getpid():
            return
        _state.stopping.clear()
        _state.listening.clear()
        _state.thread = threading.Thread(
            target=_run, args=(_state,), name="ihf-api-key-listener", daemon=True
        )
        _state.thread.start()
        _state.pid = os.getpid()


def stop_listening(timeout: float = 5.0) -> None:
    """Stop the listener and close its connection (tests, before their database is dropped)."""
    with _state.lock:
        _state.stopping.set()
        thread = _state.thread
        _state.thread, _state.pid = None, 0
    if thread is not None:
        thread.join(timeout)


def wait_until_listening(timeout: float = 10.0) -> bool:
    return _state.listening.wait(timeout)
