"""Phase 5 (seed 001): what the agents propose, what people decided about it, and what each model call cost.

Nothing here changes IHF's data by itself: a proposal is applied only when a person accepts it
(assist/review.py). Proposals, reviews, confidence notes, the call log and the categorisations are history:
sql/assist.sql refuses their UPDATE (a proposal's status excepted) and DELETE.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models

from feedback.models import Annotation, AnnotationThread, RequirementCandidate
from governance.models import DecisionRecord
from hubs.models import Hub, Widget
from ihf.db import NOW, user_reference, uuid_primary_key


class ProposalType(models.TextChoices):
    DUPLICATE_FLAG = "duplicate_flag", "Possible duplicate"
    SUMMARY = "summary", "Summary"
    REQUIREMENT_DRAFT = "requirement_draft", "Requirement draft"
    POLICY_FLAG = "policy_flag", "Policy hint"
    IMPL_PROPOSAL = "impl_proposal", "Implementation hint"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    SUPERSEDED = "superseded", "Superseded"


class ProposalQuerySet(models.QuerySet):
    def for_hub(self, hub):
        return self.filter(hub=hub)

    def pending(self):
        return self.filter(status=ProposalStatus.PENDING)


class AgentProposal(models.Model):
    """One output of an agent, waiting for a person (seed 001 `agent_proposals`)."""

    id = uuid_primary_key()
    proposal_type = models.TextField(choices=ProposalType.choices)
    source_widget = models.ForeignKey(
        Widget, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    source_candidate = models.ForeignKey(
        RequirementCandidate, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )
    source_thread = models.ForeignKey(
        AnnotationThread, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )
    source_decision = models.ForeignKey(
        DecisionRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )
    # A duplicate_flag names the candidate the source duplicates (the one that survives a merge).
    duplicate_of_candidate = models.ForeignKey(
        RequirementCandidate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Not in the seed: which hub's inbox the proposal belongs to (the source's hub), so that the inbox is one
    # indexed read instead of four joins.
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="+")
    content = models.TextField()
    # What the content is, for the pages: e.g. the draft's title/description/criteria, the similar items.
    details = models.JSONField(default=dict, db_default=models.Value({}, models.JSONField()))
    model_ref = models.TextField()
    confidence = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    status = models.TextField(
        choices=ProposalStatus.choices, default=ProposalStatus.PENDING, db_default="pending"
    )
    created_at = models.DateTimeField(db_default=NOW, editable=False)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        db_table = "agent_proposals"
        ordering = ["-created_at"]
        # The seed's indexes (names longer than Django allows) are created by sql/assist.sql.
        indexes = [models.Index(fields=["hub", "status", "-created_at"], name="agent_proposals_inbox_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(proposal_type__in=ProposalType.values),
                name="agent_proposals_proposal_type_check",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ProposalStatus.values), name="agent_proposals_status_check"
            ),
            models.CheckConstraint(
                condition=models.Q(confidence__gte=0, confidence__lte=1),
                name="agent_proposals_confidence_check",
            ),
            models.CheckConstraint(
                condition=~models.Q(proposal_type="duplicate_flag")
                | models.Q(duplicate_of_candidate__isnull=False, source_candidate__isnull=False),
                name="agent_proposals_duplicate_names_both",
            ),
        ]

    def __str__(self):
        return f"{self.get_proposal_type_display()}: {self.content[:60]}"


class ReviewDecision(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    MODIFIED = "modified", "Modified"


class AgentReviewRecord(models.Model):
    """A person's one decision about a proposal (seed 001 `agent_review_records`, UNIQUE proposal_id)."""

    id = uuid_primary_key()
    proposal = models.OneToOneField(AgentProposal, on_delete=models.CASCADE, related_name="review")
    reviewer = user_reference()
    decision = models.TextField(choices=ReviewDecision.choices)
    notes = models.TextField(null=True, blank=True)
    # For "modified": what the person made of the proposal (the fields they changed, as they left them).
    modified_content = models.JSONField(null=True, blank=True)
    reviewed_at = models.DateTimeField(db_default=NOW)

    class Meta:
        db_table = "agent_review_records"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision__in=ReviewDecision.values),
                name="agent_review_records_decision_check",
            ),
            models.CheckConstraint(
                condition=~models.Q(decision="modified") | models.Q(modified_content__isnull=False),
                name="agent_review_records_modified_keeps_changes",
            ),
        ]

    def __str__(self):
        return f"{self.proposal_id}: {self.decision}"


class Dimension(models.TextChoices):
    ACCURACY = "accuracy", "Accuracy"
    RELEVANCE = "relevance", "Relevance"
    COMPLETENESS = "completeness", "Completeness"
    POLICY_ALIGNMENT = "policy_alignment", "Policy alignment"


