"""Hub administration: API keys."""

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from hubs import keys
from hubs.models import ApiKey, Hub
from ihf.models import User


def api_key_create(
    *,
    hub: Hub,
    scope: str,
    name: str = "",
    actor: User | None = None,
    rate_limit_per_minute: int | None = None,
) -> tuple[ApiKey, str]:
    """Create a key; returns (ApiKey, the raw key). The raw key is not stored and cannot be shown again."""
    raw, public_id, secret_hash = keys.generate(scope)
    with transaction.atomic():
        key = ApiKey.objects.create(
            hub=hub,
            scope=scope,
            name=name,
            public_id=public_id,
            secret_hash=secret_hash,
            created_by=actor,
            rate_limit_per_minute=rate_limit_per_minute or settings.IHF_API_RATE_LIMIT_PER_MINUTE,
        )
        if scope == "ingest":
            # The seed's hubs.api_key column: only a reference to the newest ingest key, never a secret.
            Hub.objects.filter(pk=hub.pk).update(api_key=key.prefix)
    return key, raw


def api_key_revoke(*, key: ApiKey) -> bool:
    revoked = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    keys.forget(key.public_id)  # here at once; other processes through hubs/key_listener.py
    return bool(revoked)


def compact_daily_event_counts() -> int:
    """Fold the partial rows of the daily rollup into one row per (widget, day); returns how many it folded
    (0 when another fold is running). `sql/interaction_event_rollup_parts.sql` says why there are parts."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT compact_widget_daily_event_counts()")
        folded: int = cursor.fetchone()[0]  # an integer (sql/interaction_event_rollup_parts.sql)
        return folded
