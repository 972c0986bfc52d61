"""IHF's worker model, read by gunicorn from the directory it starts in (`bin/ihf run`, production alike).

Threaded workers: a request that waits (for the database, or for the password hashing thread of its process,
ihf/hashers.py) holds a thread, not a whole process, so a flood of sign-ins cannot take every worker from
event ingestion. bench/login.py measures ingestion with and without such a flood.
"""

import os
import sys

worker_class = "gthread"
# Processes: one per core. Threads: enough that ten clients waiting for a sign-in leave most free.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
keepalive = 30


def post_fork(server, worker):
    # A thread waiting for the GIL asks the running one to let go after this long (Python's default: 5 ms).
    # A sign-in rendering its page then delays an event report in the same process by 1 ms at most.
    sys.setswitchinterval(0.001)
