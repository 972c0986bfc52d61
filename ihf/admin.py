from collections.abc import Callable, Iterable

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from ihf.models import User
from ihf.paginators import EstimatedCountPaginator


def fixed_choices_filter(
    field: str, title: str, choices: Callable[[], Iterable[tuple[str, str]]]
) -> type[admin.SimpleListFilter]:
    """A list filter offering `choices()` for `field`. Django's own filter for a field without choices
    asks the table for its DISTINCT values, a scan of the whole table on every changelist page."""

    class FixedChoicesFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            return list(choices())

        def queryset(self, request, queryset):
            return queryset.filter(**{field: self.value()}) if self.value() else queryset

    FixedChoicesFilter.title = title
    return FixedChoicesFilter


class ReadOnlyAdmin(admin.ModelAdmin):
    """For append-only tables: the database refuses changes, so the admin offers none. History tables grow
    without end, so their changelists never count every row (EstimatedCountPaginator)."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class IhfUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class IhfUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = IhfUserChangeForm
    add_form = IhfUserCreationForm
    list_display = ("email", "name", "is_staff", "is_superuser", "failed_login_attempts", "locked_at")
    list_filter = ("is_staff", "is_superuser", "is_active", ("locked_at", admin.EmptyFieldListFilter))
    search_fields = ("email", "name")
    ordering = ("email",)
    readonly_fields = ("created_at", "last_login")
    actions = ["unlock"]
    fieldsets = (
        (None, {"fields": ("email", "name", "password")}),
        ("Lockout", {"fields": ("failed_login_attempts", "locked_at")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "created_at")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "name", "usable_password", "password1", "password2")},
        ),
    )

    @admin.action(description="Unlock selected accounts")
    def unlock(self, request, queryset):
        count = queryset.filter(locked_at__isnull=False).update(locked_at=None, failed_login_attempts=0)
        self.message_user(request, f"Unlocked {count} account(s).", messages.SUCCESS)
