from django.contrib import admin, messages
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html

from ihf.admin import ReadOnlyAdmin
from reporting import exports
from reporting.models import FinetuneExport


@admin.register(FinetuneExport)
class FinetuneExportAdmin(ReadOnlyAdmin):
    list_display = (
        "export_id",
        "export_type",
        "record_count",
        "size_bytes",
        "created_by",
        "created_at",
        "download",
    )
    list_filter = ("export_type",)
    exclude = ("source_ids",)

    @admin.display(description="File")
    def download(self, row):
        url = reverse("admin:reporting_finetuneexport_download", args=[row.pk])
        return format_html('<a href="{}">download (checksum verified)</a>', url)

    def get_urls(self):
        return [
            path(
                "<int:export_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="reporting_finetuneexport_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, export_id):
        if not self.has_view_permission(request):
            return redirect("admin:index")
        row = get_object_or_404(FinetuneExport, pk=export_id)
        changelist = reverse("admin:reporting_finetuneexport_changelist")
        try:
            chunks = exports.verified_chunks(row)
        except FileNotFoundError:
            messages.error(request, f"Export {row.pk}: its file {row.file_path} is gone.")
            return redirect(changelist)
        except exports.ChecksumMismatch as exc:
            messages.error(request, f"Export {row.pk} was not sent: {exc}.")
            return redirect(changelist)
        response = StreamingHttpResponse(chunks, content_type="application/x-ndjson")
        response["Content-Disposition"] = f'attachment; filename="{row.file_path.rsplit("/", 1)[-1]}"'
        response["Content-Length"] = str(row.size_bytes)
        response["X-Checksum-SHA256"] = row.checksum_sha256
        return response
