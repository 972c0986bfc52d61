"""Jobs left `doing` by a worker that died (a database outage, kill -9) are put back in the queue."""

import pytest
from django.db import connection
from procrastinate.contrib.django import app as procrastinate_app

from ihf.tasks import retry_stalled_jobs


def _run_worker(queues):
    with procrastinate_app.replace_connector(procrastinate_app.connector.get_worker_connector()) as app:
        app.run_worker(queues=queues, wait=False, install_signal_handlers=False, listen_notify=False)


def _job(status: str, heartbeat_age: str | None) -> int:
    """A job of another queue, `status`, held by a worker whose last heartbeat is `heartbeat_age` old."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO procrastinate_jobs (queue_name, task_name, args) "
            "VALUES ('elsewhere', 'feedback.tasks.deliver_notification', '{\"outcome_id\": 1}') RETURNING id"
        )
        job = cursor.fetchone()[0]
        if status == "doing":
            cursor.execute(
                "INSERT INTO procrastinate_workers (last_heartbeat) "
                "VALUES (now() - %s::interval) RETURNING id",
                [heartbeat_age],
            )
            worker = cursor.fetchone()[0]
            cursor.execute(
                "UPDATE procrastinate_jobs SET status = 'doing', worker_id = %s WHERE id = %s", [worker, job]
            )
    return job


def _status(job: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT status FROM procrastinate_jobs WHERE id = %s", [job])
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_jobs_of_a_dead_worker_go_back_to_the_queue_and_others_stay():
    abandoned = _job("doing", "5 minutes")
    running = _job("doing", "2 seconds")  # its worker is alive: a heartbeat every 10 s
    waiting = _job("todo", None)

    retry_stalled_jobs.defer(timestamp=0)
    _run_worker(["upkeep"])

    assert _status(abandoned) == "todo"
    assert _status(running) == "doing"
    assert _status(waiting) == "todo"
