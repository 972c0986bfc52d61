"""Seed 003's `finetune_exports`: one row per JSONL export, with what it holds and its checksum."""

from django.contrib.postgres.fields import ArrayField
from django.db import models

from ihf.db import NOW, user_reference


class ExportType(models.TextChoices):
    # Seed 003's values; IHF writes decision_outcome (lineage records) and rlhf_trace (proposal → review).
    EVIDENCE_SNAPSHOT = "evidence_snapshot", "Evidence snapshot"
    AGENT_SESSION = "agent_session", "Agent session"
    DECISION_OUTCOME = "decision_outcome", "Decision → outcome lineage"
    INCIDENT_RCA = "incident_rca", "Incident RCA"
    PLAYBOOK_OUTCOME = "playbook_outcome", "Playbook outcome"
    RLHF_TRACE = "rlhf_trace", "AI proposal → review trace"


class FinetuneExport(models.Model):
    export_id = models.BigAutoField(primary_key=True)
    export_type = models.TextField(choices=ExportType.choices)
    source_table = models.TextField(null=True, blank=True)
    # The ids of the exported records, up to SOURCE_IDS_KEPT of them (metadata says when there were more).
    source_ids = ArrayField(models.TextField(), null=True, blank=True)
    file_path = models.TextField(null=True, blank=True)
    record_count = models.IntegerField(default=0, db_default=0)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    checksum_sha256 = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(db_default=NOW)
    # The filters (hubs, from, to), the duration, and who asked (also in created_by).
    metadata = models.JSONField(default=dict, db_default=models.Value({}, models.JSONField()))
    created_by = user_reference()

    class Meta:
        db_table = "finetune_exports"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(export_type__in=ExportType.values), name="finetune_export_type_valid"
            )
        ]
        indexes = [
            models.Index(fields=["-created_at"], name="idx_finetune_exports_created"),
            models.Index(fields=["export_type"], name="idx_finetune_exports_type"),
        ]

    def __str__(self):
        return f"{self.get_export_type_display()}: {self.record_count} records"
