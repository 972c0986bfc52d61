"""The password hasher: Argon2id at OWASP's minimum, on one budgeted, low-priority thread per process.

Django's default, PBKDF2 with 1.5 million iterations, costs ~0.5-0.7 s of CPU per sign-in here: six clients
posting wrong passwords took both cores from event ingestion (issue #15). Argon2id with 19 MiB, 2 passes and
1 lane (OWASP's recommended minimum) costs ~30 ms, and its memory makes a GPU guess as dear as PBKDF2's
iterations do. Stored hashes carry their parameters, so older hashes (PBKDF2, or Argon2 with Django's
heavier defaults) still verify and are rewritten with these parameters at the next successful sign-in.

Each web process hashes on one thread of its own (argon2-cffi releases the GIL meanwhile, so with gunicorn's
threaded workers the process's other requests go on):

- at most one hash per process at a time, and at most IHF_PASSWORD_HASH_SHARE of a core in the long run:
  the thread may spend IHF_PASSWORD_HASH_BURST seconds of CPU at once (a morning's sign-ins), then waits for
  its budget to refill. A flood of sign-ins, even from a new address each time (no throttle stops that),
  then queues for the hasher and costs ingestion that share at most;
- a sign-in from a browser that signed in before (ihf/devices.py) goes ahead of the others in the queue and
  does not wait for the budget (its CPU still counts against it), so people keep signing in while a flood
  waits;
- at nice IHF_PASSWORD_HASH_NICE, so that the kernel runs the process's request threads first.
"""

import itertools
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher

from ihf import caches

_known_browser: ContextVar[bool] = ContextVar("ihf_known_browser", default=False)


@contextmanager
def known_browser(known: bool) -> Iterator[None]:
    """Hashes asked for inside this block go ahead of the others when `known`."""
    token = _known_browser.set(known)
    try:
        yield
    finally:
        _known_browser.reset(token)


class _HashingThread:
    """One thread that runs hashing jobs in order of priority, then arrival, within a CPU budget."""

    STOP = -1

    def __init__(self) -> None:
        self.jobs: queue.PriorityQueue[tuple[int, int, Any, Any, Any]] = queue.PriorityQueue()
        self.order = itertools.count()
        self.share = float(settings.IHF_PASSWORD_HASH_SHARE)
        self.burst = float(settings.IHF_PASSWORD_HASH_BURST)
        self.nice = int(settings.IHF_PASSWORD_HASH_NICE)
        self.budget = self.burst  # seconds of CPU it may spend now
        self.refilled_at = time.monotonic()
        self.thread = threading.Thread(target=self._run, name="ihf-password-hash", daemon=True)
        self.thread.start()

    def submit(self, function: Callable[..., Any], args: tuple[Any, ...], urgent: bool) -> Future[Any]:
        future: Future[Any] = Future()
        self.jobs.put((0 if urgent else 1, next(self.order), function, args, future))
        return future

    def stop(self) -> None:
        self.jobs.put((self.STOP, next(self.order), None, None, None))

    def _run(self) -> None:
        self._lower_priority()
        while True:
            priority, _order, function, args, future = self.jobs.get()
            if priority == self.STOP:
                return
            self._refill()
            if priority and self.budget < 0 and self.share > 0:
                time.sleep(-self.budget / self.share)
                self._refill()
            started = time.thread_time()
            try:
                future.set_result(function(*args))
            except BaseException as error:
                future.set_exception(error)
            self.budget -= time.thread_time() - started

    def _refill(self) -> None:
        now = time.monotonic()
        self.budget = min(self.burst, self.budget + (now - self.refilled_at) * self.share)
        self.refilled_at = now

    def _lower_priority(self) -> None:
        # Linux keeps a nice value per thread (setpriority on a thread id); elsewhere the call would reach the
        # whole process, so there the thread keeps the process's priority. Only ever lower it: raising a
        # priority needs a privilege that web processes do not have.
        if sys.platform == "linux":
            thread = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, thread, max(self.nice, os.getpriority(os.PRIO_PROCESS, thread)))


_lock = threading.Lock()
_state: dict[str, Any] = {"thread": None, "pid": None}


def run_hashing(function: Callable[..., Any], *args: Any) -> Any:
    """Run `function(*args)` on this process's hashing thread and wait for it."""
    with _lock:
        # A forked worker inherits the parent's objects but not its threads: it makes its own.
        if _state["thread"] is None or _state["pid"] != os.getpid():
            _state["thread"], _state["pid"] = _HashingThread(), os.getpid()
        hashing: _HashingThread = _state["thread"]
    return hashing.submit(function, args, urgent=_known_browser.get()).result()


def _forget_thread() -> None:
    with _lock:
        hashing, _state["thread"] = _state["thread"], None
    if hashing is not None:
        hashing.stop()


caches.register("ihf.hashers.hashing_thread", _forget_thread)


class Argon2idHasher(Argon2PasswordHasher):
    """Django's Argon2 hasher (algorithm name `argon2`, standard encoded hashes) with OWASP's parameters."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1

    def encode(self, password: str, salt: str) -> str:
        return str(run_hashing(super().encode, password, salt))

    def verify(self, password: str, encoded: str) -> bool:
        return bool(run_hashing(super().verify, password, encoded))
