from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse

from hubs.models import Hub
from hubs.selectors import RECENT_DAYS, hubs_with_counts


@login_required
def hub_list(request):
    hubs = hubs_with_counts(Hub.objects.visible_to(request.user)).order_by("name")
    return TemplateResponse(request, "hubs/hub_list.html", {"hubs": hubs, "recent_days": RECENT_DAYS})
