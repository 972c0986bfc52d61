"""Who may see and do what in a hub.

Every view fetches its hub through `get_hub_for_user` (or, for a record that spans hubs, through
`get_cross_hub_access`), so a user who is not a member of a hub gets 404 for all of its pages, exactly as if
it did not exist; then `require(access.can_…, message)` refuses what the role may not do with 403. The role
rules live here and nowhere else: views, templates and selectors ask the access object.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, cast

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest

from hubs.models import Hub, HubMembership, Role
from ihf.models import User


class Authored(Protocol):
    """Anything with an author (an annotation): hubs knows the shape, not feedback's model."""

    actor_id: uuid.UUID | None


@dataclass(frozen=True)
class HubAccess:
    hub: Hub
    user: User
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

    @property
    def can_manage_hub(self) -> bool:
        """API keys, integrations, bottleneck thresholds and resolutions, recomputing scores: stewards."""
        return self.is_steward

    def can_triage(self, assignee_id: uuid.UUID | None) -> bool:
        """Stewards triage every candidate; reviewers only those assigned to them."""
        return self.is_steward or (self.role == Role.REVIEWER and assignee_id == self.user.pk)

    def can_retract(self, annotation: Authored) -> bool:
        return self.is_steward or (self.can_annotate and annotation.actor_id == self.user.pk)


def get_hub_for_user(request: HttpRequest, slug: str) -> HubAccess:
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
    # A member or a superuser, so signed in: an anonymous user has no membership and is no superuser.
    return HubAccess(
        hub=hub,
        user=cast(User, user),
        role=hub.member_role or Role.STEWARD,
        notifications_muted=bool(hub.member_muted),
    )


@dataclass(frozen=True)
class CrossHubAccess:
    """A user's roles in the hubs a cross-hub record involves (only the hubs they belong to)."""

    user: User
    roles: dict[str, str]  # hub id as text -> Role value

    @property
    def can_act(self) -> bool:
        """Acknowledging or resolving a cross-hub pattern: a steward of one of its hubs, or an admin."""
        return self.user.is_superuser or Role.STEWARD in self.roles.values()


def get_cross_hub_access(request: HttpRequest, hub_ids: Iterable[uuid.UUID | str | None]) -> CrossHubAccess:
    """The user's access to a record involving `hub_ids`; 404 unless they belong to one of them."""
    user = request.user
    wanted = {str(hub_id) for hub_id in hub_ids if hub_id is not None}
    roles = {
        str(hub_id): role
        for hub_id, role in HubMembership.objects.filter(user=user.pk, hub_id__in=wanted).values_list(
            "hub_id", "role"
        )
    }
    if not (roles or user.is_superuser):
        raise Http404("No such record.")
    # A member of one of the hubs or a superuser, so signed in (as in get_hub_for_user).
    return CrossHubAccess(user=cast(User, user), roles=roles)


def steward_hubs(user: User | AnonymousUser) -> QuerySet[Hub]:
    """The hubs the user stewards (every hub for an admin): what cross-hub boards summarise for them."""
    if user.is_superuser:
        return Hub.objects.all()
    return Hub.objects.filter(memberships__user=user, memberships__role=Role.STEWARD)


@dataclass(frozen=True)
class StewardScope:
    """The hubs a user stewards, to ask of many cross-hub records at once which ones they may act on."""

    everything: bool
    hub_ids: frozenset[str]

    def allows(self, hub_ids: Iterable[uuid.UUID | str | None]) -> bool:
        return self.everything or any(str(h) in self.hub_ids for h in hub_ids if h is not None)


def steward_hub_ids(user: User | AnonymousUser) -> StewardScope:
    """One query: acting on cross-hub patterns is for the stewards of a hub involved, and admins."""
    if user.is_superuser:
        return StewardScope(everything=True, hub_ids=frozenset())
    return StewardScope(
        everything=False, hub_ids=frozenset(str(pk) for pk in steward_hubs(user).values_list("pk", flat=True))
    )


def stewards_any_hub(user: User | AnonymousUser) -> bool:
    """Whether the user may act somewhere as a steward (pages across hubs offer steward actions then)."""
    return user.is_superuser or HubMembership.objects.filter(user=user.pk, role=Role.STEWARD).exists()


def require(allowed: bool, message: str) -> None:
    """Refuse with 403 unless `allowed` (the hub itself was already found, or 404'd, by get_hub_for_user)."""
    if not allowed:
        raise PermissionDenied(message)
