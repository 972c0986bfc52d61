import uuid

from procrastinate.contrib.django import app

from surveys import services


@app.task(queue="outcomes")
def tell_authors(deployment_id: str) -> None:
    services.tell_authors(uuid.UUID(deployment_id))


@app.periodic(cron="*/15 * * * *")
@app.task(queue="outcomes", queueing_lock="suggest_survey_signals")
def suggest_signals(timestamp: int) -> None:
    services.suggest_signals()
