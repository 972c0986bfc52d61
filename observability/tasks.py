"""The periodic job (procrastinate cron). Each step also runs by hand: manage.py recompute_friction, …"""

import logging

from procrastinate.contrib.django import app

from observability import compute

logger = logging.getLogger(__name__)


@app.periodic(cron="*/15 * * * *")
@app.task(queue="observability", queueing_lock="refresh_observability")
def refresh_observability(timestamp: int) -> None:
    """Friction, bottlenecks, health and propagation, in that order: each reads what the one before wrote."""
    for run in compute.refresh_all():
        logger.info("%s", run)
