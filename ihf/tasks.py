"""The worker's own upkeep (procrastinate cron)."""

import logging

from procrastinate import JobContext
from procrastinate.contrib.django import app

logger = logging.getLogger(__name__)


@app.periodic(cron="* * * * *")
@app.task(queue="upkeep", queueing_lock="retry_stalled_jobs", pass_context=True)
async def retry_stalled_jobs(context: JobContext, timestamp: int) -> None:
    """Put back in the queue the jobs a dead worker left running.

    A worker that loses the database, or is killed, cannot record how its jobs ended: they stay `doing` for
    ever, and a notification being sent then is never retried. A job is stalled when its worker has not sent
    a heartbeat for 30 s (live workers send one every 10 s) or was pruned for that; retrying it runs it again,
    so a job may run twice: deliver_notification checks first whether its notification went out.
    """
    manager = context.app.job_manager
    for job in await manager.get_stalled_jobs():
        logger.warning("retrying job %s (%s), left running by a worker that stopped", job.id, job.task_name)
        await manager.retry_job(job)
