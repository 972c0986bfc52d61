"""How phase 5 hears about new work: signals from the earlier stages, which do not know it exists."""

import contextlib

from django.db import transaction
from django.db.models.signals import post_save


def connect() -> None:
    from assist.categorise import Categoriser
    from feedback import categories
    from feedback.models import Annotation, RequirementCandidate, TriageState
    from governance.models import DecisionRecord

    categories.install(Categoriser())
    post_save.connect(_annotation_saved, sender=Annotation, dispatch_uid="assist-annotation")
    post_save.connect(_candidate_saved, sender=RequirementCandidate, dispatch_uid="assist-candidate")
    post_save.connect(_triage_saved, sender=TriageState, dispatch_uid="assist-triage")
    post_save.connect(_decision_saved, sender=DecisionRecord, dispatch_uid="assist-decision")


def _defer(proposal_type: str, subject_id) -> None:
    from assist.tasks import propose

    subject = str(subject_id)
    transaction.on_commit(lambda: propose.defer(proposal_type=proposal_type, subject_id=subject))


def _annotation_saved(sender, instance, created, **kwargs):
    if not created:
        return
    from procrastinate.exceptions import AlreadyEnqueued

    from assist.tasks import embed_annotations

    def defer():
        with contextlib.suppress(AlreadyEnqueued):  # the queued job embeds this annotation too
            embed_annotations.defer()

    transaction.on_commit(defer)
    if instance.thread_id:
        _defer("summary", instance.thread_id)


def _candidate_saved(sender, instance, created, **kwargs):
    if created:
        _defer("duplicate_flag", instance.pk)
        _defer("policy_flag", instance.pk)


def _triage_saved(sender, instance, created, **kwargs):
    if created and instance.status == "accepted":
        _defer("requirement_draft", instance.candidate_id)


def _decision_saved(sender, instance, created, **kwargs):
    if created:
        _defer("policy_flag", instance.pk)
        _defer("impl_proposal", instance.pk)
