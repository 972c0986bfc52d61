from feedback.models.annotations import Annotation, AnnotationThread, Category, Severity
from feedback.models.candidates import (
    CandidateStatus,
    RequirementCandidate,
    ReviewerAssignment,
    TriageKind,
    TriageState,
)
from feedback.models.notifications import DeliveryStatus, NotificationOutcome
from feedback.models.views import SavedBoardView

__all__ = [
    "Annotation",
    "AnnotationThread",
    "CandidateStatus",
    "Category",
    "DeliveryStatus",
    "NotificationOutcome",
    "RequirementCandidate",
    "ReviewerAssignment",
    "SavedBoardView",
    "Severity",
    "TriageKind",
    "TriageState",
]
