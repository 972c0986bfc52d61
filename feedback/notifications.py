"""Notifications about triage, by email and webhook, each tracked as a `notification_outcomes` row.

`notify()` records what is to be sent (inside the caller's transaction) and defers delivery to a
procrastinate job once that transaction commits; `deliver()` runs in the worker. The email carries signed
links that record what the person did with it.
"""

import json
import math
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django import app

from feedback.models.notifications import Channel, DeliveryStatus, NotificationOutcome, UserAction
from hubs.models import HubMembership
from ihf import egress

# feedback/tasks.py defines the job and imports this module; the job is deferred by its name, so that the
# import runs one way.
DELIVER_TASK = "feedback.tasks.deliver_notification"
LINK_SALT = "ihf.notification-link"
LINK_INVALID = "This link is not valid. It may have been copied incompletely or altered."
LINK_EXPIRED = "This link has expired. Open IHF directly to find the candidate."


class DeliveryFailed(Exception):
    pass


def notify(*, users, hub, candidate, notification_type, context) -> list[NotificationOutcome]:
    """Record one email per user who has not muted the hub (or who got too many lately: rate_limited),
    plus one webhook call when the hub has a webhook; deliver them after commit."""
    muted = set(
        HubMembership.objects.filter(hub=hub, user__in=users, notifications_muted=True).values_list(
            "user_id", flat=True
        )
    )
    since = timezone.now() - timedelta(hours=1)
    metadata = {
        "actor": str(context.get("actor") or ""),
        "notes": context.get("notes") or "",
        "previous_status": context.get("previous") or "",
        "status": candidate.status,
        "title": candidate.title,
    }
    recent = dict(
        NotificationOutcome.objects.filter(user__in=users, channel=Channel.EMAIL, sent_at__gte=since)
        .values_list("user")
        .annotate(n=Count("pk"))
    )
    told = _already_told(users, candidate, notification_type, metadata)
    outcomes = []
    for user in users:
        if user.pk in muted or not user.email or user.pk in told:
            continue
        limited = recent.get(user.pk, 0) >= settings.IHF_NOTIFICATIONS_PER_HOUR
        outcomes.append(
            NotificationOutcome(
                channel=Channel.EMAIL,
                notification_type=notification_type,
                recipient=user.email,
                delivery_status=DeliveryStatus.RATE_LIMITED if limited else DeliveryStatus.PENDING,
                hub=hub,
                candidate=candidate,
                user=user,
                metadata=metadata,
            )
        )
    if hub.webhook_url and (outcomes or not told):
        outcomes.append(
            NotificationOutcome(
                channel=Channel.WEBHOOK,
                notification_type=notification_type,
                recipient=hub.webhook_url,
                delivery_status=DeliveryStatus.PENDING,
                hub=hub,
                candidate=candidate,
                metadata={**metadata, "users": [u.email for u in users]},
            )
        )
    outcomes = NotificationOutcome.objects.bulk_create(outcomes)
    pending = [o.pk for o in outcomes if o.delivery_status == DeliveryStatus.PENDING]
    if pending:

        def defer():
            for outcome_id in pending:
                app.configure_task(DELIVER_TASK, allow_unknown=False).defer(outcome_id=outcome_id)

        transaction.on_commit(defer)
    return outcomes


def _already_told(users, candidate, notification_type, metadata) -> set:
    """The users who were sent this very notification (same candidate, kind, status and message) within
    IHF_NOTIFICATION_REPEAT_MINUTES: one event notifies a person once, even when it reaches notify() several
    times (several regressions of one deployment found by jobs running side by side).

    A transaction-scoped advisory lock per (candidate, kind) makes a second caller wait for the first to
    commit, so that it sees the first one's rows instead of racing it."""
    key = f"notify:{candidate.pk}:{notification_type}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
    since = timezone.now() - timedelta(minutes=settings.IHF_NOTIFICATION_REPEAT_MINUTES)
    return set(
        NotificationOutcome.objects.filter(
            user__in=users,
            candidate=candidate,
            notification_type=notification_type,
            channel=Channel.EMAIL,
            sent_at__gte=since,
            metadata__status=metadata["status"],
            metadata__notes=metadata["notes"],
        ).values_list("user_id", flat=True)
    )


