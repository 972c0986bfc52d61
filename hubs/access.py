"""Who may see and do what in a hub.

Every view fetches its hub through `get_hub_for_user`, so a user who is not a member of a hub gets 404
for all of its pages, exactly as if it did not exist. The role rules live here and nowhere else.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404

from hubs.models import Hub, HubMembership, Role


@dataclass(frozen=True)
class HubAccess:
    hub: Hub
    user: object
    role: str  # a Role value; superusers act as stewards
    notifications_muted: bool = False

    @property
    def is_steward(self) -> bool:
        return self.role == Role.STEWARD

    @property
    def can_annotate(self) -> bool:
        return self.role in {Role.STEWARD, Role.REVIEWER}

    # Escalating feedback, recording decisions, deployments, signals and evaluations: stewards and reviewers.
    can_escalate = can_annotate
    can_decide = can_annotate
    can_record_outcomes = can_annotate

    @property
    def can_assign(self) -> bool:
        return self.is_steward

    @property
    def can_manage_threads(self) -> bool:
        return self.is_steward

    def can_triage(self, assignee_id) -> bool:
        """Stewards triage every candidate; reviewers only those assigned to them."""
        return self.is_steward or (self.role == Role.REVIEWER and assignee_id == self.user.pk)

    def can_retract(self, annotation) -> bool:
        return self.is_steward or (self.can_annotate and annotation.actor_id == self.user.pk)


def get_hub_for_user(request, slug: str) -> HubAccess:
    user = request.user
    membership = HubMembership.objects.filter(hub=OuterRef("pk"), user=user.pk)
    hub = (
        Hub.objects.filter(slug=slug)
        .annotate(
            member_role=Subquery(membership.values("role")[:1]),
            member_muted=Subquery(membership.values("notifications_muted")[:1]),
        )
        .first()
    )
    if hub is None or (hub.member_role is None and not user.is_superuser):
        raise Http404("No such hub.")
    return HubAccess(
        hub=hub, user=user, role=hub.member_role or Role.STEWARD, notifications_muted=bool(hub.member_muted)
    )


def require(allowed: bool, message: str) -> None:
    """Refuse with 403 unless `allowed` (the hub itself was already found, or 404'd, by get_hub_for_user)."""
    if not allowed:
        raise PermissionDenied(message)
