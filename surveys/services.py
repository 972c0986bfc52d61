"""Survey writes (settings, answers, prompts), the signals the answers suggest, and the verdicts told back
to the people whose annotations led to a change."""

import math
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from feedback import notifications
from feedback.models import Annotation, RequirementCandidate
from hubs.models import Widget
from ihf.models import User
from outcomes import services as outcome_services
from outcomes.models import ChangeEvaluation, DeploymentRecord, OutcomeSignal
from outcomes.selectors import decision_candidate_id, decision_widget_ids
from surveys import selectors
from surveys.models import (
    DeploymentSurvey,
    ReporterVerdict,
    SignalSuggestion,
    SuggestionStatus,
    Verdict,
    VerdictOptOut,
)

ALREADY_DECIDED = "Someone already decided on this suggestion."
VERDICT_NOTIFICATION = "verdict"


def survey_toggle(*, deployment: DeploymentRecord, actor: User, enabled: bool) -> DeploymentSurvey:
    survey, _created = DeploymentSurvey.objects.update_or_create(
        deployment=deployment,
        defaults={"enabled": enabled, "changed_by": actor, "changed_at": timezone.now()},
    )
    return survey


# --- suggested signals -------------------------------------------------------------------------------------


def evidence_direction(
    before: dict[str, Any], after: dict[str, Any], minimum: int
) -> tuple[str, dict[str, Any]] | None:
    """("improved" | "regressed", evidence) when the answers clearly say so (docs/metrics.md), else None.

    With enough answers on both sides: the 95 % interval of the difference of mean satisfaction (Welch,
    normal) excludes 0. Without earlier answers to compare with: this deployment's interval lies wholly above
    3.5 or wholly below 2.5."""
    if after["n"] < minimum or after["low"] is None:
        return None
    if before["n"] >= minimum and before["low"] is not None:
        difference = after["mean"] - before["mean"]
        half = 1.96 * math.sqrt(after["sd"] ** 2 / after["n"] + before["sd"] ** 2 / before["n"])
        evidence = {
            "rule": "difference",
            "before": before,
            "after": after,
            "difference": difference,
            "low": difference - half,
            "high": difference + half,
        }
        if difference - half > 0:
            return "improved", evidence
        if difference + half < 0:
            return "regressed", evidence
        return None
    evidence = {"rule": "level", "after": after}
    if after["low"] > 3.5:
        return "improved", evidence
    if after["high"] < 2.5:
        return "regressed", evidence
    return None


def suggest_signals(deployment_ids: list[uuid.UUID] | None = None) -> list[SignalSuggestion]:
    """Suggest an outcome signal for each (deployment, widget) whose answers are clear evidence, once per
    direction. Only suggestions: a reviewer confirms them (suggestion_decide)."""
    if deployment_ids is None:
        deployment_ids = selectors.deployments_with_answers(settings.IHF_SURVEY_OPEN_DAYS * 2)
    minimum = settings.IHF_SURVEY_MIN_RESPONSES
    made = []
    computed_at = timezone.now().isoformat()
    for deployment_id, widgets in selectors.before_after(deployment_ids).items():
        for row in widgets:
            found = evidence_direction(row["before"], row["after"], minimum)
            if found is None:
                continue
            signal_type, evidence = found
            suggestion, created = SignalSuggestion.objects.get_or_create(
                deployment_id=deployment_id,
                widget_id=row["widget_id"],
                signal_type=signal_type,
                defaults={"evidence": {**evidence, "computed_at": computed_at}},
            )
            if created:
                made.append(suggestion)
    return made


def suggestion_decide(
    *, suggestion_id: uuid.UUID, deployment: DeploymentRecord, actor: User, confirm: bool
) -> bool:
    """Confirm (recording the outcome signal, valued with the evidence's mean) or reject a suggestion.
    False when someone decided first."""
    with transaction.atomic():
        suggestion = (
            SignalSuggestion.objects.select_for_update()
            .select_related("widget")
            .filter(pk=suggestion_id, deployment=deployment)
            .first()
        )
        if suggestion is None or suggestion.status != SuggestionStatus.PENDING:
            return False
        if confirm:
            value = suggestion.evidence.get("difference", suggestion.evidence["after"]["mean"])
            suggestion.signal = outcome_services.signal_record(
                deployment=deployment,
                widget=suggestion.widget,
                actor=actor,
                signal_type=suggestion.signal_type,
                value=round(value, 4),
            )
        suggestion.status = SuggestionStatus.CONFIRMED if confirm else SuggestionStatus.REJECTED
        suggestion.decided_by, suggestion.decided_at = actor, timezone.now()
        suggestion.save(update_fields=["status", "decided_by", "decided_at", "signal"])
    return True


# --- verdicts back to the reporters ------------------------------------------------------------------------


