from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from hubs.access import get_hub_for_user
from hubs.models import Hub
from reporting import kpis
from reporting.forms import PeriodForm


def _panel(request, hub_ids, context):
    form = PeriodForm(request.GET or None)
    days = form.cleaned_data["days"] if form.is_valid() else 90
    status = 422 if request.GET and not form.is_valid() else 200
    context.update({"form": form, "kpis": kpis.compute(hub_ids, days=days), "hub_count": len(hub_ids)})
    return TemplateResponse(request, "reporting/kpis.html", context, status=status)


@login_required
@require_GET
def kpis_all(request):
    """Across every hub the reader belongs to (every hub for a superuser)."""
    hub_ids = list(Hub.objects.visible_to(request.user).values_list("pk", flat=True))
    return _panel(request, hub_ids, {"hub": None})


@login_required
@require_GET
def kpis_hub(request, slug):
    access = get_hub_for_user(request, slug)
    return _panel(request, [access.hub.pk], {"hub": access.hub, "access": access})
