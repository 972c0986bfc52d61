"""The password hasher: Argon2id at OWASP's minimum, hashing on one low-priority thread per process.

Django's default, PBKDF2 with 1.5 million iterations, costs ~0.5-0.7 s of CPU per sign-in here: six clients
posting wrong passwords took both cores from event ingestion (issue #15). Argon2id with 19 MiB, 2 passes and
1 lane (OWASP's recommended minimum) costs ~30 ms, and its memory makes a GPU guess as dear as PBKDF2's
iterations do. Stored hashes carry their parameters, so older hashes (PBKDF2, or Argon2 with Django's
heavier defaults) still verify and are rewritten with these parameters at the next successful sign-in.

Each web process hashes on one thread of its own whose nice value is IHF_PASSWORD_HASH_NICE: the kernel
runs it when request threads leave a core idle, so a flood of sign-ins slows sign-ins, not ingestion; and
one thread means at most one hash per process at a time. argon2-cffi releases the GIL while it hashes, so
with gunicorn's threaded workers (gunicorn.conf.py) the other requests of the process go on meanwhile.
"""

import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher

from ihf import caches

_lock = threading.Lock()
_pool: dict[str, Any] = {"executor": None, "pid": None}


def _lower_priority() -> None:
    # Linux keeps a nice value per thread (setpriority on a thread id); elsewhere the call would reach the
    # whole process, so there the hashing thread keeps the process's priority.
    # Only ever lower it: raising a priority needs a privilege that web processes do not have.
    if sys.platform == "linux":
        thread = threading.get_native_id()
        nice = max(settings.IHF_PASSWORD_HASH_NICE, os.getpriority(os.PRIO_PROCESS, thread))
        os.setpriority(os.PRIO_PROCESS, thread, nice)


def run_hashing(function: Callable[..., Any], *args: Any) -> Any:
    """Run `function(*args)` on this process's hashing thread and wait for it."""
    with _lock:
        # A forked worker inherits the parent's executor object but not its thread: make its own.
        if _pool["executor"] is None or _pool["pid"] != os.getpid():
            _pool["executor"] = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="ihf-password-hash", initializer=_lower_priority
            )
            _pool["pid"] = os.getpid()
        executor = _pool["executor"]
    return executor.submit(function, *args).result()


def _forget_pool() -> None:
    with _lock:
        executor, _pool["executor"] = _pool["executor"], None
    if executor is not None:
        executor.shutdown(wait=False)


caches.register("ihf.hashers.hashing_thread", _forget_pool)


class Argon2idHasher(Argon2PasswordHasher):
    """Django's Argon2 hasher (algorithm name `argon2`, standard encoded hashes) with OWASP's parameters."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1

    def encode(self, password: str, salt: str) -> str:
        return str(run_hashing(super().encode, password, salt))

    def verify(self, password: str, encoded: str) -> bool:
        return bool(run_hashing(super().verify, password, encoded))
