from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST

from feedback import notifications
from feedback.models.notifications import NotificationOutcome, UserAction
from hubs.access import get_hub_for_user
from hubs.models import HubMembership


def _link_error(request, error):
    expired = isinstance(error, signing.SignatureExpired)
    message = notifications.LINK_EXPIRED if expired else notifications.LINK_INVALID
    return TemplateResponse(
        request, "feedback/notification_link.html", {"error": message}, status=410 if expired else 400
    )


@require_http_methods(["GET"])
def notification_open(request, token):
    """The email's main link: records that the person opened it, then shows the candidate."""
    try:
        outcome = notifications.record_action(token, UserAction.OPENED)
    except (signing.BadSignature, NotificationOutcome.DoesNotExist) as error:
        return _link_error(request, error)
    if outcome.candidate_id and outcome.hub_id:
        return redirect("feedback:candidate", outcome.hub.slug, outcome.candidate_id)
    return redirect("hubs:list")


@require_http_methods(["GET", "POST"])
def notification_mute(request, token):
    """The email's mute link. GET only asks (mail scanners follow links); POST mutes the hub."""
    try:
        signing.loads(
            token, salt=notifications.LINK_SALT, max_age=notifications.settings.IHF_NOTIFICATION_LINK_MAX_AGE
        )
        if request.method == "GET":
            return TemplateResponse(request, "feedback/notification_link.html", {"confirm_mute": True})
        outcome = notifications.record_action(token, UserAction.SILENCED)
    except (signing.BadSignature, NotificationOutcome.DoesNotExist) as error:
        return _link_error(request, error)
    return TemplateResponse(request, "feedback/notification_link.html", {"muted_hub": outcome.hub})


@login_required
@require_POST
def hub_mute(request, slug):
    access = get_hub_for_user(request, slug)
    muted = request.POST.get("muted") == "1"
    if HubMembership.set_notifications_muted(hub=access.hub, user=request.user, muted=muted):
        messages.success(request, f"Notifications from {access.hub} are {'muted' if muted else 'on'}.")
    else:
        messages.error(request, "Only members of a hub receive its notifications.")
    return redirect("feedback:hub", access.hub.slug)
