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


@register.inclusion_tag("assist/includes/cross_hub.html", takes_context=True)
def cross_hub_duplicates(context):
    """On the cross-hub page: the same problem reported in two of the reader's hubs."""
    from django.conf import settings

    from hubs.models import Hub

    user = context["request"].user
    hub_ids = list(Hub.objects.visible_to(user).values_list("pk", flat=True))
    return {"pairs": selectors.cross_hub_pairs(hub_ids, settings.IHF_DUPLICATE_THRESHOLD)}


@register.simple_tag(takes_context=True)
def duplicate_flag_for(context, candidate):
    """The pending duplicate flag of a board card's candidate, if any. The hub's flags are read once per
    request (one query, however many cards and columns are drawn) and kept on the request."""
    request = context.get("request")
    flags = getattr(request, "_ihf_duplicate_flags", None)
    if flags is None:
        # Only the flags of the cards this page draws: a busy hub can hold thousands of pending ones.
        shown = [card.pk for column in context.get("columns") or [] for card in column["cards"]]
        shown += [card.pk for card in context.get("more_cards") or []]
        flags = selectors.pending_duplicate_flags(context["hub"], shown or [candidate.pk])
        if request is not None:
            request._ihf_duplicate_flags = flags
    return flags.get(candidate.pk)