class ConfidenceAnnotation(models.Model):
    """How sure the agent is along one dimension, and why (seed 001 `confidence_annotations`)."""

    id = uuid_primary_key()
    proposal = models.ForeignKey(
        AgentProposal, on_delete=models.CASCADE, related_name="confidence_notes", db_index=False
    )
    dimension = models.TextField(choices=Dimension.choices)
    score = models.DecimalField(max_digits=4, decimal_places=3)
    explanation = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(db_default=NOW, editable=False)

    class Meta:
        db_table = "confidence_annotations"
        ordering = ["dimension"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=1), name="confidence_annotations_score_check"
            ),
            models.CheckConstraint(
                condition=models.Q(dimension__in=Dimension.values),
                name="confidence_annotations_dimension_check",
            ),
        ]

    def __str__(self):
        return f"{self.dimension} {self.score}"


class CallStatus(models.TextChoices):
    OK = "ok", "OK"
    ERROR = "error", "Error"
    TIMEOUT = "timeout", "Timeout"


class AiCall(models.Model):
    """Every model call, local or remote: what it was for, how long it took, how it ended."""

    id = models.BigAutoField(primary_key=True)
    hub = models.ForeignKey(Hub, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    task = models.TextField()
    model_ref = models.TextField()
    latency_ms = models.IntegerField()
    status = models.TextField(choices=CallStatus.choices)
    input_size = models.IntegerField()
    output_size = models.IntegerField()
    error = models.TextField(null=True, blank=True)
    proposal = models.ForeignKey(
        AgentProposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    called_at = models.DateTimeField(db_default=NOW)

    class Meta:
        db_table = "ai_call_log"
        ordering = ["-called_at"]
        indexes = [models.Index(fields=["hub", "-called_at"], name="ai_call_log_hub_called_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=CallStatus.values), name="ai_call_log_status_check"
            )
        ]

    def __str__(self):
        return f"{self.task} ({self.status}, {self.latency_ms} ms)"


class SubjectType(models.TextChoices):
    ANNOTATION = "annotation", "Annotation"
    CANDIDATE = "candidate", "Candidate"
    THREAD = "thread", "Thread"
    DECISION = "decision", "Decision"


class RealField(models.FloatField):
    """PostgreSQL `real` (4 bytes): a vector's 384 numbers take half the room of double precision, which the
    model's float32 output does not need."""

    def db_type(self, connection):
        return "real"


class Embedding(models.Model):
    """A text's vector under one model. A new model_ref, or a changed text (text_hash), re-embeds."""

    id = models.BigAutoField(primary_key=True)
    subject_type = models.TextField(choices=SubjectType.choices)
    subject_id = models.UUIDField()
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="+", db_index=False)
    model_ref = models.TextField()
    text_hash = models.TextField()
    vector = ArrayField(RealField())
    created_at = models.DateTimeField(db_default=NOW)

    class Meta:
        db_table = "embeddings"
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "model_ref"], name="embeddings_subject_model_key"
            )
        ]
        indexes = [
            models.Index(fields=["hub", "subject_type", "model_ref", "id"], name="embeddings_hub_subject_idx")
        ]

    def __str__(self):
        return f"{self.subject_type} {self.subject_id}"


class CategoryClassifier(models.Model):
    """A trained auto-categoriser: multinomial logistic regression over the embeddings of the hubs' own
    categorised annotations (assist/categorise.py)."""

    id = models.BigAutoField(primary_key=True)
    model_ref = models.TextField()
    categories = ArrayField(models.TextField())
    weights = ArrayField(ArrayField(models.FloatField()))
    bias = ArrayField(models.FloatField())
    # Below this probability for its best category the classifier says `general`.
    min_confidence = models.FloatField()
    trained_on = models.IntegerField()
    accuracy = models.FloatField(null=True, blank=True)
    fallback_rate = models.FloatField(null=True, blank=True)
    trained_at = models.DateTimeField(db_default=NOW)

    class Meta:
        db_table = "category_classifiers"
        ordering = ["-trained_at"]

    def __str__(self):
        return f"classifier {self.pk} ({self.trained_on} examples)"


class AnnotationCategorisation(models.Model):
    """Why an annotation that arrived without a category has the one it has."""

    annotation = models.OneToOneField(
        Annotation, primary_key=True, on_delete=models.CASCADE, related_name="categorisation"
    )
    category = models.TextField()
    confidence = models.FloatField()
    fallback = models.BooleanField()
    classifier = models.ForeignKey(
        CategoryClassifier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    model_ref = models.TextField()
    created_at = models.DateTimeField(db_default=NOW)

    class Meta:
        db_table = "annotation_categorisations"

    def __str__(self):
        return f"{self.annotation_id}: {self.category}"


class ProposerRun(models.Model):
    """When a proposer last looked at a subject, so that `propose` and the jobs work on what is new."""

    id = models.BigAutoField(primary_key=True)
    proposal_type = models.TextField(choices=ProposalType.choices)
    subject_id = models.UUIDField()
    ran_at = models.DateTimeField(db_default=NOW)

    class Meta:
        db_table = "proposer_runs"
        constraints = [
            models.UniqueConstraint(
                fields=["proposal_type", "subject_id"], name="proposer_runs_type_subject_key"
            )
        ]

    def __str__(self):
        return f"{self.proposal_type} {self.subject_id}"
