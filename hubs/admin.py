from django.contrib import admin
from django.db.models import Q

from hubs import keys
from hubs.models import (
    ApiKey,
    Hub,
    HubMembership,
    InteractionEvent,
    InteractionReportingContract,
    Widget,
    WidgetDailyEventCount,
    WidgetVersion,
)
from ihf.admin import ReadOnlyAdmin, fixed_choices_filter
from ihf.ids import parse_uuid

WIDGETS_SEARCHED = 50


def _event_types():
    """The event types the active reporting contract accepts: the only ones ingestion stores."""
    contract = InteractionReportingContract.objects.filter(status="active").order_by("-created_at").first()
    types = contract.accepted_event_types if contract else [InteractionEvent.RETRACTED]
    return [(name, name) for name in sorted(types)]


class MembershipInline(admin.TabularInline):
    model = HubMembership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Hub)
class HubAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "domain", "created_at")
    search_fields = ("name", "slug", "domain")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]


@admin.register(HubMembership)
class HubMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "hub", "role")
    list_filter = ("role", "hub")
    search_fields = ("user__email", "hub__name")
    autocomplete_fields = ["user", "hub"]
    list_select_related = ("user", "hub")


class WidgetVersionInline(admin.TabularInline):
    model = WidgetVersion
    fields = ("version", "schema_snapshot", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Widget)
class WidgetAdmin(admin.ModelAdmin):
    list_display = ("name", "hub", "widget_type", "status", "version")
    list_filter = ("status", "widget_type", "hub")
    search_fields = ("name", "capability_ref", "view_context")
    list_select_related = ("hub",)
    readonly_fields = ("version", "created_at")
    autocomplete_fields = ["hub"]
    inlines = [WidgetVersionInline]

    def has_delete_permission(self, request, obj=None):
        # Widgets with recorded events cannot be deleted (the event log is append-only): retire them instead.
        return False


@admin.register(WidgetVersion)
class WidgetVersionAdmin(ReadOnlyAdmin):
    list_display = ("widget", "version", "created_at")
    list_select_related = ("widget",)
    search_fields = ("widget__name",)


@admin.register(InteractionEvent)
class InteractionEventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "event_type", "widget", "actor_type", "view_context_ref")
    # No date hierarchy and no filter that asks the log for its values (DISTINCT over millions of rows):
    # event types come from the contract; actor types are free text, so they have no filter (issue 21).
    list_filter = (fixed_choices_filter("event_type", "event type", _event_types),)
    list_select_related = ("widget",)
    # The search box takes an event id, a widget id or part of a widget's name (search_fields only turns the
    # box on: get_search_results does the work).
    search_fields = ("=id",)
    search_help_text = "An event id, a widget id, or part of a widget's name."

    def get_search_results(self, request, queryset, search_term):
        """Index lookups only. Django's own search compared every event's id as text with the term (an exact
        search on a uuid column) and joined the widgets for the name: 8 s at 3M events."""
        term = search_term.strip()
        if not term:
            return queryset, False
        uuid = parse_uuid(term)
        if uuid is not None:
            return queryset.filter(Q(pk=uuid) | Q(widget_id=uuid)), False
        named = Widget.objects.filter(name__icontains=term).values_list("pk", flat=True)
        return queryset.filter(widget_id__in=list(named[:WIDGETS_SEARCHED])), False


@admin.register(WidgetDailyEventCount)
class WidgetDailyEventCountAdmin(ReadOnlyAdmin):
    list_display = ("day", "widget", "event_count", "partial")
    list_select_related = ("widget",)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are made on the hub's settings page or by manage.py create_api_key (the secret is shown once);
    here they can only be looked at and revoked."""

    list_display = ("prefix", "hub", "scope", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = ("scope", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("hub",)
    fields = (
        "hub",
        "name",
        "scope",
        "public_id",
        "rate_limit_per_minute",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    readonly_fields = ("hub", "scope", "public_id", "created_at", "last_used_at")

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        keys.forget(obj.public_id)  # here at once; other processes through hubs/key_listener.py
