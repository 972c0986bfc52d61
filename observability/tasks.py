"""Periodic jobs (procrastinate cron). Each also runs by hand: manage.py recompute_friction, …"""

import logging

from procrastinate.contrib.django import app

from observability import compute

logger = logging.getLogger(__name__)


@app.periodic(cron="*/15 * * * *")
@app.task(queue="observability", queueing_lock="recompute_friction")
def recompute_friction(timestamp: int) -> None:
    logger.info("%s", compute.recompute_friction())


@app.periodic(cron="5 * * * *")
@app.task(queue="observability", queueing_lock="detect_bottlenecks")
def detect_bottlenecks(timestamp: int) -> None:
    logger.info("%s", compute.detect_bottlenecks())


@app.periodic(cron="10 * * * *")
@app.task(queue="observability", queueing_lock="snapshot_health")
def snapshot_health(timestamp: int) -> None:
    logger.info("%s", compute.snapshot_health())


@app.periodic(cron="20 * * * *")
@app.task(queue="observability", queueing_lock="detect_propagations")
def detect_propagations(timestamp: int) -> None:
    logger.info("%s", compute.detect_propagations())
