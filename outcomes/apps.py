from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"

    def ready(self):
        # News travels backwards through signals: feedback does not know that outcomes watches annotations.
        from django.db.models.signals import post_save

        from feedback.models import Annotation
        from outcomes.models import OutcomeSignal

        post_save.connect(
            _check_regressions, sender=Annotation, dispatch_uid="outcomes-annotation-regressions"
        )
        post_save.connect(
            _check_regressions, sender=OutcomeSignal, dispatch_uid="outcomes-signal-regressions"
        )


def _check_regressions(sender, instance, created, **kwargs):
    from feedback.models import Annotation

    if not created:
        return
    if isinstance(instance, Annotation) and instance.severity not in {"high", "critical"}:
        return
    from django.db import transaction

    from outcomes.tasks import detect_regressions

    widget_id = str(instance.widget_id)
    transaction.on_commit(lambda: detect_regressions.defer(widget_ids=[widget_id]))
