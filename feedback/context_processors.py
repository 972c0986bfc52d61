from feedback.models import NotificationOutcome


def inbox(request):
    """`unread_notifications`: the nav's count, queried only when a page shows it (the signed-in nav)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cached = {}

    def unread():
        if "n" not in cached:
            cached["n"] = NotificationOutcome.objects.unread_for(user).count()
        return cached["n"]

    return {"unread_notifications": unread}
