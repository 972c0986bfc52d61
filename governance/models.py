import re

from django.core.exceptions import ValidationError
from django.db import models

from feedback.models import RequirementCandidate
from hubs.models import Hub
from ihf.db import NOW, ShortTextField, user_reference, uuid_primary_key


class Requirement(models.Model):
    """An accepted candidate, promoted: what the product should do."""

    id = uuid_primary_key()
    title = ShortTextField()
    description = models.TextField()
    source_candidate = models.ForeignKey(
        RequirementCandidate, on_delete=models.RESTRICT, related_name="requirements", db_index=False
    )
    status = models.TextField(default="active", db_default="active")
    created_by = user_reference("created_by")
    created_at = models.DateTimeField(db_default=NOW, editable=False)

    class Meta:
        db_table = "requirements"
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    DEFERRED = "deferred", "Deferred"
    SUPERSEDED = "superseded", "Superseded"


class DecisionRecord(models.Model):
    """A governance decision on a requirement or a candidate. Never edited (sql/decision_records_guard.sql):
    a later decision supersedes it."""

    id = uuid_primary_key()
    title = ShortTextField()
    rationale = models.TextField()
    outcome = models.TextField(choices=DecisionOutcome.choices)
    requirement = models.ForeignKey(
        Requirement,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
        db_index=False,
    )
    candidate = models.ForeignKey(
        RequirementCandidate, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    decided_by = user_reference("decided_by")
    decided_at = models.DateTimeField(db_default=NOW)
    notes = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(db_default=NOW, editable=False)
    # IHF's additions: the hub (for access checks and per-hub reads), the decision this one supersedes, and
    # the lineage summary kept by trg_enrich_lineage (seed 002).
    hub = models.ForeignKey(Hub, on_delete=models.RESTRICT, related_name="decisions")
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.RESTRICT, related_name="superseded_by"
    )
    outcome_summary = models.JSONField(null=True, blank=True, editable=False)
    # The kind of change (phase 12): a short lowercase label chosen on the decision form, by which the
    # learning app judges how such changes fare.
    pattern = models.TextField(null=True, blank=True)

    class Meta:
        db_table = "decision_records"
        ordering = ["-decided_at"]
        indexes = [
            models.Index(
                fields=["hub", "pattern"],
                name="decision_records_pattern_idx",
                condition=models.Q(pattern__isnull=False),
            )
        ]
        # The seed's indexes are created by sql/phase3_indexes.sql under their seed names.
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=DecisionOutcome.values), name="decision_records_outcome_check"
            ),
            models.CheckConstraint(
                condition=models.Q(requirement__isnull=False) | models.Q(candidate__isnull=False),
                name="decision_records_has_subject",
            ),
        ]

    def __str__(self):
        return self.title


class PolicyReference(models.Model):
    id = uuid_primary_key()
    decision = models.ForeignKey(
        DecisionRecord, on_delete=models.CASCADE, related_name="policy_references", db_index=False
    )
    policy_scope = ShortTextField()
    constraint_note = models.TextField(null=True, blank=True)
    created_by = user_reference("created_by")
    created_at = models.DateTimeField(db_default=NOW, editable=False)

    class Meta:
        db_table = "policy_references"

    def __str__(self):
        return self.policy_scope


class ChangeSystem(models.TextChoices):
    GITHUB = "github", "GitHub"
    GITLAB = "gitlab", "GitLab"
    JIRA = "jira", "Jira"
    LINEAR = "linear", "Linear"
    OTHER = "other", "Other"


# What a work item reference looks like in each system, and how to say so when it does not.
WORK_ITEM_FORMATS = {
    ChangeSystem.GITHUB: (
        re.compile(r"^([\w.-]+/[\w.-]+#\d+|https://github\.com/[\w.-]+/[\w.-]+/(issues|pull)/\d+)$"),
        "A GitHub reference looks like owner/repo#123 or https://github.com/owner/repo/pull/123.",
    ),
    ChangeSystem.GITLAB: (
        re.compile(r"^([\w.-]+(/[\w.-]+)+[#!]\d+|https://[\w.-]+/[\w./-]+/-/(issues|merge_requests)/\d+)$"),
        "A GitLab reference looks like group/project!123, group/project#123 or a /-/merge_requests/123 URL.",
    ),
    ChangeSystem.JIRA: (
        re.compile(r"^[A-Z][A-Z0-9_]+-\d+$"),
        "A Jira reference is an issue key such as PAY-123.",
    ),
    ChangeSystem.LINEAR: (
        re.compile(r"^[A-Z][A-Z0-9]{0,9}-\d+$"),
        "A Linear reference is an issue identifier such as ENG-123.",
    ),
}
OTHER_FORMAT = "Give a reference of at most 500 characters; a link must start with http:// or https://."


def validate_work_item(system: str, reference: str) -> None:
    reference = reference or ""
    if system == ChangeSystem.OTHER:
        valid = 0 < len(reference) <= 500 and reference == reference.strip()
        if "://" in reference and not reference.startswith(("http://", "https://")):
            valid = False
        message = OTHER_FORMAT
    else:
        pattern, message = WORK_ITEM_FORMATS[ChangeSystem(system)]
        valid = bool(pattern.match(reference))
    if not valid:
        raise ValidationError({"work_item_ref": message})


class ImplementationChangeReference(models.Model):
    id = uuid_primary_key()
    decision = models.ForeignKey(
        DecisionRecord, on_delete=models.CASCADE, related_name="change_references", db_index=False
    )
    work_item_ref = ShortTextField()
    system = models.TextField(choices=ChangeSystem.choices, default=ChangeSystem.GITHUB, db_default="github")
    linked_by = user_reference("linked_by")
    linked_at = models.DateTimeField(db_default=NOW)

    class Meta:
        db_table = "implementation_change_references"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(system__in=ChangeSystem.values), name="impl_change_refs_system_check"
            ),
        ]

    def __str__(self):
        return f"{self.get_system_display()} {self.work_item_ref}"

    def clean(self):
        validate_work_item(self.system, self.work_item_ref)
