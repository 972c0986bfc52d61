from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from feedback import notifications


@app.task(
    queue="notifications",
    # Mail servers and webhooks fail transiently: back off 3 s, 9 s, 27 s, … (about 18 minutes in all).
    retry=RetryStrategy(max_attempts=7, exponential_wait=3),
)
def deliver_notification(outcome_id: int) -> None:
    notifications.deliver(outcome_id)
