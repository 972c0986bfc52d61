from django.conf import settings
from django.db import models, transaction
from django.urls import reverse

from ihf.db import NOW, ShortTextField, SlugTextField, user_reference, uuid_primary_key
from ihf.egress import validate_webhook_url
from ihf.ids import uuid7


class Role(models.TextChoices):
    STEWARD = "steward", "Steward"
    REVIEWER = "reviewer", "Reviewer"
    VIEWER = "viewer", "Viewer"


class HubQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(memberships__user=user)


class Hub(models.Model):
    """A bounded product area owned by its stewards."""

    id = uuid_primary_key()
    slug = SlugTextField(unique=True)
    name = ShortTextField()
    domain = ShortTextField()
    created_at = models.DateTimeField(db_default=NOW, editable=False)
    # The seed's per-hub key column. IHF keeps keys in `api_keys` (hashed, scoped, revocable); this column
    # never holds a usable secret: it shows the public id of the hub's newest ingest key, for reference.
    api_key = models.TextField(null=True, blank=True, editable=False)
    allowed_origins = models.JSONField(
        default=list,
        blank=True,
        help_text="Origins (scheme://host[:port]) whose pages may report to this hub from the browser.",
    )
    webhook_url = models.URLField(
        max_length=2000,
        blank=True,
        default="",
        # Public addresses only, checked again when a notification is sent (ihf/egress.py).
        validators=[validate_webhook_url],
        help_text="Triage notifications are also POSTed here as JSON (optional). Public addresses only.",
    )
    # Read with the API key on every ingest request (sql/api_keys_consent.sql), so that enforcing it costs
    # no query of its own.
    reporter_consent_required = models.BooleanField(
        default=False,
        db_default=False,
        verbose_name="Require the person's consent before reporting",
        help_text="IHF then refuses events and annotations sent without the person's consent (the reporter "
        'sends nothing before the page calls consent(true); API clients send "consent": true).',
    )

    objects = HubQuerySet.as_manager()

    class Meta:
        db_table = "hubs"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("feedback:hub", args=[self.slug])


class HubMembership(models.Model):
    id = uuid_primary_key()
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.TextField(choices=Role.choices, default=Role.VIEWER)
    notifications_muted = models.BooleanField(default=False, db_default=False)
    created_at = models.DateTimeField(db_default=NOW, editable=False)

    class Meta:
        db_table = "hub_memberships"
        ordering = ["hub__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["hub", "user"], name="hub_memberships_hub_user_uniq"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="hub_memberships_role_check"
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} of {self.hub}"

    @classmethod
    def set_notifications_muted(cls, *, hub, user, muted: bool) -> bool:
        """Mute or unmute the hub's notifications for `user`; False when they are not a member."""
        return bool(cls.objects.filter(hub=hub, user=user).update(notifications_muted=muted))


class WidgetStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    EXPERIMENTAL = "experimental", "Experimental"
    DEPRECATED = "deprecated", "Deprecated"
    RETIRED = "retired", "Retired"


