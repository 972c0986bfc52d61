from django.contrib import admin

from feedback.models import Annotation, AnnotationThread


@admin.register(AnnotationThread)
class AnnotationThreadAdmin(admin.ModelAdmin):
    list_display = ("title", "widget", "created_by", "created_at")
    search_fields = ("title", "description")
    list_select_related = ("widget", "created_by")
    raw_id_fields = ("widget", "created_by")


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    list_display = (
        "short_body",
        "widget",
        "category",
        "severity",
        "actor_type",
        "created_at",
        "retracted_at",
    )
    list_filter = ("severity", "category", "actor_type", ("retracted_at", admin.EmptyFieldListFilter))
    search_fields = ("body",)
    list_select_related = ("widget",)
    raw_id_fields = ("widget", "parent", "thread")

    @admin.display(description="Body")
    def short_body(self, obj):
        return obj.body[:80]
