from django.conf import settings
from django.db import models

from hubs.models import Hub
from ihf.db import NOW, uuid_primary_key


class SavedBoardViewQuerySet(models.QuerySet):
    def visible_to(self, hub, user):
        """The user's own views of the hub's board and the ones its members shared."""
        return self.filter(models.Q(owner=user) | models.Q(shared=True), hub=hub).select_related("owner")


class SavedBoardView(models.Model):
    """A named set of triage board filters (the board's query string). Its owner finds it again on the
    board; a shared one is offered to every member of the hub."""

    id = uuid_primary_key()
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.TextField()
    query = models.TextField(blank=True, default="")
    shared = models.BooleanField(default=False, db_default=False)
    created_at = models.DateTimeField(db_default=NOW, editable=False)

    objects = SavedBoardViewQuerySet.as_manager()

    class Meta:
        db_table = "board_saved_views"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["hub", "owner", "name"], name="board_saved_views_name_key"),
            models.CheckConstraint(condition=models.Q(name__regex=r"\S"), name="board_saved_views_named"),
        ]

    def __str__(self):
        return self.name
