"""Reads of governance records, scoped to the hub an access object is for (404 outside it)."""

import uuid

from django.shortcuts import get_object_or_404

from governance.models import DecisionRecord, Requirement
from hubs.access import HubAccess


def get_requirement(access: HubAccess, requirement_id: uuid.UUID) -> Requirement:
    return get_object_or_404(
        Requirement.objects.select_related("source_candidate__source_widget", "created_by"),
        pk=requirement_id,
        source_candidate__source_widget__hub=access.hub,
    )


def get_decision(access: HubAccess, decision_id: uuid.UUID) -> DecisionRecord:
    return get_object_or_404(
        DecisionRecord.objects.select_related(
            "requirement", "candidate", "decided_by", "supersedes", "superseded_by", "hub"
        ),
        pk=decision_id,
        hub=access.hub,
    )
