"""The in-app inbox: what IHF emailed (or held back by the rate limit), with the same links as the emails,
read and unread. Opening a notification's link marks it read too."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from feedback.models import NotificationOutcome
from feedback.notifications import link_token

PER_PAGE = 25


@login_required
@require_GET
def inbox(request):
    notifications = NotificationOutcome.objects.inbox_of(request.user).select_related("hub", "candidate")
    page = Paginator(notifications.order_by("-sent_at", "-outcome_id"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    for item in page.object_list:
        item.token = link_token(item)
    context = {"page": page, "unread": NotificationOutcome.objects.unread_for(request.user).count()}
    template = "feedback/inbox.html#items" if request.htmx else "feedback/inbox.html"
    return TemplateResponse(request, template, context)


@login_required
@require_POST
def inbox_read(request):
    """Mark the given notifications (`ids`), or all of them (`all`), read; only the user's own."""
    unread = NotificationOutcome.objects.unread_for(request.user)
    if request.POST.get("all") != "1":
        ids = [i for i in request.POST.getlist("ids") if i.isdigit()]
        unread = unread.filter(pk__in=ids)
    marked = unread.update(read_at=timezone.now())
    if marked:
        messages.success(request, f"{marked} notification{'s' if marked != 1 else ''} marked read.")
    return redirect("feedback:inbox")
