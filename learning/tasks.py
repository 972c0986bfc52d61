"""The periodic learning job (procrastinate cron). Each step also runs by hand: manage.py learn, …"""

import logging

from procrastinate.contrib.django import app

from learning import compute

logger = logging.getLogger(__name__)


@app.periodic(cron="17 * * * *")
@app.task(queue="learning", queueing_lock="refresh_learning")
def refresh_learning(timestamp: int) -> None:
    """Correlations, pattern snapshots, calibrations and insights, hourly: insights read the others."""
    for run in compute.refresh_all():
        logger.info("%s", run)


@app.periodic(cron="43 3 * * *")
@app.task(queue="learning", queueing_lock="enrich_lineage")
def enrich_lineage(timestamp: int) -> None:
    """Nightly, the lineage summaries recomputed from the whole history."""
    logger.info("%s", compute.enrich_lineage())
