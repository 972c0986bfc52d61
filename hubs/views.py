from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST

from hubs import services
from hubs.access import get_hub_for_user, require
from hubs.fastpath import forget_origins
from hubs.forms import ApiKeyForm, HubIntegrationForm
from hubs.models import ApiKey, Hub
from hubs.selectors import RECENT_DAYS, hubs_with_counts

STEWARDS_ONLY = "Only the hub's stewards manage its keys and integrations."
NEW_KEY_SESSION = "ihf_new_api_key"


@login_required
def hub_list(request):
    hubs = hubs_with_counts(Hub.objects.visible_to(request.user).order_by("name"))
    return TemplateResponse(request, "hubs/hub_list.html", {"hubs": hubs, "recent_days": RECENT_DAYS})


def _settings_response(request, access, *, key_form=None, integration_form=None, new_key=None, status=200):
    hub = Hub.objects.get(pk=access.hub.pk)
    context = {
        "access": access,
        "hub": hub,
        "keys": list(ApiKey.objects.filter(hub=hub).select_related("created_by")),
        "key_form": key_form or ApiKeyForm(),
        "integration_form": integration_form or HubIntegrationForm(instance=hub),
        "new_key": new_key,
    }
    return TemplateResponse(request, "hubs/settings.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def hub_settings(request, slug):
    access = get_hub_for_user(request, slug)
    require(access.can_manage_hub, STEWARDS_ONLY)
    if request.method == "POST":
        form = HubIntegrationForm(request.POST, instance=Hub.objects.get(pk=access.hub.pk))
        if not form.is_valid():
            return _settings_response(request, access, integration_form=form, status=422)
        form.save()
        forget_origins()
        messages.success(request, "Integration settings saved.")
        return redirect("hubs:settings", access.hub.slug)
    # A key created just before is shown on this one page, then forgotten (see api_key_create).
    shown = request.session.pop(NEW_KEY_SESSION, None)
    new_key = None
    if shown and shown.get("hub") == str(access.hub.pk):
        key = ApiKey.objects.filter(pk=shown["key"], hub=access.hub).first()
        new_key = {"key": key, "raw": shown["raw"]} if key else None
    response = _settings_response(request, access, new_key=new_key)
    if new_key:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def api_key_create(request, slug):
    access = get_hub_for_user(request, slug)
    require(access.can_manage_hub, STEWARDS_ONLY)
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _settings_response(request, access, key_form=form, status=422)
    key, raw = services.api_key_create(hub=access.hub, actor=request.user, **form.cleaned_data)
    # Post/redirect/get, so that reloading the page shows the key rather than creating another: the raw key
    # waits in the session for the settings page, which shows it once and drops it. It is never stored
    # anywhere else, and cannot be shown again.
    request.session[NEW_KEY_SESSION] = {"hub": str(access.hub.pk), "key": str(key.pk), "raw": raw}
    return redirect("hubs:settings", access.hub.slug)


@login_required
@require_POST
def api_key_revoke(request, slug, key_id):
    access = get_hub_for_user(request, slug)
    require(access.can_manage_hub, STEWARDS_ONLY)
    key = get_object_or_404(ApiKey, pk=key_id, hub=access.hub)
    if services.api_key_revoke(key=key):
        messages.success(request, f"Revoked {key.prefix}…; requests with it now get 401.")
    return redirect("hubs:settings", access.hub.slug)