def verdict_of(deployment: DeploymentRecord) -> str:
    """improved / regressed by the majority of the deployment's signals; inconclusive on a tie or when only
    neutral or inconclusive ones were recorded (docs/metrics.md)."""
    counts = OutcomeSignal.objects.filter(deployment=deployment).aggregate(
        improved=Count("pk", filter=Q(signal_type="improved")),
        regressed=Count("pk", filter=Q(signal_type="regressed")),
    )
    if counts["improved"] > counts["regressed"]:
        return Verdict.IMPROVED
    if counts["regressed"] > counts["improved"]:
        return Verdict.REGRESSED
    return Verdict.INCONCLUSIVE


def _source_annotations(candidate: RequirementCandidate) -> list[Annotation]:
    """The annotations a candidate was born of: its source annotation and its thread's, not retracted."""
    query = Q(pk=candidate.source_annotation_id) if candidate.source_annotation_id else Q(pk__in=[])
    if candidate.source_thread_id:
        query |= Q(thread_id=candidate.source_thread_id)
    return list(Annotation.objects.open().filter(query))  # type: ignore[no-untyped-call]


def tell_authors(deployment_id: uuid.UUID) -> list[ReporterVerdict]:
    """Once a deployment is judged (it has an evaluation and a signal), tell each author of the annotations
    behind it: a verdict row (in-app, and for the reporter) and an email, unless they opted out of the hub's
    verdicts; email also respects a muted hub. Each author hears of each deployment once."""
    deployment = DeploymentRecord.objects.select_related("decision__hub").filter(pk=deployment_id).first()
    if deployment is None:
        return []
    evaluation = ChangeEvaluation.objects.filter(deployment=deployment).first()
    if evaluation is None or not OutcomeSignal.objects.filter(deployment=deployment).exists():
        return []
    candidate_id = decision_candidate_id(deployment.decision)
    candidate = RequirementCandidate.objects.filter(pk=candidate_id).first() if candidate_id else None
    if candidate is None:
        return []
    hub = deployment.decision.hub
    annotations = _source_annotations(candidate)
    opted_out = set(
        VerdictOptOut.objects.filter(
            hub=hub, actor_id__in=[a.actor_id for a in annotations if a.actor_id]
        ).values_list("actor_id", flat=True)
    )
    members = {
        user.pk: user
        for user in User.objects.filter(
            pk__in=[a.actor_id for a in annotations if a.actor_id], memberships__hub=hub
        )
    }
    verdict = verdict_of(deployment)
    told, emailed = [], {}
    with transaction.atomic():
        for annotation in annotations:
            if annotation.actor_id in opted_out:
                continue
            user = members.get(annotation.actor_id)
            row, created = ReporterVerdict.objects.get_or_create(
                deployment=deployment,
                annotation=annotation,
                defaults={
                    "hub": hub,
                    "actor_id": annotation.actor_id,
                    "user": user,
                    "verdict": verdict,
                    "evaluation_score": evaluation.score,
                },
            )
            if not created:
                continue
            told.append(row)
            if user is not None:
                emailed[user.pk] = user
        if emailed:
            already = set(
                ReporterVerdict.objects.filter(deployment=deployment, user__in=list(emailed))
                .exclude(pk__in=[row.pk for row in told])
                .values_list("user_id", flat=True)
            )
            users = [user for pk, user in emailed.items() if pk not in already]
            if users:
                notifications.notify(
                    users=users,
                    hub=hub,
                    candidate=candidate,
                    notification_type=VERDICT_NOTIFICATION,
                    context={"notes": verdict_message(deployment, verdict, evaluation.score)},
                )
    return told


def verdict_message(deployment: DeploymentRecord, verdict: str, score: int) -> str:
    return (
        f"Deployment {deployment.version_ref} of the change your report led to was judged "
        f"{Verdict(verdict).label.lower()}; its evaluation scored {score}/5."
    )


def verdict_opt_out(*, hub_id: uuid.UUID, actor_id: uuid.UUID, opted_out: bool) -> None:
    if opted_out:
        VerdictOptOut.objects.get_or_create(hub_id=hub_id, actor_id=actor_id)
    else:
        VerdictOptOut.objects.filter(hub_id=hub_id, actor_id=actor_id).delete()


def reporter_news(hub_id: uuid.UUID, annotation_ids: list[uuid.UUID]) -> list[ReporterVerdict]:
    """The verdicts on these annotations the reporter has not shown yet; marked shown (once)."""
    with transaction.atomic():
        rows = list(
            ReporterVerdict.objects.select_for_update(of=("self",))
            .select_related("deployment", "annotation")
            .filter(hub_id=hub_id, annotation_id__in=annotation_ids, reporter_shown_at__isnull=True)
            .exclude(actor_id__in=VerdictOptOut.objects.filter(hub_id=hub_id).values("actor_id"))
        )
        if rows:
            ReporterVerdict.objects.filter(pk__in=[r.pk for r in rows]).update(
                reporter_shown_at=timezone.now()
            )
    return rows


def widget_behind(deployment: DeploymentRecord, widget_id: uuid.UUID) -> Widget | None:
    if widget_id not in decision_widget_ids(deployment.decision):
        return None
    return Widget.objects.filter(pk=widget_id).first()