def deliver(outcome_id: int) -> NotificationOutcome:
    """Send one notification. Raises DeliveryFailed (after recording the error) so the job is retried;
    a webhook whose target is refused (ihf/egress.py) is recorded as failed and not retried."""
    with transaction.atomic():
        outcome = (
            NotificationOutcome.objects.select_for_update(of=("self",))
            .select_related("hub", "candidate", "user")
            .get(pk=outcome_id)
        )
        if outcome.delivery_status in {DeliveryStatus.DELIVERED, DeliveryStatus.RATE_LIMITED}:
            return outcome
        outcome.attempts += 1
        try:
            if outcome.channel == Channel.WEBHOOK:
                _post_webhook(outcome)
            else:
                _send_email(outcome)
        except Exception as error:  # any failure is recorded, then retried
            outcome.delivery_status = DeliveryStatus.FAILED
            outcome.delivery_error = f"{type(error).__name__}: {error}"[:2000]
            outcome.save(update_fields=["delivery_status", "delivery_error", "attempts"])
            if isinstance(error, egress.RefusedTarget):
                return outcome  # the same address would be refused again
            failed = DeliveryFailed(outcome.delivery_error)
        else:
            outcome.delivery_status = DeliveryStatus.DELIVERED
            outcome.delivery_error = None
            outcome.sent_at = timezone.now()
            outcome.save(
                update_fields=["delivery_status", "delivery_error", "sent_at", "attempts", "message_id"]
            )
            return outcome
    raise failed


def link_token(outcome: NotificationOutcome) -> str:
    return signing.dumps({"o": outcome.pk}, salt=LINK_SALT)


def absolute(path: str) -> str:
    return settings.IHF_BASE_URL.rstrip("/") + path


def _candidate_path(outcome) -> str:
    return reverse("feedback:candidate", args=[outcome.hub.slug, outcome.candidate_id])


def _send_email(outcome: NotificationOutcome) -> None:
    token = link_token(outcome)
    context = {
        "outcome": outcome,
        "candidate": outcome.candidate,
        "hub": outcome.hub,
        "open_url": absolute(reverse("feedback:notification-open", args=[token])),
        "mute_url": absolute(reverse("feedback:notification-mute", args=[token])),
    }
    subject = render_to_string("feedback/email/subject.txt", context).strip()
    body = render_to_string("feedback/email/body.txt", context)
    message = EmailMessage(subject=subject, body=body, to=[outcome.recipient])
    message.send()
    outcome.message_id = message.extra_headers.get("Message-ID") or f"ihf-notification-{outcome.pk}"


def _post_webhook(outcome: NotificationOutcome) -> None:
    payload = {
        "type": outcome.notification_type,
        "hub": outcome.hub.slug,
        "candidate": {
            "id": str(outcome.candidate_id),
            "title": outcome.candidate.title,
            "status": outcome.candidate.status,
            "url": absolute(_candidate_path(outcome)),
        },
        "details": outcome.metadata,
    }
    # Public addresses only, checked after resolving the name and connected to as checked (ihf/egress.py).
    response = egress.post_json(
        outcome.recipient,
        json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "IHF-webhook/1"},
        timeout=settings.IHF_WEBHOOK_TIMEOUT,
    )
    if not 200 <= response.status < 300:  # redirects too: they are not followed
        raise DeliveryFailed(f"webhook answered {response.status}")
    outcome.message_id = response.headers.get("X-Request-Id")


def record_action(token: str, action: str) -> NotificationOutcome:
    """Record the first action on a notification from its signed link; raises signing errors untouched."""
    data = signing.loads(token, salt=LINK_SALT, max_age=settings.IHF_NOTIFICATION_LINK_MAX_AGE)
    with transaction.atomic():
        outcome = (
            NotificationOutcome.objects.select_for_update(of=("self",))
            .select_related("hub")
            .get(pk=data["o"])
        )
        now = timezone.now()
        changed = []
        if outcome.user_action is None:
            outcome.user_action = action
            outcome.user_action_at = now
            outcome.time_to_action_sec = max(0, math.floor((now - outcome.sent_at).total_seconds()))
            changed += ["user_action", "user_action_at", "time_to_action_sec"]
        if action == UserAction.OPENED and outcome.read_at is None:  # read, in the inbox as well
            outcome.read_at = now
            changed.append("read_at")
        if changed:
            outcome.save(update_fields=changed)
        if action == UserAction.SILENCED and outcome.user_id and outcome.hub_id:
            HubMembership.objects.filter(hub_id=outcome.hub_id, user_id=outcome.user_id).update(
                notifications_muted=True
            )
    return outcome
