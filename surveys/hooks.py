"""How the surveys hear that a deployment was judged: signals from outcomes, which does not know this app."""

from django.db import transaction
from django.db.models.signals import post_save

TELL_TASK = "surveys.tasks.tell_authors"


def connect() -> None:
    from outcomes.models import ChangeEvaluation, OutcomeSignal

    post_save.connect(_judged, sender=OutcomeSignal, dispatch_uid="surveys-signal")
    post_save.connect(_judged, sender=ChangeEvaluation, dispatch_uid="surveys-evaluation")


def _judged(sender, instance, created, **kwargs):
    if not created:
        return
    from surveys.tasks import tell_authors

    deployment_id = str(instance.deployment_id)
    transaction.on_commit(lambda: tell_authors.defer(deployment_id=deployment_id))
