from django.conf import settings
from django.db import models

from feedback.models.candidates import RequirementCandidate
from hubs.models import Hub
from ihf.db import NOW


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"
    TELEGRAM = "telegram", "Telegram"
    SLACK = "slack", "Slack"
    SMS = "sms", "SMS"
    DISCORD = "discord", "Discord"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    RATE_LIMITED = "rate_limited", "Rate limited"


class NotificationType(models.TextChoices):
    ASSIGNED = "assigned", "Assigned to you"
    STATUS_CHANGED = "status_changed", "Status changed"
    REGRESSION = "regression", "Regression detected"


class UserAction(models.TextChoices):
    OPENED = "opened", "Opened"
    SILENCED = "silenced", "Muted the hub"


class NotificationOutcomeQuerySet(models.QuerySet):
    def inbox_of(self, user):
        """What IHF told the person (its emails, sent or held back by the rate limit), for the inbox."""
        return self.filter(user=user, channel=Channel.EMAIL)

    def unread_for(self, user):
        return self.inbox_of(user).filter(read_at__isnull=True)


class NotificationOutcome(models.Model):
    """One notification and what became of it (seed 003's `notification_outcomes`): delivery, and what the
    person did with it, and how long that took."""

    outcome_id = models.BigAutoField(primary_key=True)
    incident_id = models.TextField(null=True, blank=True)
    approval_id = models.TextField(null=True, blank=True)
    channel = models.TextField(choices=Channel.choices)
    notification_type = models.TextField(choices=NotificationType.choices, null=True, blank=True)
    recipient = models.TextField(null=True, blank=True)
    message_id = models.TextField(null=True, blank=True)
    sent_at = models.DateTimeField(db_default=NOW)
    delivery_status = models.TextField(choices=DeliveryStatus.choices)
    delivery_error = models.TextField(null=True, blank=True)
    user_action = models.TextField(choices=UserAction.choices, null=True, blank=True)
    user_action_at = models.DateTimeField(null=True, blank=True)
    user_comment = models.TextField(null=True, blank=True)
    snoozed_count = models.IntegerField(default=0, db_default=0)
    time_to_action_sec = models.IntegerField(null=True, blank=True)
    metadata = models.JSONField(default=dict, db_default=models.Value({}, output_field=models.JSONField()))
    # IHF's links from a notification to what it is about.
    hub = models.ForeignKey(Hub, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    candidate = models.ForeignKey(
        RequirementCandidate, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    attempts = models.IntegerField(default=0, db_default=0)
    # When the person read it in IHF's inbox (or opened its emailed link): the nav's unread count.
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationOutcomeQuerySet.as_manager()

    class Meta:
        db_table = "notification_outcomes"
        ordering = ["-sent_at"]
        indexes = [
            models.Index(fields=["-sent_at"], name="idx_notification_outcomes_sent"),
            models.Index(fields=["user", "-sent_at"], name="notification_outcomes_user_idx"),
            models.Index(
                fields=["user"],
                name="notification_outcomes_unread",
                condition=models.Q(read_at__isnull=True, channel="email"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__in=["telegram", "email", "slack", "webhook", "sms", "discord"]),
                name="notif_channel_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(delivery_status__in=["delivered", "failed", "pending", "rate_limited"]),
                name="notif_delivery_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} to {self.recipient}: {self.delivery_status}"
