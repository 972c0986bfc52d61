"""Proposals shown in place, on pages of earlier stages (which do not import this app): the candidate, thread
and decision pages and the decision form load these tags."""

from django import template

from assist import selectors

register = template.Library()


@register.inclusion_tag("assist/includes/in_place.html", takes_context=True)
def proposals_for(context, candidate=None, thread=None, decision=None, kinds=""):
    access = context["access"]
    proposals = selectors.for_subject(access.hub, candidate=candidate, thread=thread, decision=decision)
    if kinds:
        proposals = [p for p in proposals if p.proposal_type in kinds.split(",")]
    return {
        "proposals": proposals,
        "access": access,
        "hub": access.hub,
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }
