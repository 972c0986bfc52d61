"""Demo data for phase 5: realistic duplicates and threads (from IHF's labelled paraphrase set), a trained
categoriser, and the proposers run over everything, as the jobs would have done."""

import json
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from assist import categorise, runner
from assist.models import CategoryClassifier
from feedback.models import Annotation, AnnotationThread, RequirementCandidate, TriageState
from governance.models import DecisionRecord, ImplementationChangeReference, PolicyReference
from hubs.models import Widget
from wiring.demo import demo_id

PARAPHRASES = Path(categorise.__file__).resolve().parent / "data" / "paraphrases.jsonl"
CLUSTERS_PER_HUB = 5


def _clusters() -> list[tuple[str, str, list[str]]]:
    grouped: dict[str, tuple[str, list[str]]] = {}
    for line in PARAPHRASES.read_text().splitlines():
        record = json.loads(line)
        grouped.setdefault(record["cluster"], (record["widget"], []))[1].append(record["text"])
    return [(name, widget, texts) for name, (widget, texts) in grouped.items()]


POLICIES = ["WCAG 2.2 AA", "Payments data policy", "Privacy: consent before tracking", "Brand voice guide"]


def _references(hubs: dict, steward) -> None:
    """Each hub's earliest decision cites a policy and links its change, so that later similar decisions get
    policy and implementation hints."""
    for number, slug in enumerate(sorted(hubs)):
        first = DecisionRecord.objects.filter(hub=hubs[slug]).order_by("decided_at", "id").first()
        if first is None or PolicyReference.objects.filter(decision=first).exists():
            continue
        PolicyReference.objects.create(
            decision=first,
            policy_scope=POLICIES[number % len(POLICIES)],
            created_by=steward,
            constraint_note="Checked by the accessibility and compliance review.",
        )
        ImplementationChangeReference.objects.create(
            decision=first, work_item_ref=f"acme/{slug}#{101 + number}", linked_by=steward
        )


def seed(hubs: dict, steward, log) -> None:
    clusters = _clusters()
    now = timezone.now()
    candidates, threads, annotations, history = [], [], [], []
    for number, slug in enumerate(sorted(hubs)):
        widgets = list(Widget.objects.filter(hub=hubs[slug]).order_by("name")[:CLUSTERS_PER_HUB])
        chosen = clusters[number * CLUSTERS_PER_HUB : (number + 1) * CLUSTERS_PER_HUB]
        for widget, (name, _kind, texts) in zip(widgets, chosen, strict=False):
            # Two people escalated the same problem in their own words, a day apart: a duplicate to find.
            for index, text in enumerate(texts[:2]):
                candidate_id = demo_id("assist-candidate", slug, name, index)
                created = now - timedelta(days=3 - index, hours=number)
                candidates.append(
                    RequirementCandidate(
                        id=candidate_id,
                        title=text[:120],
                        description=text,
                        category="friction",
                        source_widget=widget,
                        created_by=steward,
                        created_at=created,
                    )
                )
                history.append(
                    TriageState(
                        id=demo_id("assist-triage", candidate_id),
                        candidate_id=candidate_id,
                        status="open",
                        notes="Escalated from an annotation.",
                        changed_by=steward,
                        changed_at=created,
                    )
                )
            # And a thread where more people said it again: a summary to write.
            thread_id = demo_id("assist-thread", slug, name)
            threads.append(
                AnnotationThread(id=thread_id, widget=widget, title=texts[0][:120], created_by=steward)
            )
            for index, text in enumerate(texts):
                annotations.append(
                    Annotation(
                        id=demo_id("assist-annotation", slug, name, index),
                        widget=widget,
                        body=text,
                        category="friction",
                        severity=("medium", "high")[index % 2],
                        thread_id=thread_id,
                        actor_type="user",
                        created_at=now - timedelta(days=2, hours=index),
                    )
                )
    with transaction.atomic():
        # bulk_create sends no post_save: the jobs are not queued, the proposers run below instead.
        RequirementCandidate.objects.bulk_create(candidates, ignore_conflicts=True)
        TriageState.objects.bulk_create(history, ignore_conflicts=True)
        AnnotationThread.objects.bulk_create(threads, ignore_conflicts=True)
        Annotation.objects.bulk_create(annotations, ignore_conflicts=True)
    log(f"  phase 5: {len(candidates)} paraphrased candidates, {len(threads)} threads")
    _references(hubs, steward)
    if not CategoryClassifier.objects.exists():
        categorise.train(log=lambda message: log(f"  categoriser: {message}"))
    made = runner.run(log=lambda message: log(f"  {message}"))
    log(f"  phase 5: {made} new proposals")
    review_some(hubs, steward, log)


def review_some(hubs: dict, steward, log) -> None:
    """A few decisions on proposals, and annotations that came without a category, so that the KPI panel
    and the proposals panel show numbers (as a team a few weeks in would have)."""
    from assist.models import AgentProposal, ProposalStatus, ReviewDecision
    from assist.review import ReviewError, review
    from feedback import categories

    if (
        AgentProposal.objects.exclude(status=ProposalStatus.PENDING)
        .exclude(status=ProposalStatus.SUPERSEDED)
        .exists()
    ):
        return
    reviewed = 0
    for slug in sorted(hubs):
        pending = AgentProposal.objects.for_hub(hubs[slug]).pending().order_by("created_at", "id")
        plan = [
            ("summary", ReviewDecision.ACCEPTED),
            ("summary", ReviewDecision.REJECTED),
            ("duplicate_flag", ReviewDecision.ACCEPTED),
            ("duplicate_flag", ReviewDecision.REJECTED),
        ]
        for kind, decision in plan:
            proposal = pending.filter(proposal_type=kind).first()
            if proposal is None:
                continue
            try:
                review(
                    hub=hubs[slug],
                    proposal_id=proposal.pk,
                    actor=steward,
                    decision=decision,
                    notes="Reviewed for the demo.",
                )
                reviewed += 1
            except ReviewError:
                continue
    widgets = list(Widget.objects.filter(hub__in=hubs.values()).order_by("name")[:12])
    bodies = [
        "The screen reader reads this button as 'button' with no name.",
        "It crashed when I pressed it twice; the page went blank.",
        "I don't know what this toggle does before I flip it.",
        "Would be great to export this list as CSV.",
        "Much faster than last month, thanks!",
        "Takes five clicks to get to the setting I change daily.",
    ]
    for n, widget in enumerate(widgets):
        body = bodies[n % len(bodies)]
        if not Annotation.objects.filter(widget=widget, body=body).exists():
            categories.create_annotation(widget=widget, body=body, severity="medium", actor_type="user")
    log(f"  phase 5: {reviewed} proposals reviewed, {len(widgets)} annotations categorised by IHF")
