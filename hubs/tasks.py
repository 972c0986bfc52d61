"""Periodic upkeep of the event log's daily rollup (procrastinate cron)."""

import logging

from procrastinate.contrib.django import app

from hubs import services

logger = logging.getLogger(__name__)


@app.periodic(cron="* * * * *")
@app.task(queue="rollup", queueing_lock="compact_daily_event_counts")
def compact_daily_event_counts(timestamp: int) -> None:
    logger.info("folded %s partial daily event counts", services.compact_daily_event_counts())
