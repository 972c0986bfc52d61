"""Who may see and do what in a hub.

Every view fetches its hub through `get_hub_for_user`, so a user who is not a member of a hub gets 404
for all of its pages, exactly as if it did not exist.
"""

from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.http import Http404

from hubs.models import Hub, HubMembership, Role


@dataclass(frozen=True)
class HubAccess:
    hub: Hub
    role: str  # a Role value; superusers act as stewards

    @property
    def can_annotate(self) -> bool:
        return self.role in {Role.STEWARD, Role.REVIEWER}

    @property
    def is_steward(self) -> bool:
        return self.role == Role.STEWARD


def get_hub_for_user(request, slug: str) -> HubAccess:
    user = request.user
    role = HubMembership.objects.filter(hub=OuterRef("pk"), user=user.pk).values("role")[:1]
    hub = Hub.objects.filter(slug=slug).annotate(member_role=Subquery(role)).first()
    if hub is None or (hub.member_role is None and not user.is_superuser):
        raise Http404("No such hub.")
    return HubAccess(hub=hub, role=hub.member_role or Role.STEWARD)