class Widget(models.Model):
    """The smallest governable unit of a UI. Changing a governed field makes a new version."""

    GOVERNED_FIELDS = ("name", "widget_type", "capability_ref", "view_context", "policy_scope", "status")

    id = uuid_primary_key()
    hub = models.ForeignKey(Hub, on_delete=models.RESTRICT, related_name="widgets", db_index=False)
    name = ShortTextField()
    widget_type = ShortTextField()
    capability_ref = ShortTextField(null=True, blank=True)
    view_context = ShortTextField(null=True, blank=True)
    policy_scope = ShortTextField(default="internal", db_default="internal")
    status = models.TextField(choices=WidgetStatus.choices, default=WidgetStatus.ACTIVE, db_default="active")
    version = models.IntegerField(default=1, db_default=1, editable=False)
    created_at = models.DateTimeField(db_default=NOW, editable=False)
    adapter_spec = models.ForeignKey(
        "WidgetAdapterSpec",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="widgets",
        db_index=False,
    )

    class Meta:
        db_table = "widgets"
        ordering = ["name"]
        indexes = [models.Index(fields=["hub", "widget_type", "status"], name="widgets_hub_type_status_idx")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """Save, and when a governed field changed, bump `version` and record a `widget_versions` row
        with the new snapshot in the same transaction."""
        with transaction.atomic():
            if self._state.adding:
                super().save(*args, **kwargs)
                self.versions.create(version=self.version, schema_snapshot=self.snapshot())
                return
            # Locking the stored row serialises concurrent edits, so two of them cannot take the same number.
            stored = Widget.objects.select_for_update().only("version", *self.GOVERNED_FIELDS).get(pk=self.pk)
            if stored.snapshot() == self.snapshot():
                self.version = stored.version
                super().save(*args, **kwargs)
                return
            self.version = stored.version + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
            super().save(*args, **kwargs)
            self.versions.create(version=self.version, schema_snapshot=self.snapshot())

    def get_absolute_url(self):
        return reverse("feedback:widget", args=[self.hub.slug, self.pk])

    def snapshot(self) -> dict:
        return {field: getattr(self, field) for field in self.GOVERNED_FIELDS}


class WidgetVersion(models.Model):
    id = uuid_primary_key()
    widget = models.ForeignKey(Widget, on_delete=models.CASCADE, related_name="versions", db_index=False)
    version = models.IntegerField()
    schema_snapshot = models.JSONField()
    created_at = models.DateTimeField(db_default=NOW, editable=False)

    class Meta:
        db_table = "widget_versions"
        ordering = ["widget", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["widget", "version"], name="widget_versions_widget_id_version_key"
            )
        ]

    def __str__(self):
        return f"{self.widget} v{self.version}"


class InteractionEvent(models.Model):
    """One thing a person (or agent) did with a widget. Append-only: the database refuses UPDATE and DELETE
    (`sql/interaction_events_append_only.sql`); a correction is a new `retracted` event."""

    RETRACTED = "retracted"

    id = uuid_primary_key(default=uuid7)
    widget = models.ForeignKey(Widget, on_delete=models.CASCADE, related_name="events", db_index=False)
    event_type = models.TextField()
    actor_id = models.UUIDField(null=True, blank=True)
    actor_type = models.TextField(default="user", db_default="user")
    view_context_ref = models.TextField(null=True, blank=True)
    metadata = models.JSONField(default=dict, db_default=models.Value({}, output_field=models.JSONField()))
    occurred_at = models.DateTimeField(db_default=NOW)

    class Meta:
        db_table = "interaction_events"
        ordering = ["-occurred_at"]
        # The seed's index names are longer than Django allows, so the indexes are created by
        # `sql/phase1_indexes.sql`.

    def __str__(self):
        return f"{self.event_type} on {self.widget_id} at {self.occurred_at:%Y-%m-%d %H:%M}"


class DailyEventCountQuerySet(models.QuerySet):
    def totals(self) -> dict:
        """{(widget id, day): events}, whether or not the rows are folded yet."""
        rows = self.order_by().values_list("widget_id", "day").annotate(total=models.Sum("event_count"))
        return {(widget_id, day): total for widget_id, day, total in rows}


class WidgetDailyEventCount(models.Model):
    """Per-widget, per-UTC-day event counts, kept current by a statement trigger on `interaction_events`
    (`sql/interaction_event_rollup_parts.sql`). Pages read this, not the raw log (DESIGN.md, invariant 7).

    A (widget, day) may have several rows: each inserting statement appends its partial count, and a job
    folds them into one every minute (`compact_daily_event_counts`). Always sum `event_count`."""

    # No constraint in the database: every row comes from events, whose own foreign key already vouches for
    # the widget, and checking it again cost each inserting statement a second lookup and row lock.
    widget = models.ForeignKey(
        Widget,
        on_delete=models.CASCADE,
        related_name="daily_event_counts",
        db_index=False,
        db_constraint=False,
    )
    day = models.DateField()
    event_count = models.IntegerField(default=0)
    partial = models.BooleanField(default=False, db_default=False)

    objects = DailyEventCountQuerySet.as_manager()

    class Meta:
        db_table = "widget_daily_event_counts"
        indexes = [
            models.Index(fields=["day"], name="widget_daily_counts_day_idx"),
            models.Index(fields=["widget", "day"], name="widget_daily_counts_widget_idx"),
            models.Index(
                fields=["widget", "day"],
                condition=models.Q(partial=True),
                name="widget_daily_counts_parts_idx",
            ),
        ]

    def __str__(self):
        return f"{self.widget_id} on {self.day}: {self.event_count}{' (partial)' if self.partial else ''}"


