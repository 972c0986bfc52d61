from procrastinate.contrib.django import app

from outcomes import regressions


@app.task(queue="outcomes")
def detect_regressions(widget_ids: list[str] | None = None) -> int:
    return len(regressions.detect(widget_ids))


@app.periodic(cron="*/15 * * * *")
@app.task(queue="outcomes", queueing_lock="detect_all_regressions")
def detect_all_regressions(timestamp: int) -> int:
    """A sweep for what the per-widget checks after each annotation and signal could have missed."""
    return len(regressions.detect())
