"""One fixture world for the permission matrix: hub `alpha` holding one of every object a page is about.

Every case of the matrix builds it afresh in its own transaction, so a POST that succeeds cannot change
what another case sees.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from assist.models import AgentProposal
from assist.proposers.common import create as create_proposal
from feedback import services as feedback_services
from feedback.models import (
    Annotation,
    AnnotationThread,
    NotificationOutcome,
    RequirementCandidate,
    SavedBoardView,
)
from feedback.notifications import link_token
from governance.models import DecisionRecord, Requirement
from hubs.models import ApiKey, Widget
from learning.models import AdaptiveThresholdConfig, InstitutionalKnowledgeEntry, LearningInsight
from learning.services import knowledge_distil
from observability.models import BottleneckRecord, CrossHubPropagation
from outcomes.models import DeploymentRecord, Regression
from surveys.models import SignalSuggestion
from tests.chain import accepted_candidate, decision_for, deployment_for, requirement_for, signal_for
from tests.conftest import HubPeople
from tests.factories import (
    AnnotationFactory,
    CandidateFactory,
    HubFactory,
    ThreadFactory,
    WidgetFactory,
    api_key,
)


@dataclass
class World:
    people: HubPeople
    widget: Widget
    annotation: Annotation  # written by the steward: the reviewer may not retract it
    own_annotation: Annotation  # written by the reviewer, who may retract it
    thread: AnnotationThread
    candidate: RequirementCandidate  # open, assigned to the reviewer
    unassigned: RequirementCandidate  # open, nobody assigned
    accepted: RequirementCandidate  # accepted and promoted to `requirement`
    requirement: Requirement
    decision: DecisionRecord  # approved, on `requirement`
    deployment: DeploymentRecord
    regression: Regression
    bottleneck: BottleneckRecord
    propagation: CrossHubPropagation  # alpha and gamma: not beta, the outsider's hub
    key: ApiKey
    notification: NotificationOutcome  # the email that told the reviewer of the assignment
    proposal: AgentProposal  # a pending summary of `thread`
    draft: AgentProposal  # a pending requirement draft for `accepted`
    saved_view: SavedBoardView  # the steward's, shared with the hub
    suggestion: SignalSuggestion  # a pending signal the deployment's survey answers suggest
    calibration: AdaptiveThresholdConfig  # proposed
    insight: LearningInsight  # new
    entry: InstitutionalKnowledgeEntry  # of a decision on `accepted` (`decision` is not distilled)

    @property
    def slug(self) -> str:
        return self.people.hub.slug

    @property
    def token(self) -> str:
        return link_token(self.notification)

    def value(self, token: str):
        """A URL argument or form value: `=text` is the text itself, `slug` and `token` are the hub's slug
        and the notification's signed token, any other name is the primary key of that object."""
        if token.startswith("="):
            return token[1:]
        found = getattr(self, token)
        return found if isinstance(found, str) else str(found.pk)


def build_world(people: HubPeople) -> World:
    hub, steward, reviewer = people.hub, people.steward, people.reviewer
    widget = WidgetFactory(hub=hub, name="Checkout")
    thread = ThreadFactory(widget=widget, created_by=steward)
    annotation = AnnotationFactory(widget=widget, actor_id=steward.pk, severity="high")
    own_annotation = AnnotationFactory(widget=widget, actor_id=reviewer.pk, thread=thread)

    candidate = CandidateFactory(source_widget=widget, source_annotation=annotation, created_by=steward)
    feedback_services.candidate_assign(
        hub=hub, candidate_id=candidate.pk, actor=steward, reviewer_id=reviewer.pk
    )
    notification = NotificationOutcome.objects.get(candidate=candidate, user=reviewer, channel="email")
    unassigned = CandidateFactory(source_widget=widget, source_thread=thread)

    accepted = accepted_candidate(hub, widget=widget)
    requirement = requirement_for(accepted, steward)
    decision = decision_for(hub, requirement=requirement, user=reviewer)
    deployed_at = timezone.now() - timedelta(days=5)
    deployment = deployment_for(decision, deployed_at=deployed_at)
    signal = signal_for(deployment, widget, "improved", observed_at=deployed_at + timedelta(days=1))
    regression = Regression.objects.create(
        hub=hub, widget=widget, signal=signal, deployment=deployment, annotation=annotation
    )

    bottleneck = BottleneckRecord.objects.create(
        hub=hub,
        stage="candidate_untriaged",
        subject_type="requirement_candidate",
        subject_id=unassigned.pk,
        stalled_since=timezone.now() - timedelta(days=40),
    )
    gamma = HubFactory(slug="gamma", name="Gamma")
    propagation = CrossHubPropagation.objects.create(
        pattern_type="widget_type_friction",
        source_hub=hub,
        affected_hub_ids=[str(hub.pk), str(gamma.pk)],
        summary="Buttons hurt in alpha and gamma",
        fingerprint="widget_type_friction:button",
    )
    key, _raw = api_key(hub, actor=steward)
    proposal = create_proposal(
        proposal_type="summary",
        hub_id=hub.pk,
        content="People cannot find the button.",
        model_ref="test",
        confidence=0.7,
        notes={},
        source_thread=thread,
        source_widget_id=widget.pk,
    )
    draft = create_proposal(
        proposal_type="requirement_draft",
        hub_id=hub.pk,
        content="Draft",
        model_ref="test",
        confidence=0.6,
        notes={},
        details={"title": "T", "description": "D", "criteria": ["C"]},
        source_candidate=accepted,
    )
    saved_view = SavedBoardView.objects.create(
        hub=hub, owner=steward, name="Critical first", query="sort=severity", shared=True
    )
    suggestion = SignalSuggestion.objects.create(
        deployment=deployment, widget=widget, signal_type="improved", evidence={"rule": "level", "after": {}}
    )
    calibration = AdaptiveThresholdConfig.objects.create(
        hub=hub,
        config_type="bottleneck_threshold",
        stage="candidate_untriaged",
        old_values={"threshold_days": 30},
        new_values={"threshold_days": 12},
        evidence={"samples": 9, "p50_days": 4.0, "p90_days": 11.2, "window_days": 180},
    )
    insight = LearningInsight.objects.create(
        hub=hub,
        insight_type="change_regressions",
        statement="3 of 4 changes regressed",
        evidence={},
        fingerprint="f",
    )
    entry = knowledge_distil(decision=decision_for(hub, candidate=accepted, user=steward), actor=steward)
    return World(
        people=people,
        widget=widget,
        annotation=annotation,
        own_annotation=own_annotation,
        thread=thread,
        candidate=candidate,
        unassigned=unassigned,
        accepted=accepted,
        requirement=requirement,
        decision=decision,
        deployment=deployment,
        regression=regression,
        bottleneck=bottleneck,
        propagation=propagation,
        key=key,
        notification=notification,
        proposal=proposal,
        draft=draft,
        saved_view=saved_view,
        suggestion=suggestion,
        calibration=calibration,
        insight=insight,
        entry=entry,
    )
