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
        post_save.connect(
            _close_retracted_regressions, sender=Annotation, dispatch_uid="outcomes-annotation-retracted"
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


def _close_retracted_regressions(sender, instance, created, update_fields=None, **kwargs):
    """A retracted annotation counts nowhere (docs/metrics.md), so a regression it made is no longer open:
    resolved in the retraction's own transaction, with the retraction's reason as its note."""
    if created or not update_fields or "retracted_at" not in update_fields or instance.retracted_at is None:
        return
    from outcomes.models import Regression

    Regression.objects.filter(annotation_id=instance.pk, resolved_at__isnull=True).update(
        resolved_at=instance.retracted_at,
        resolved_by_id=instance.retracted_by,
        resolution_note=f"The annotation was retracted: {instance.retraction_reason}",
    )