class ApiKeyScope(models.TextChoices):
    INGEST = "ingest", "Ingest (write events and annotations)"
    READ = "read", "Read (widgets and contracts)"


class ApiKey(models.Model):
    """A per-hub API key. Only the SHA-256 of the key is stored; the key itself is shown once."""

    id = uuid_primary_key()
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="api_keys")
    name = ShortTextField(blank=True, default="")
    scope = models.TextField(choices=ApiKeyScope.choices)
    public_id = models.TextField(unique=True)
    secret_hash = models.TextField()
    rate_limit_per_minute = models.IntegerField()
    created_by = user_reference()
    created_at = models.DateTimeField(db_default=NOW, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    window_started_at = models.DateTimeField(db_default=NOW)
    window_count = models.IntegerField(default=0, db_default=0)

    class Meta:
        db_table = "api_keys"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope__in=["ingest", "read"]), name="api_keys_scope_check"
            ),
            models.CheckConstraint(
                condition=models.Q(rate_limit_per_minute__gt=0), name="api_keys_rate_limit_positive"
            ),
        ]

    def __str__(self):
        return f"{self.prefix}… ({self.get_scope_display()})"

    @property
    def prefix(self) -> str:
        return f"ihf_{self.scope}_{self.public_id}"


class ContractStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    SUPERSEDED = "superseded", "Superseded"


class EnvelopeEmissionContract(models.Model):
    """Which data-* attributes a widget's element must carry, and their formats (seed phase 6)."""

    id = uuid_primary_key()
    contract_version = models.TextField(unique=True)
    required_attributes = models.JSONField()
    optional_attributes = models.JSONField(
        default=list, db_default=models.Value([], output_field=models.JSONField())
    )
    validation_rules = models.JSONField(
        default=dict, db_default=models.Value({}, output_field=models.JSONField())
    )
    description = models.TextField(null=True, blank=True)
    status = models.TextField(choices=ContractStatus.choices, default="active", db_default="active")
    created_at = models.DateTimeField(db_default=NOW, editable=False)

    class Meta:
        db_table = "envelope_emission_contracts"
        # The seed's phase 6 indexes (names past Django's limit) come from sql/phase6_indexes.sql.

    def __str__(self):
        return f"Envelope {self.contract_version}"


class InteractionReportingContract(models.Model):
    """The REST contract for reporting events: endpoint, accepted event types, required fields."""

    id = uuid_primary_key()
    contract_version = models.TextField(unique=True)
    endpoint_path = models.TextField()
    accepted_event_types = models.JSONField()
    required_fields = models.JSONField()
    auth_scheme = models.TextField(default="bearer", db_default="bearer")
    description = models.TextField(null=True, blank=True)
    status = models.TextField(choices=ContractStatus.choices, default="active", db_default="active")
    created_at = models.DateTimeField(db_default=NOW, editable=False)

    class Meta:
        db_table = "interaction_reporting_contracts"

    def __str__(self):
        return f"Reporting {self.contract_version}"


class WidgetAdapterSpec(models.Model):
    """How one UI technology meets the envelope and reporting contracts."""

    id = uuid_primary_key()
    name = models.TextField(unique=True)
    framework = models.TextField()
    version = models.TextField()
    envelope_contract = models.ForeignKey(
        EnvelopeEmissionContract, null=True, blank=True, on_delete=models.SET_NULL
    )
    reporting_contract = models.ForeignKey(
        InteractionReportingContract, null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.TextField(default="draft", db_default="draft")
    notes = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(db_default=NOW, editable=False)
    updated_at = models.DateTimeField(db_default=NOW)

    class Meta:
        db_table = "widget_adapter_specs"

    def __str__(self):
        return self.name
