from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()


@register.simple_tag(takes_context=True)
def with_param(context, name, value):
    """The current query string with `name` set to `value` (filters survive paging)."""
    query = context["request"].GET.copy()
    query[name] = value
    return "?" + query.urlencode()


@register.filter
def severity_class(severity):
    return f"sev sev-{severity}"


@register.simple_tag
def can_triage(access, candidate):
    """Whether the viewer may change this candidate's status (the rule lives in HubAccess, not here)."""
    assignment = getattr(candidate, "assignment", None)
    return access.can_triage(assignment.user_id if assignment else None)


@register.simple_tag
def can_retract(access, annotation):
    return access.can_retract(annotation)


@register.filter
def age(moment):
    """A card's age in its largest unit ("3 weeks"): the board has room for one."""
    if moment is None:
        return ""
    return timesince(moment, depth=1)


@register.filter
def ago(moment):
    """How long ago a number was computed: "just now" under a minute (timesince would say "0 minutes")."""
    if moment is None:
        return ""
    if timezone.now() - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment)} ago"
